"""Properties on random evidence: the incremental path (the session hook, commit by commit)
and the full recompute agree exactly, and a result is deterministic for a date."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ratings.assessments.models import Inspection
from ratings.engagements.models import Review
from ratings.overrides.models import RatingOverride
from ratings.results.recompute import recompute_all
from ratings.results.services import fresh_results, latest_snapshots
from registry.agencies.models import Agency
from registry.db import db
from tests.ratings.results.conftest import TODAY, local_moment

agency_index = st.integers(0, 1)
days_back = st.integers(0, 800)
score = st.integers(1, 5)
steps = st.one_of(
    st.tuples(st.just("review"), agency_index, days_back, st.tuples(score, score, score, score)),
    st.tuples(st.just("hide"), agency_index),
    st.tuples(st.just("inspection"), agency_index, days_back, st.integers(0, 100)),
    st.tuples(st.just("withdraw"), agency_index),
    st.tuples(st.just("evaluation"), agency_index, days_back, score),
    st.tuples(
        st.just("complaint"),
        agency_index,
        days_back,
        st.sampled_from(["minor", "major", "serious"]),
    ),
    st.tuples(st.just("engagement"), agency_index, days_back, st.integers(0, 2), st.booleans()),
    st.tuples(st.just("listing"), agency_index, st.integers(-30, 30)),
    st.tuples(st.just("override"), agency_index, st.integers(1, 5)),
    st.tuples(st.just("revoke"), agency_index),
)


def apply(step, agencies, evidence, regulator) -> None:
    kind, agency = step[0], agencies[step[1]]
    if kind == "review":
        evidence.review(agency, TODAY - timedelta(days=step[2]), step[3], commit=False)
    elif kind == "hide":
        review = db.session.scalar(
            select(Review).where(Review.agency_id == agency.id, Review.hidden_at.is_(None))
        )
        if review is not None:
            review.hidden_at, review.hidden_reason = local_moment(TODAY), "含个人信息"
    elif kind == "inspection":
        evidence.inspection(agency, TODAY - timedelta(days=step[2]), step[3])
    elif kind == "withdraw":
        inspection = db.session.scalar(
            select(Inspection).where(
                Inspection.agency_id == agency.id, Inspection.withdrawn_at.is_(None)
            )
        )
        if inspection is not None:
            inspection.withdrawn_at, inspection.withdraw_reason = local_moment(TODAY), "录入错误"
    elif kind == "evaluation":
        evidence.evaluation(agency, TODAY - timedelta(days=step[2]), step[3])
    elif kind == "complaint":
        evidence.complaint(agency, TODAY - timedelta(days=step[2]), step[3])
    elif kind == "engagement":
        day = TODAY - timedelta(days=step[2])
        evidence.engagement(
            agency, start=day, confirmed=day, late=step[3], overcharge=500 if step[4] else 0
        )
    elif kind == "listing":
        first = TODAY + timedelta(days=step[2])
        evidence.listing(agency, first, first + timedelta(days=60))
    elif kind == "override":
        db.session.add(
            RatingOverride(
                agency_id=agency.id,
                state="approved",
                stars=step[2],
                reason="复核调整",
                ends_on=TODAY + timedelta(days=30),
                proposed_by_id=regulator.id,
                starts_on=TODAY,
            )
        )
    elif kind == "revoke":
        for override in db.session.scalars(
            select(RatingOverride).where(RatingOverride.agency_id == agency.id)
        ):
            override.state = "revoked"


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(st.tuples(steps, st.booleans()), min_size=1, max_size=10))
def test_incremental_and_full_recompute_agree_exactly(
    world, evidence, make_agency, make_account, plan
):
    agencies = [make_agency("active"), make_agency("active")]
    regulator = make_account("regulator")
    for step, commit in plan:
        apply(step, agencies, evidence, regulator)
        if commit:
            db.session.commit()
    db.session.commit()
    ids = [agency.id for agency in agencies]

    stored = latest_snapshots(ids)
    fresh = fresh_results(ids, TODAY)
    rows = {row.id: row for row in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}

    assert {i: s.key() for i, s in stored.items()} == {i: f.key() for i, f in fresh.items()}
    for agency_id, result in fresh.items():
        db.session.refresh(rows[agency_id])
        assert (rows[agency_id].stars, rows[agency_id].rating_status) == (
            result.stars,
            result.status,
        )
    assert fresh_results(ids, TODAY) == fresh  # deterministic for a date
    assert recompute_all(TODAY).changed == 0  # the full recompute finds nothing to change
    db.session.rollback()


def test_results_for_a_past_date_ignore_later_evidence(world, evidence):
    agency = world.agency
    before = fresh_results([agency.id], date(2026, 8, 31))
    evidence.review(agency, date(2026, 9, 10), (1, 1, 1, 1))
    evidence.complaint(agency, date(2026, 9, 10), "serious")

    assert fresh_results([agency.id], date(2026, 8, 31)) == before
