"""The full recompute (nightly, and `flask ratings recompute`) and its check.

Both work set-wise on batches of agencies: one evidence_for per batch (a few grouped SQL
statements read as plain tuples), the method in memory, bulk inserts of the changed
snapshots and a bulk update of the agency rows whose mirrored rating changed; the monthly
rows are compared set-wise and rewritten only for agencies whose totals differ. They call
the same refresh as the incremental hook, so both paths give the same result for the same
evidence and day.
"""

import gc
import json
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.results.configured import current_method
from ratings.results.evidence import BATCH, Reading, read_evidence
from ratings.results.hooks import DELTAS, PENDING, UNKNOWN
from ratings.results.models import RatingRun, result_day
from ratings.results.queries import latest_run_day
from ratings.results.services import (
    Stored,
    fresh_results,
    json_texts,
    latest_snapshot_rows,
    refresh_ratings,
    unchanged,
    unmirrored,
)
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, reading_only, utcnow

describe(
    actions={"rating_run.finished": _l("Every agency's rating recomputed")},
    objects={"rating_run": _l("Rating run")},
)


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


@contextmanager
def collector_paused():
    """The cyclic garbage collector paused for a full run: rating every agency makes
    millions of short-lived tuples and lists (grouped rows, buckets, results), none in a
    reference cycle, and the collections they set off cost a quarter of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def nothing_pending() -> bool:
    """The session holds no change a second connection could not see: no unflushed objects
    and no flushed evidence change waiting for its commit (the hook's notes); and the
    database is not one in memory, which a second connection would not share."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return False
    if any(session.info.get(key) for key in (PENDING, UNKNOWN, DELTAS)):
        return False
    return db.engine.url.database not in (None, "", ":memory:")


def readings(jobs: list[tuple[list[int], date, bool]], ahead: bool):
    """Each job's (agency ids, as of, checked against the monthly rows) evidence rows, in
    order; None where the job is to read them itself (not ahead, or a single job).

    Ahead, a thread reads job n + 1 on a connection of its own while the caller rates job n:
    the database aggregates (SQLite releases the GIL while it steps; PostgreSQL works in its
    own process) while Python rates, which took the full recompute at 200,000 agencies from
    20 s to 11 s on PostgreSQL. The thread's connection reads committed rows only, which is
    why the caller must have committed, and never writes (SQLite: no write lock taken)."""
    if not ahead or len(jobs) < 2:
        yield from (None for _ in jobs)
        return
    app = current_app._get_current_object()

    def read(job: tuple[list[int], date, bool]) -> Reading:
        ids, day, checked = job
        with app.app_context(), reading_only(), db.engine.connect() as connection:
            return read_evidence(connection, ids, day, checked=checked)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rating-reader") as reader:
        pending = reader.submit(read, jobs[0])
        for job in jobs[1:]:
            reading = pending.result()
            pending = reader.submit(read, job)
            yield reading
        yield pending.result()


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def recompute_all(
    as_of: date, progress: Callable[[int], None] | None = None, *, read_ahead: bool = False
) -> Report:
    """Every agency's result as of a day; snapshots where a result changed, and the run
    recorded (it confirms the results it did not change). The caller commits. progress(n)
    is told after each batch how many agencies it held.

    read_ahead: the caller has committed every change (commands and the nightly job do), so
    a second connection, which sees only committed rows, may read each next batch's
    evidence while this one rates the batch before (see readings)."""
    started_at = utcnow()
    ahead = read_ahead and nothing_pending()
    ids = list(db.session.execute(select(Agency.id).order_by(Agency.id)).scalars())
    today = as_of == local_today()
    if today:
        # Every change flushed so far is covered: the commit need not refresh them again.
        for key in (PENDING, UNKNOWN):
            db.session.info.pop(key, None)
    report = Report()
    batches = list(_batches(ids))
    with collector_paused():
        jobs = [(batch, as_of, today) for batch in batches]
        for batch, reading in zip(batches, readings(jobs, ahead), strict=True):
            report.changed += refresh_ratings(batch, as_of, reading=reading)
            report.total += len(batch)
            if progress is not None:
                progress(len(batch))
    run = RatingRun(
        as_of=as_of,
        method_version=current_method()["version"],
        started_at=started_at,
        finished_at=utcnow(),
        agencies=report.total,
        changed=report.changed,
    )
    db.session.add(run)
    db.session.flush()
    record(
        "rating_run.finished",
        obj=run,
        details={
            "as_of": as_of.isoformat(),
            "method_version": run.method_version,
            "agencies": report.total,
            "changed": report.changed,
        },
    )
    return report


def check(
    progress: Callable[[int], None] | None = None, *, read_ahead: bool = False
) -> list[Mismatch]:
    """Agencies whose stored result differs from a fresh computation as of the day it holds
    as of (its own, or the latest run's when later: models.result_day), or that have none,
    or whose agency row does not mirror it. Reads only; read_ahead as for recompute_all."""
    ahead = read_ahead and nothing_pending()
    run_day = latest_run_day()
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
        by_day[result_day(row.rating_as_of, run_day)].append(row)
    found = [
        Mismatch(row.id, row.credit_code, None, ("no stored result",))
        for row in by_day.pop(None, [])
    ]
    batches = [
        (batch, day) for day, day_rows in sorted(by_day.items()) for batch in _batches(day_rows)
    ]
    jobs = [([row.id for row in batch], day, False) for batch, day in batches]
    with collector_paused():
        for (batch, day), reading in zip(batches, readings(jobs, ahead), strict=True):
            found += _check_batch(batch, day, reading)
            if progress is not None:
                progress(len(batch))
    return sorted(found, key=lambda mismatch: mismatch.agency_id)


def _check_batch(rows: list, day: date, reading: Reading | None) -> list[Mismatch]:
    ids = [row.id for row in rows]
    stored = latest_snapshot_rows(ids)
    fresh = fresh_results(ids, day, reading=reading)
    unmirrored_ids = unmirrored(ids)
    found = []
    for row in rows:
        problems = _differences(stored.get(row.id), fresh.get(row.id))
        if row.id in unmirrored_ids:
            problems.append("agency row does not mirror the stored result")
        if problems:
            found.append(Mismatch(row.id, row.credit_code, day, tuple(problems)))
    return found


def _differences(stored: tuple | None, fresh: Stored | None) -> list[str]:
    """What differs between a stored snapshot row (JSON as text) and a fresh result."""
    if stored is None:
        return ["no stored result"]
    if fresh is None or unchanged(fresh, stored, json_texts(fresh)):
        return []
    values = Stored(*stored[:4], json.loads(stored[4]), json.loads(stored[5]), *stored[6:])
    fields_ = [
        name for name in Stored.__dataclass_fields__ if _field(values, name) != _field(fresh, name)
    ]
    return ["stored result differs in " + ", ".join(fields_)]


def _field(result: Stored, name: str):
    value = getattr(result, name)
    return _rounded(value) if name == "score" else value


def _rounded(score) -> float | None:
    return None if score is None else round(float(score), 2)
