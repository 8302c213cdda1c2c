"""The rating method (DESIGN.md §5), as pure functions from an agency's evidence to a result.

Nothing here reads the database or the clock: `rate(evidence, method)` is the whole method,
so the incremental update, the full recompute, the profile's breakdown and the public
methodology page all call the same function and cannot disagree.

Evidence arrives in calendar-month buckets (how many reviews, the sum of their scores, per
month of age), so the cost of rating an agency does not grow with its number of reviews
and integer sums make every path add up exactly. Recency weight: a month's evidence counts
0.5 ** (age in months / half-life); evidence older than the window does not count.

Method v1:
- Review component R (0-100): a Bayesian average of review means (1-5, mapped to 0-100)
  with a fixed prior (`prior_mean` worth `prior_weight` reviews), recency-weighted;
  supervisor evaluations count as reviews of weight `supervisor_weight`.
- Inspection component I (0-100): the latest inspection in the window.
- Base: `weights` of R and I when both exist, else whichever exists. R exists from
  `min_reviews` reviews and evaluations; with neither R nor I the agency is unrated.
- Penalties: substantiated complaints by severity, decayed, at most `complaint_max`;
  the overdue share of confirmed engagements x `overdue_share`; overcharges, each
  `overcharge`, at most `overcharge_max`.
- Score: clamp(base - penalties, 0, 100); stars from `star_thresholds`, else 1.
- Caps: no valid commitment, at most `uncommitted_max_stars`; blacklisted, no stars.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

SEVERITIES = ("minor", "major", "serious")

METHOD_V1 = {
    "version": "v1",
    "window_months": 24,
    "half_life_months": 12,
    "prior_mean": 3.5,
    "prior_weight": 5,
    "supervisor_weight": 2,
    "min_reviews": 3,
    "weights": {"reviews": 0.6, "inspection": 0.4},
    "complaint_penalty": {"minor": 5, "major": 15, "serious": 30},
    "complaint_max": 60,
    "overdue_share": 20,
    "overcharge": 10,
    "overcharge_max": 30,
    "star_thresholds": [[90, 5], [75, 4], [60, 3], [40, 2]],
    "uncommitted_max_stars": 3,
}


class RatingStatus(StrEnum):
    RATED = "rated"
    UNRATED = "unrated"
    BLACKLISTED = "blacklisted"


@dataclass(frozen=True)
class MonthBucket:
    """Evidence of one calendar month: `age` months before the rating's month."""

    age: int
    count: int
    total: int  # the sum of the scores (1-5), or of the severities' counts for complaints


@dataclass(frozen=True)
class Evidence:
    """What the method reads about one agency, as of one day."""

    reviews: tuple[MonthBucket, ...] = ()  # each review's mean x 4: total of its 4 scores
    evaluations: tuple[MonthBucket, ...] = ()  # supervisor scores 1-5
    inspection: int | None = None  # the latest in the window, 0-100
    complaints: dict[str, tuple[MonthBucket, ...]] = field(default_factory=dict)
    confirmed_engagements: int = 0
    overdue_engagements: int = 0
    overcharges: int = 0
    committed: bool = True
    blacklisted: bool = False


@dataclass(frozen=True)
class Result:
    status: RatingStatus
    stars: int | None
    score: float | None
    components: dict
    caps: tuple[str, ...]
    method_version: str


def rate(evidence: Evidence, method: dict = METHOD_V1) -> Result:
    """The agency's grade and every figure that produced it."""
    components = _components(evidence, method)
    version = method["version"]
    if evidence.blacklisted:
        return Result(RatingStatus.BLACKLISTED, None, None, components, ("blacklisted",), version)
    base = components["base"]
    if base is None:
        return Result(RatingStatus.UNRATED, None, None, components, (), version)
    penalties = components["penalties"]
    score = round(min(100.0, max(0.0, base - sum(penalties.values()))), 2)
    stars = stars_for(score, method)
    caps: tuple[str, ...] = ()
    if not evidence.committed and stars > method["uncommitted_max_stars"]:
        stars, caps = method["uncommitted_max_stars"], ("no_valid_commitment",)
    return Result(RatingStatus.RATED, stars, score, components, caps, version)


