"""The full recompute and its check, as functions and as `flask ratings recompute`."""

import json
import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from ratings.results import recompute
from ratings.results.evidence import month_index
from ratings.results.models import RatingMonth, RatingRun, RatingSnapshot
from ratings.results.recompute import check, recompute_all
from ratings.results.services import latest_snapshots
from registry.agencies.models import Agency
from registry.audit.models import AuditEvent
from registry.db import db
from tests.ratings.results.conftest import TODAY, agency_row, snapshots_of


def rated_agencies(world, evidence, make_agency):
    others = [make_agency("active"), make_agency("suspended")]
    evidence.inspection(world.agency, date(2026, 6, 1), 88)
    evidence.complaint(others[0], date(2026, 9, 1), "serious")
    for day in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)):
        evidence.review(others[0], day, (4, 4, 5, 5))
    return [world.agency, *others]


def test_recompute_rates_every_agency_and_stores_only_changes(world, evidence, make_agency):
    agencies = rated_agencies(world, evidence, make_agency)
    db.session.execute(update(Agency).values(rating_as_of=None, stars=None))
    db.session.execute(RatingSnapshot.__table__.delete())
    db.session.commit()
    seen = []

    report = recompute_all(TODAY, progress=seen.append)
    db.session.commit()

    assert (report.total, report.changed, sum(seen)) == (3, 3, 3)
    assert [agency_row(a).rating_status for a in agencies] == ["rated", "rated", "unrated"]
    again = recompute_all(TODAY)
    assert (again.total, again.changed) == (3, 0)
    # Time decay alone: a year later the complaint weighs half as much.
    later = recompute_all(date(2027, 9, 1))
    assert later.changed >= 1
    assert snapshots_of(agencies[1])[-1].as_of == date(2027, 9, 1)


def test_every_run_is_recorded_and_audited(world, evidence, make_agency):
    rated_agencies(world, evidence, make_agency)
    recompute_all(TODAY)
    recompute_all(date(2027, 9, 1))
    db.session.commit()

    runs = db.session.scalars(select(RatingRun).order_by(RatingRun.id)).all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "rating_run.finished")
        .order_by(AuditEvent.seq)
    ).all()

    assert [(run.as_of, run.agencies) for run in runs] == [(TODAY, 3), (date(2027, 9, 1), 3)]
    assert [(event.object_id, event.actor_label) for event in events] == [
        (str(run.id), "system") for run in runs
    ]
    assert json.loads(events[1].details_json) == {
        "agencies": 3,
        "as_of": "2027-09-01",
        "changed": runs[1].changed,
        "method_version": runs[1].method_version,
    }


def test_check_passes_after_the_incremental_path_and_lists_a_tampered_result(
    world, evidence, make_agency
):
    agencies = rated_agencies(world, evidence, make_agency)
    assert check() == []
    latest = snapshots_of(agencies[1])[-1]
    latest.score = latest.score + 7
    db.session.commit()

    found = check()

    assert [m.agency_id for m in found] == [agencies[1].id]
    assert found[0].as_of == TODAY
    assert "score" in found[0].problems[0]


def test_check_compares_as_of_the_stored_date(world, evidence, make_agency):
    rated_agencies(world, evidence, make_agency)
    recompute_all(date(2026, 9, 1))
    db.session.commit()

    assert check() == []  # evidence dated after 1 September does not count for it


def test_the_command_recomputes_and_its_check_exits_1_listing_mismatches(
    world, evidence, make_agency, runner
):
    agencies = rated_agencies(world, evidence, make_agency)

    result = runner.invoke(args=["ratings", "recompute", "--as-of", "2026-09-28"])
    assert result.exit_code == 0, result.output
    assert "Rated 3 agencies as of 2026-09-28: 0 changed." in result.output
    assert runner.invoke(args=["ratings", "recompute", "--check"]).exit_code == 0

    db.session.execute(update(Agency).where(Agency.id == agencies[0].id).values(stars=1))
    db.session.commit()
    result = runner.invoke(args=["ratings", "recompute", "--check"])

    assert result.exit_code == 1
    assert f"{agencies[0].credit_code} as of 2026-09-28: agency row does not mirror" in (
        result.output
    )
    bad = runner.invoke(args=["ratings", "recompute", "--check", "--as-of", "2026-09-28"])
    assert bad.exit_code == 2


def test_recompute_writes_the_agency_rows_that_do_not_mirror_their_result(
    world, evidence, make_agency
):
    agencies = rated_agencies(world, evidence, make_agency)
    db.session.execute(update(Agency).where(Agency.id == agencies[1].id).values(stars=1))
    db.session.commit()

    report = recompute_all(TODAY)
    db.session.commit()

    assert report.changed == 0  # the result itself did not change
    assert check() == []


