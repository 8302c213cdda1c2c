"""Evidence is read set-wise, grouped by agency and month of age, within the window."""

from datetime import date

from ratings.method import MonthBucket
from ratings.months import month_age, month_start
from ratings.results.evidence import evidence_for, read_evidence
from registry.db import IdScope, db
from tests.ratings.results.conftest import TODAY


def test_month_age_counts_calendar_months():
    assert month_age(date(2026, 9, 1), TODAY) == 0
    assert month_age(date(2026, 8, 31), TODAY) == 1
    assert month_age(date(2024, 10, 1), TODAY) == 23
    assert month_start(TODAY, 23) == date(2024, 10, 1)
    assert month_start(date(2026, 1, 15), 1) == date(2025, 12, 1)


def test_reviews_are_grouped_by_local_month_and_hidden_or_outside_ones_left_out(world, evidence):
    agency = world.agency
    evidence.review(agency, date(2026, 9, 1), (5, 5, 5, 5))
    # 1 September 01:00 in Jiangyin is still 31 August in UTC: it is September's.
    evidence.review(agency, date(2026, 9, 1), (4, 4, 4, 4), hour=1)
    evidence.review(agency, date(2026, 8, 31), (3, 3, 3, 3), hour=23)
    evidence.review(agency, date(2026, 3, 10), (2, 3, 4, 5))
    evidence.review(agency, date(2026, 3, 20), (1, 1, 1, 1))
    evidence.review(agency, date(2024, 10, 1), (5, 4, 5, 4))  # age 23: the oldest counted
    evidence.review(agency, date(2024, 9, 30), (5, 5, 5, 5))  # age 24: outside the window
    evidence.review(agency, date(2026, 9, 2), (1, 1, 1, 1), hidden=True)
    evidence.review(agency, date(2026, 9, 29), (1, 1, 1, 1))  # after the day rated

    found = evidence_for([agency.id], TODAY)[agency.id]

    assert found.reviews == (
        MonthBucket(0, 2, 36),
        MonthBucket(1, 1, 12),
        MonthBucket(6, 2, 18),
        MonthBucket(23, 1, 18),
    )


def test_evaluations_inspection_and_complaints_in_the_window(world, evidence):
    agency = world.agency
    evidence.evaluation(agency, date(2026, 7, 1), 4)
    evidence.evaluation(agency, date(2026, 7, 2), 2)
    evidence.evaluation(agency, date(2024, 8, 1), 5)  # outside
    evidence.inspection(agency, date(2026, 5, 1), 70)
    evidence.inspection(agency, date(2026, 6, 1), 90, withdrawn=True)
    evidence.inspection(agency, date(2026, 10, 1), 10)  # after the day rated
    evidence.complaint(agency, date(2026, 9, 3), "major")
    evidence.complaint(agency, date(2026, 9, 4), "major")
    evidence.complaint(agency, date(2025, 9, 4), "serious")

    found = evidence_for([agency.id], TODAY)[agency.id]

    assert found.evaluations == (MonthBucket(2, 2, 6),)
    assert found.inspection == 70
    assert found.complaints == {
        "major": (MonthBucket(0, 2, 2),),
        "serious": (MonthBucket(12, 1, 1),),
    }


def test_engagements_overdue_share_and_overcharges(world, evidence):
    agency = world.agency
    evidence.engagement(agency, start=date(2026, 8, 1), confirmed=date(2026, 8, 20))
    evidence.engagement(agency, start=date(2026, 8, 1), confirmed=date(2026, 8, 25), late=3)
    evidence.engagement(agency, start=date(2026, 8, 1), status="open", overcharge=5000)
    evidence.engagement(agency, start=date(2026, 8, 1), status="cancelled", overcharge=5000)
    evidence.engagement(agency, start=date(2026, 8, 1), status="awaiting_agency", overcharge=1)
    evidence.engagement(agency, start=date(2024, 1, 1), confirmed=date(2024, 2, 1), late=1)

    found = evidence_for([agency.id], TODAY)[agency.id]

    assert (found.confirmed_engagements, found.overdue_engagements) == (2, 1)
    assert found.overcharges == 1


def test_commitment_and_listing_are_read_as_of_the_day(world, evidence, commit_letter):
    agency = world.agency
    assert evidence_for([agency.id], TODAY)[agency.id].committed is False
    commit_letter(agency, world.agency_user)
    evidence.listing(agency, date(2026, 9, 1), date(2026, 9, 27))

    found = evidence_for([agency.id], TODAY)[agency.id]
    earlier = evidence_for([agency.id], date(2026, 9, 27))[agency.id]

    assert found.committed is True
    assert (found.blacklisted, earlier.blacklisted) == (False, True)


def test_every_agency_and_large_batches_read_alike(world, evidence, make_agency, monkeypatch):
    others = [make_agency("active") for _ in range(3)]
    for number, agency in enumerate([world.agency, *others]):
        evidence.review(agency, date(2026, 9, 1), (number + 1,) * 4)
    by_list = evidence_for([a.id for a in [world.agency, *others]], TODAY)
    monkeypatch.setattr(IdScope, "range_from", 2)  # batches read by an id range
    every = evidence_for(None, TODAY)

    assert by_list == {agency_id: every[agency_id] for agency_id in by_list}
    assert every[others[2].id].reviews == (MonthBucket(0, 1, 16),)


def test_a_few_agencies_read_in_one_statement_read_as_each_statement_alone(
    world, evidence, make_agency, monkeypatch
):
    """A refresh reads its agencies' evidence in one merged statement; a batch of the full
    recompute runs each statement alone. Both read the same rows, in every way of reading."""
    agency, other = world.agency, make_agency("active")
    evidence.review(agency, date(2026, 9, 1), (5, 4, 5, 4))
    evidence.review(other, date(2026, 3, 1), (2, 2, 2, 2))
    evidence.evaluation(agency, date(2026, 7, 1), 4)
    evidence.inspection(agency, date(2026, 5, 1), 70)
    evidence.complaint(agency, date(2026, 9, 3), "major")
    evidence.complaint(other, date(2025, 9, 4), "serious")
    evidence.engagement(agency, start=date(2026, 8, 1), confirmed=date(2026, 8, 25), late=3)
    evidence.engagement(other, start=date(2026, 8, 1), status="open", overcharge=5000)
    evidence.listing(other, date(2026, 9, 1), date(2026, 12, 31))
    ids = sorted([agency.id, other.id])
    connection = db.session.connection()

    def reading(**how):
        found = read_evidence(connection, ids, TODAY, **how)
        return {name: sorted(map(tuple, rows)) for name, rows in vars(found).items() if rows}

    for how in ({}, {"maintained": True}, {"checked": True}):
        merged = reading(**how)
        with monkeypatch.context() as patched:
            patched.setattr(IdScope, "range_from", 2)  # read by an id range, alone
            alone = reading(**how)
        assert merged == alone
        assert len(merged) == (8 if "checked" in how else 7)  # every part has rows