def stars_for(score: float, method: dict = METHOD_V1) -> int:
    for threshold, stars in method["star_thresholds"]:
        if score >= threshold:
            return stars
    return 1


def recency(age: int, method: dict) -> float:
    """How much a month's evidence counts at `age` months; nothing beyond the window."""
    if age < 0 or age >= method["window_months"]:
        return 0.0
    return 0.5 ** (age / method["half_life_months"])


@lru_cache(maxsize=16)
def _recency_table(window: int, half_life: float) -> tuple[float, ...]:
    """recency() of every age in the window, computed once (the same expression, so the
    same values): the full recompute rates every agency, and this is its inner loop."""
    return tuple(0.5 ** (age / half_life) for age in range(window))


def _weights(method: dict) -> tuple[float, ...]:
    return _recency_table(method["window_months"], method["half_life_months"])


def _components(evidence: Evidence, method: dict) -> dict:
    review = _review_component(evidence, method)
    inspection = evidence.inspection
    weights = method["weights"]
    if review["value"] is not None and inspection is not None:
        base = weights["reviews"] * review["value"] + weights["inspection"] * inspection
    else:
        base = review["value"] if review["value"] is not None else inspection
    return {
        "reviews": review,
        "inspection": inspection,
        "base": None if base is None else round(base, 4),
        "penalties": {
            "complaints": _complaint_penalty(evidence, method),
            "overdue": _overdue_penalty(evidence, method),
            "overcharges": min(
                method["overcharge_max"], method["overcharge"] * evidence.overcharges
            ),
        },
        "counts": {
            "reviews": _count(evidence.reviews, method),
            "evaluations": _count(evidence.evaluations, method),
            "complaints": {
                severity: _count(evidence.complaints.get(severity, ()), method)
                for severity in SEVERITIES
            },
            "confirmed_engagements": evidence.confirmed_engagements,
            "overdue_engagements": evidence.overdue_engagements,
            "overcharges": evidence.overcharges,
        },
    }


def _review_component(evidence: Evidence, method: dict) -> dict:
    """Bayesian, recency-weighted average on 0-100; None below `min_reviews`."""
    weight = method["prior_weight"]
    points = method["prior_weight"] * _percent(method["prior_mean"])
    weights = _weights(method)
    window = len(weights)
    for bucket in evidence.reviews:
        age = bucket.age
        w = weights[age] if 0 <= age < window else 0.0
        weight += w * bucket.count
        points += w * _percent_sum(bucket.total / 4, bucket.count)
    for bucket in evidence.evaluations:
        age = bucket.age
        w = (weights[age] if 0 <= age < window else 0.0) * method["supervisor_weight"]
        weight += w * bucket.count
        points += w * _percent_sum(bucket.total, bucket.count)
    counted = _count(evidence.reviews, method) + _count(evidence.evaluations, method)
    value = round(points / weight, 4) if counted >= method["min_reviews"] else None
    return {"value": value, "weight": round(weight, 4), "prior": method["prior_mean"]}


def _complaint_penalty(evidence: Evidence, method: dict) -> float:
    total = 0.0
    for severity, buckets in evidence.complaints.items():
        each = method["complaint_penalty"][severity]
        total += sum(each * bucket.count * recency(bucket.age, method) for bucket in buckets)
    return round(min(method["complaint_max"], total), 4)


def _overdue_penalty(evidence: Evidence, method: dict) -> float:
    if not evidence.confirmed_engagements:
        return 0.0
    share = evidence.overdue_engagements / evidence.confirmed_engagements
    return round(method["overdue_share"] * share, 4)


def _count(buckets, method) -> int:
    """The evidence counted (recency above 0) in the buckets."""
    if not buckets:
        return 0
    weights = _weights(method)
    window = len(weights)
    total = 0
    for bucket in buckets:
        age = bucket.age
        if 0 <= age < window and weights[age] > 0:
            total += bucket.count
    return total


def _percent(score: float) -> float:
    """A 1-5 score on the 0-100 scale."""
    return (score - 1) * 25


def _percent_sum(score_total: float, count: int) -> float:
    """The 0-100 values of `count` scores whose 1-5 values add up to score_total."""
    return (score_total - count) * 25
