"""The demo's ratings: a year of history, then every agency rated as of today.

The demo's evidence is dated over the past two years, so rating it as of the end of each of
the last 13 months, oldest first, gives the history a registry that had been running would
have: the profile's chart has a course and the red list (12 months at ★5) can be met. The
history is written once, into a database without past results; a second load only rates
as of today, which changes nothing.
"""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import delete, exists, select

from ratings.results.models import RatingSnapshot
from ratings.results.recompute import recompute_all
from registry.dates import local_today
from registry.db import db

HISTORY_MONTHS = 13


def load(seed: int, counts: Counter) -> None:
    """Rate every agency (the last rating step); snapshots only where results changed."""
    today = local_today()
    if not db.session.scalar(select(exists().where(RatingSnapshot.as_of < today))):
        # Results the demo's own writes left as of today would come before the history.
        db.session.execute(delete(RatingSnapshot))
        for day in month_ends_before(today, HISTORY_MONTHS):
            counts["rating results"] += recompute_all(day).changed
    report = recompute_all(today)
    if report.changed:
        counts["rating results"] += report.changed


def month_ends_before(today: date, months: int) -> list[date]:
    """The last days of the `months` calendar months before today's, oldest first."""
    ends = []
    day = today.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends[::-1]
