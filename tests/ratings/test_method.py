"""The rating method v1 as pure functions: worked cases and the properties DESIGN.md §5 promises."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings.method import (
    METHOD_V1,
    Evidence,
    MonthBucket,
    RatingStatus,
    rate,
    recency,
    stars_for,
)

ages = st.integers(min_value=0, max_value=30)


@st.composite
def buckets(draw, low: int, high: int):
    """Month buckets of scores between low and high (per review)."""
    result = []
    for _ in range(draw(st.integers(0, 5))):
        count = draw(st.integers(1, 6))
        total = sum(draw(st.integers(low, high)) for _ in range(count))
        result.append(MonthBucket(draw(ages), count, total))
    return tuple(result)


@st.composite
def evidence(draw):
    confirmed = draw(st.integers(0, 20))
    return Evidence(
        reviews=draw(buckets(4, 20)),
        evaluations=draw(buckets(1, 5)),
        inspection=draw(st.none() | st.integers(0, 100)),
        complaints={severity: draw(buckets(1, 1)) for severity in ("minor", "major", "serious")},
        confirmed_engagements=confirmed,
        overdue_engagements=draw(st.integers(0, confirmed)),
        overcharges=draw(st.integers(0, 5)),
        committed=draw(st.booleans()),
        blacklisted=draw(st.booleans()),
    )


def reviews(*scores: int, age: int = 0) -> tuple[MonthBucket, ...]:
    """Reviews of one month, each given by the total of its four scores (4-20)."""
    return (MonthBucket(age, len(scores), sum(scores)),)


def test_fewer_than_three_reviews_and_no_inspection_is_unrated():
    result = rate(Evidence(reviews=reviews(20, 20)))
    assert result.status == RatingStatus.UNRATED
    assert result.stars is None


def test_a_worked_example_with_reviews_an_inspection_and_a_complaint():
    result = rate(
        Evidence(
            reviews=reviews(20, 20, 16, 16),  # means 5, 5, 4, 4
            inspection=90,
            complaints={"major": (MonthBucket(12, 1, 1),)},
        )
    )
    # R = (5 x 62.5 + 2 x 100 + 2 x 75) / 9 = 73.6111; base = 0.6 R + 0.4 x 90 = 80.1667
    assert result.components["reviews"]["value"] == pytest.approx(73.6111, abs=1e-4)
    assert result.components["base"] == pytest.approx(80.1667, abs=1e-4)
    # A major complaint a year old counts half: 15 x 0.5 = 7.5 points.
    assert result.components["penalties"]["complaints"] == 7.5
    assert result.score == pytest.approx(72.67, abs=0.01)
    assert result.stars == 3


def test_an_uncommitted_agency_has_at_most_three_stars():
    strong = Evidence(reviews=reviews(*[20] * 15), inspection=100)
    assert rate(strong).stars == 5
    capped = rate(replace(strong, committed=False))
    assert capped.stars == 3
    assert capped.caps == ("no_valid_commitment",)


def test_evidence_outside_the_window_does_not_count():
    assert recency(24, METHOD_V1) == 0
    assert recency(12, METHOD_V1) == 0.5
    old = Evidence(reviews=reviews(4, 4, 4, age=30))
    assert rate(old).status == RatingStatus.UNRATED


@pytest.mark.parametrize(
    ("score", "stars"), [(100, 5), (90, 5), (89.99, 4), (75, 4), (60, 3), (40, 2), (39.9, 1)]
)
def test_stars_follow_the_thresholds(score, stars):
    assert stars_for(score) == stars


@settings(max_examples=300, deadline=None)
@given(evidence(), st.sampled_from(["minor", "major", "serious"]), ages)
def test_a_substantiated_complaint_never_raises_the_stars(before, severity, age):
    complaints = dict(before.complaints)
    complaints[severity] = (*complaints.get(severity, ()), MonthBucket(age, 1, 1))
    after = replace(before, complaints=complaints)
    assert (rate(after).stars or 0) <= (rate(before).stars or 0)
    if rate(before).score is not None:
        assert rate(after).score <= rate(before).score


@settings(max_examples=300, deadline=None)
@given(evidence(), ages)
def test_a_five_score_review_never_lowers_the_review_component(before, age):
    after = replace(before, reviews=(*before.reviews, MonthBucket(age, 1, 20)))
    old, new = (rate(e).components["reviews"]["value"] for e in (before, after))
    if old is not None:
        assert new >= old - 1e-9


@settings(max_examples=200, deadline=None)
@given(evidence())
def test_blacklisted_means_no_stars_and_uncommitted_means_at_most_three(case):
    result = rate(case)
    if case.blacklisted:
        assert result.status == RatingStatus.BLACKLISTED
        assert result.stars is None
    elif not case.committed and result.stars is not None:
        assert result.stars <= 3
    assert rate(case) == result  # deterministic
