"""Results stored: the incremental path in the same commit, snapshots only on change,
overrides replacing the stars but never the components."""

from datetime import date

from flask_babel import force_locale

from ratings.engagements import reviews as review_services
from ratings.engagements.reviews import ReviewDetails
from ratings.overrides.models import RatingOverride
from ratings.results.services import refresh_ratings
from registry.db import db
from tests.ratings.results.conftest import TODAY, agency_row, snapshots_of


def test_a_review_posted_through_the_service_rates_the_agency_in_the_same_commit(world, evidence):
    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 80)
    evidence.review(agency, date(2026, 8, 1), (5, 5, 5, 5))
    evidence.review(agency, date(2026, 8, 2), (5, 5, 5, 5))
    assert (agency_row(agency).rating_status, agency_row(agency).score) == ("rated", 80)
    engagement = evidence.engagement(agency, start=date(2026, 9, 1), confirmed=date(2026, 9, 20))
    db.session.commit()

    with force_locale("en"):
        review_services.write_review(
            world.enterprise_user, engagement, ReviewDetails(1, 1, 1, 1, "很差")
        )
    db.session.commit()

    row = agency_row(agency)
    latest = snapshots_of(agency)[-1]
    assert latest.components["counts"]["reviews"] == 3
    assert latest.components["reviews"]["value"] is not None
    assert row.score == latest.score != 80
    assert row.rating_as_of == TODAY


def test_a_snapshot_is_written_only_when_the_result_changes(world, evidence):
    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 95)
    before = len(snapshots_of(agency))

    assert refresh_ratings([agency.id], TODAY) == 0
    assert refresh_ratings([agency.id], date(2026, 9, 29)) == 0  # no decay of an inspection
    db.session.commit()

    assert len(snapshots_of(agency)) == before
    # The row mirrors the latest snapshot: a refresh that changed nothing writes nothing.
    assert agency_row(agency).rating_as_of == snapshots_of(agency)[-1].as_of


def test_changes_that_cannot_move_a_rating_refresh_nothing(world, evidence):
    agency = world.agency
    review = evidence.review(agency, date(2026, 9, 1))
    before = len(snapshots_of(agency))
    review.reply = "感谢评价。"
    db.session.commit()

    assert db.session.info.get("ratings.pending_agencies") is None
    assert len(snapshots_of(agency)) == before


def test_an_approved_override_replaces_the_stars_and_keeps_the_components(
    world, evidence, make_account
):
    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 50)
    computed = snapshots_of(agency)[-1]
    regulator = make_account("regulator")
    override = RatingOverride(
        agency_id=agency.id,
        state="approved",
        stars=4,
        reason="整改到位，经复核调整。",
        ends_on=date(2026, 12, 31),
        proposed_by_id=regulator.id,
        starts_on=date(2026, 9, 1),
    )
    db.session.add(override)
    db.session.commit()

    latest = snapshots_of(agency)[-1]
    assert (latest.stars, latest.computed_stars, latest.override_id) == (4, 2, override.id)
    assert latest.components == computed.components
    assert agency_row(agency).stars == 4

    evidence.listing(agency, date(2026, 9, 1), date(2027, 8, 31))
    latest = snapshots_of(agency)[-1]
    assert (latest.status, latest.stars, latest.override_id) == ("blacklisted", None, None)


def test_an_agency_without_a_valid_commitment_is_capped_at_three_stars(
    world, evidence, commit_letter
):
    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 95)
    assert (agency_row(agency).stars, snapshots_of(agency)[-1].caps) == (
        3,
        ["no_valid_commitment"],
    )
    commit_letter(agency, world.agency_user)

    assert agency_row(agency).stars == 5
    assert snapshots_of(agency)[-1].caps == []
