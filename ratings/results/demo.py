"""The demo's ratings: every agency rated as of today, after all the demo evidence exists."""

from collections import Counter

from ratings.results.recompute import recompute_all
from registry.dates import local_today


def load(seed: int, counts: Counter) -> None:
    """Rate every agency (the last demo step); stores snapshots only where results changed."""
    report = recompute_all(local_today())
    if report.changed:
        counts["rating results"] += report.changed
