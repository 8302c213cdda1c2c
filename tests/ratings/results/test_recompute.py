"""The full recompute and its check, as functions and as `flask ratings recompute`."""

from datetime import date

from sqlalchemy import update

from ratings.results.models import RatingSnapshot
from ratings.results.recompute import check, recompute_all
from registry.agencies.models import Agency
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