MONTHS = RatingMonth.__table__


def kept_months(agency) -> list[tuple]:
    return sorted(
        db.session.execute(
            select(
                MONTHS.c.month,
                MONTHS.c.reviews,
                MONTHS.c.review_points,
                MONTHS.c.confirmed,
                MONTHS.c.overdue,
            ).where(MONTHS.c.agency_id == agency.id)
        ).all()
    )


def _of(agency, day: date):
    return (MONTHS.c.agency_id == agency.id) & (MONTHS.c.month == month_index(day))


TAMPERING = {
    "a review figure": lambda agency: (
        update(MONTHS)
        .where(_of(agency, date(2026, 7, 1)))
        .values(review_points=MONTHS.c.review_points + 1)
    ),
    "a confirmed figure": lambda agency: (
        update(MONTHS).where(_of(agency, date(2026, 8, 1))).values(overdue=1)
    ),
    "a month without evidence": lambda agency: MONTHS.insert().values(
        agency_id=agency.id,
        month=month_index(date(2026, 5, 1)),
        reviews=0,
        review_points=0,
        confirmed=2,
        overdue=0,
    ),
    "a missing month": lambda agency: MONTHS.delete().where(_of(agency, date(2026, 9, 1))),
    "every month": lambda agency: MONTHS.delete().where(MONTHS.c.agency_id == agency.id),
}


@pytest.mark.parametrize("tampered", TAMPERING)
def test_recompute_as_of_today_rebuilds_the_monthly_rows_that_differ_from_the_evidence(
    world, evidence, make_agency, tampered
):
    agencies = rated_agencies(world, evidence, make_agency)
    kept = {agency.id: kept_months(agency) for agency in agencies}
    assert len(kept[agencies[1].id]) == 3  # the hook kept a row for each month reviewed
    db.session.execute(TAMPERING[tampered](agencies[1]))
    db.session.commit()
    assert kept_months(agencies[1]) != kept[agencies[1].id]

    recompute_all(TODAY)
    db.session.commit()

    assert {agency.id: kept_months(agency) for agency in agencies} == kept


def read_in_threads(monkeypatch) -> list[str]:
    """Small batches, and the names of the threads that read a batch ahead."""
    threads: list[str] = []
    read = recompute.read_evidence

    def spied(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return read(*args, **kwargs)

    monkeypatch.setattr(recompute, "BATCH", 2)
    monkeypatch.setattr(recompute, "read_evidence", spied)
    return threads


def stored(agencies) -> dict:
    found = latest_snapshots([agency.id for agency in agencies])
    return {agency_id: result.key() for agency_id, result in found.items()}


def test_reading_ahead_stores_what_reading_in_turn_stores(
    world, evidence, make_agency, monkeypatch
):
    agencies = rated_agencies(world, evidence, make_agency)
    agencies += [make_agency("active") for _ in range(3)]
    evidence.inspection(agencies[4], date(2026, 5, 1), 70)
    db.session.execute(TAMPERING["a review figure"](agencies[1]))
    db.session.execute(RatingSnapshot.__table__.delete())
    db.session.commit()
    kept = kept_months(agencies[0])
    threads = read_in_threads(monkeypatch)

    report = recompute_all(TODAY, read_ahead=True)
    db.session.commit()

    assert report.total == len(agencies)
    assert len(threads) == 3
    assert all(name.startswith("rating-reader") for name in threads)
    ahead = stored(agencies)
    assert len(ahead) == len(agencies)
    assert kept_months(agencies[0]) == kept  # the monthly rows were checked ahead too
    db.session.execute(RatingSnapshot.__table__.delete())
    db.session.commit()
    recompute_all(TODAY)  # in turn
    db.session.commit()
    assert stored(agencies) == ahead
    threads.clear()
    assert check(read_ahead=True) == []
    assert len(threads) == 3


def test_a_change_not_yet_committed_is_read_in_turn(world, evidence, make_agency, monkeypatch):
    agencies = rated_agencies(world, evidence, make_agency)
    threads = read_in_threads(monkeypatch)
    before = agency_row(agencies[2]).rating_status
    for day in (date(2026, 7, 2), date(2026, 8, 2), date(2026, 9, 2)):
        evidence.review(agencies[2], day, (5, 5, 5, 5), commit=False)

    recompute_all(TODAY, read_ahead=True)

    assert threads == []  # a second connection would not have seen the new reviews
    assert (before, agency_row(agencies[2]).rating_status) == ("unrated", "rated")
