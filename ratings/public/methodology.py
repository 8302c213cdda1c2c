"""The methodology page's worked examples: fixed evidence, rated by the engine itself.

Every figure the page shows comes from `rate()` (its Result and components) or from the
method's own functions (`recency`) on the method in force, so the page cannot drift from
the code that grades agencies. The evidence is fixed, not drawn from any agency.
"""

from dataclasses import dataclass, replace

from ratings.method import Evidence, MonthBucket, Result, rate, recency

# Example 1: 8 reviews over the last 3 months, an inspection of 82, one major substantiated
# complaint concluded 5 months ago, 10 confirmed engagements of which 1 was late, and a
# valid commitment letter. Each review's total is the sum of its 4 scores (1-5).
TYPICAL = Evidence(
    reviews=(
        MonthBucket(age=0, count=3, total=19 + 18 + 17),
        MonthBucket(age=1, count=3, total=20 + 18 + 16),
        MonthBucket(age=2, count=2, total=18 + 15),
    ),
    inspection=82,
    complaints={"major": (MonthBucket(age=5, count=1, total=1),)},
    confirmed_engagements=10,
    overdue_engagements=1,
    committed=True,
)

# Example 2: excellent evidence, but no valid commitment letter: the cap applies.
UNCOMMITTED = Evidence(
    reviews=(
        MonthBucket(age=0, count=4, total=4 * 20),
        MonthBucket(age=1, count=4, total=4 * 20),
    ),
    inspection=95,
    confirmed_engagements=6,
    overdue_engagements=0,
    committed=False,
)


@dataclass(frozen=True)
class ReviewMonth:
    """One month of the example's reviews as the method weighs it."""

    age: int
    count: int
    mean: float  # the mean score of the month's reviews, 1-5
    weight: float  # how much each review of that month counts (recency)


@dataclass(frozen=True)
class Example:
    evidence: Evidence
    result: Result
    months: tuple[ReviewMonth, ...]
    complaint_weights: dict  # severity -> [(age, count, recency)]
    committed_result: Result | None  # example 2: the same evidence with a valid letter


def worked_example(evidence: Evidence, method: dict) -> Example:
    months = tuple(
        ReviewMonth(
            age=bucket.age,
            count=bucket.count,
            mean=round(bucket.total / 4 / bucket.count, 2),
            weight=round(recency(bucket.age, method), 4),
        )
        for bucket in evidence.reviews
    )
    complaint_weights = {
        severity: [(b.age, b.count, round(recency(b.age, method), 4)) for b in buckets]
        for severity, buckets in evidence.complaints.items()
    }
    committed = None
    if not evidence.committed:
        committed = rate(_with_commitment(evidence), method)
    return Example(evidence, rate(evidence, method), months, complaint_weights, committed)


def _with_commitment(evidence: Evidence) -> Evidence:
    return replace(evidence, committed=True)


def examples(method: dict) -> tuple[Example, Example]:
    return worked_example(TYPICAL, method), worked_example(UNCOMMITTED, method)
