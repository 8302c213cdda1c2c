"""The full recompute (nightly, and `flask ratings recompute`) and its check.

Both work set-wise on batches of agencies: one evidence_for per batch (a few grouped SQL
statements read as plain tuples), the method in memory, bulk inserts of the changed
snapshots and a bulk update of the agency rows whose mirrored rating changed; the monthly
rows are compared set-wise and rewritten only for agencies whose totals differ. They call
the same refresh as the incremental hook, so both paths give the same result for the same
evidence and day.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ratings.results.evidence import BATCH
from ratings.results.hooks import PENDING, UNKNOWN
from ratings.results.services import Stored, fresh_results, latest_snapshots, refresh_ratings
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db


@dataclass
class Report:
    total: int = 0
    changed: int = 0


@dataclass(frozen=True)
class Mismatch:
    """An agency whose stored result is not what its evidence gives as of the stored date."""

    agency_id: int
    credit_code: str
    as_of: date | None
    problems: tuple[str, ...] = field(default=())


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def recompute_all(as_of: date, progress: Callable[[int], None] | None = None) -> Report:
    """Every agency's result as of a day; snapshots where a result changed. The caller
    commits. progress(n) is told after each batch how many agencies it held."""
    ids = list(db.session.execute(select(Agency.id).order_by(Agency.id)).scalars())
    if as_of == local_today():
        # Every change flushed so far is covered: the commit need not refresh them again.
        for key in (PENDING, UNKNOWN):
            db.session.info.pop(key, None)
    report = Report()
    for batch in _batches(ids):
        report.changed += refresh_ratings(batch, as_of)
        report.total += len(batch)
        if progress is not None:
            progress(len(batch))
    return report


def check(progress: Callable[[int], None] | None = None) -> list[Mismatch]:
    """Agencies whose stored result differs from a fresh computation as of the stored
    result's own date (agency.rating_as_of), or that have none, or whose agency row does not
    mirror it. Reads only."""
    rows = db.session.execute(
        select(
            Agency.id,
            Agency.credit_code,
            Agency.rating_as_of,
            Agency.stars,
            Agency.rating_status,
            Agency.score,
        ).order_by(Agency.id)
    ).all()
    by_day: dict[date | None, list] = defaultdict(list)
    for row in rows:
        by_day[row.rating_as_of].append(row)
    found = [
        Mismatch(row.id, row.credit_code, None, ("no stored result",))
        for row in by_day.pop(None, [])
    ]
    for day, day_rows in sorted(by_day.items()):
        for batch in _batches(day_rows):
            found += _check_batch(batch, day)
            if progress is not None:
                progress(len(batch))
    return sorted(found, key=lambda mismatch: mismatch.agency_id)


def _check_batch(rows: list, day: date) -> list[Mismatch]:
    ids = [row.id for row in rows]
    stored = latest_snapshots(ids)
    fresh = fresh_results(ids, day)
    found = []
    for row in rows:
        problems = _differences(row, stored.get(row.id), fresh.get(row.id))
        if problems:
            found.append(Mismatch(row.id, row.credit_code, day, tuple(problems)))
    return found


def _differences(row, stored: Stored | None, fresh: Stored | None) -> list[str]:
    if stored is None:
        return ["no stored result"]
    problems = []
    if fresh is not None and stored.key() != fresh.key():
        fields_ = [
            name
            for name in Stored.__dataclass_fields__
            if _field(stored, name) != _field(fresh, name)
        ]
        problems.append("stored result differs in " + ", ".join(fields_))
    mirrored = (row.stars, row.rating_status, _rounded(row.score))
    if mirrored != (stored.stars, stored.status, _rounded(stored.score)):
        problems.append("agency row does not mirror the stored result")
    return problems


def _field(result: Stored, name: str):
    value = getattr(result, name)
    return _rounded(value) if name == "score" else value


def _rounded(score) -> float | None:
    return None if score is None else round(float(score), 2)
