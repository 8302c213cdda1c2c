"""Storing rating results: compute, apply an override in force, snapshot what changed, and
mirror the result on the agency row (ratings.results.hooks calls it for every change of
evidence, in the same transaction).

A result depends only on the agency's own evidence and the day (the Bayesian prior is a
constant), so refreshing one agency never makes another stale. The nightly recompute
(ratings.results.recompute) refreshes every agency, because time decay alone moves results.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ratings.method import RatingStatus, Result, rate
from ratings.overrides.models import RatingOverride
from ratings.overrides.queries import overrides_in_force
from ratings.results.configured import current_method
from ratings.results.evidence import BATCH, evidence_for, month_index
from ratings.results.hooks import DELTAS, REFRESHING
from ratings.results.models import RatingMonth, RatingSnapshot
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db, utcnow


@dataclass(frozen=True)
class Stored:
    """One agency's result as stored: what a snapshot records, comparable as a whole."""

    status: str
    stars: int | None
    computed_stars: int | None
    score: float | None
    components: dict
    caps: list
    override_id: int | None
    method_version: str

    def key(self) -> tuple:
        """Everything stored, comparable: the score as stored (two decimals); components
        are plain JSON values (dicts, numbers, None), equal after a round trip."""
        score = None if self.score is None else round(float(self.score), 2)
        return (
            self.status,
            self.stars,
            self.computed_stars,
            score,
            self.components,
            tuple(self.caps),
            self.override_id,
            self.method_version,
        )


def stored_result(result: Result, override: RatingOverride | None) -> Stored:
    """The result to store: an approved override in force replaces the stars shown (and makes
    the agency rated) unless it is blacklisted; the components stay the method's."""
    stars, status, override_id = result.stars, result.status.value, None
    if override is not None and result.status != RatingStatus.BLACKLISTED:
        stars, status, override_id = override.stars, RatingStatus.RATED.value, override.id
    return Stored(
        status=status,
        stars=stars,
        computed_stars=result.stars,
        score=result.score,
        components=result.components,
        caps=list(result.caps),
        override_id=override_id,
        method_version=result.method_version,
    )


def fresh_results(
    agency_ids: list[int] | None,
    as_of: date,
    *,
    maintained: bool = False,
    months_out: list | None = None,
) -> dict[int, Stored]:
    """Each agency's result as of a day, computed now (nothing stored)."""
    method = current_method()
    evidence = evidence_for(agency_ids, as_of, maintained=maintained, months_out=months_out)
    overrides = overrides_in_force(list(evidence), as_of)
    return {
        agency_id: stored_result(rate(facts, method), overrides.get(agency_id))
        for agency_id, facts in evidence.items()
    }


def latest_snapshots(agency_ids: list[int]) -> dict[int, Stored]:
    """Each agency's latest stored result (its last snapshot written), read as plain rows."""
    if not agency_ids:
        return {}
    table = RatingSnapshot.__table__
    latest = (
        select(func.max(table.c.id))
        .where(table.c.agency_id.in_(agency_ids))
        .group_by(table.c.agency_id)
    )
    columns = [table.c[name] for name in Stored.__dataclass_fields__]
    rows = db.session.execute(select(table.c.agency_id, *columns).where(table.c.id.in_(latest)))
    return {row[0]: Stored(*row[1:]) for row in rows}


def refresh_ratings(
    agency_ids: list[int] | None, as_of: date | None = None, *, maintained: bool = False
) -> int:
    """Recompute the agencies' results as of a day (today by default), write a snapshot for
    each whose result changed, and mirror every result on its agency row. Inside the
    current transaction; the caller commits. Returns how many results changed.

    maintained (the session hook's way, as of today): reviews and confirmed engagements come
    from the monthly rows the hook keeps. Otherwise they come from the evidence rows, and
    when rating as of today the agencies' monthly rows are rebuilt from them.
    """
    today = local_today()
    as_of = as_of or today
    session = db.session()
    session.flush()  # noted by the hook before it stands aside
    refreshing = session.info.get(REFRESHING)
    session.info[REFRESHING] = True
    try:
        months = [] if not maintained and as_of == today else None
        results = fresh_results(agency_ids, as_of, maintained=maintained, months_out=months)
        if months is not None:
            first_month = month_index(as_of) - current_method()["window_months"] + 1
            _rebuild_months(list(results), months, first_month)
        return _store(results, as_of)
    finally:
        session.info[REFRESHING] = refreshing


def apply_month_deltas(deltas: dict) -> None:
    """Add the hook's changes to the monthly rows (an upsert per agency and month)."""
    rows = [
        dict(
            agency_id=key[0],
            month=key[1],
            reviews=values[0],
            review_points=values[1],
            confirmed=values[2],
            overdue=values[3],
        )
        for key, values in sorted(deltas.items())
        if any(values)
    ]
    if not rows:
        return
    table = RatingMonth.__table__
    insert_ = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert_(table).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["agency_id", "month"],
            set_={name: table.c[name] + statement.excluded[name] for name in COUNTED},
        )
    )


def _rebuild_months(agency_ids: list[int], rows: list[dict], first_month: int) -> None:
    """Make the agencies' monthly rows say what their evidence rows say; only the agencies
    whose rows differ are rewritten (after the first run, usually none). Changes the hook
    noted so far are in the evidence rows, so they are not added again."""
    table = RatingMonth.__table__
    wanted: dict[int, set] = defaultdict(set)
    for row in rows:
        wanted[row["agency_id"]].add(_month_key(row))
    have: dict[int, set] = defaultdict(set)
    for start in range(0, len(agency_ids), BATCH):
        chunk = agency_ids[start : start + BATCH]
        found = db.session.execute(
            select(table).where(table.c.agency_id.between(chunk[0], chunk[-1]))
        ).mappings()
        members = set(chunk)
        for row in found:
            counted = any(row[name] for name in COUNTED)
            if row["agency_id"] in members and counted and row["month"] >= first_month:
                have[row["agency_id"]].add(_month_key(row))
    stale = sorted(agency_id for agency_id in agency_ids if wanted[agency_id] != have[agency_id])
    for start in range(0, len(stale), BATCH):
        db.session.execute(
            table.delete().where(table.c.agency_id.in_(stale[start : start + BATCH]))
        )
    rewritten = set(stale)
    new_rows = [row for row in rows if row["agency_id"] in rewritten]
    if new_rows:
        db.session.execute(table.insert(), new_rows)
    deltas = db.session.info.get(DELTAS)
    if deltas:
        rebuilt = set(agency_ids)
        for key in [key for key in deltas if key[0] in rebuilt]:
            del deltas[key]


COUNTED = ("reviews", "review_points", "confirmed", "overdue")


def _month_key(row) -> tuple:
    return (row["month"], *(row[name] for name in COUNTED))


def _store(results: dict[int, Stored], as_of: date) -> int:
    """Snapshots for the changed results and the agency rows, in bulk statements."""
    ids = list(results)
    previous = {agency_id: stored.key() for agency_id, stored in latest_snapshots(ids).items()}
    now = utcnow()
    snapshots = [
        {
            "agency_id": agency_id,
            "as_of": as_of,
            "computed_at": now,
            **result.__dict__,
        }
        for agency_id, result in results.items()
        if previous.get(agency_id) != result.key()
    ]
    if snapshots:
        db.session.execute(RatingSnapshot.__table__.insert(), snapshots)
    if ids:
        db.session.execute(
            update(Agency.__table__).where(Agency.__table__.c.id == bindparam("agency_id")),
            [
                {
                    "agency_id": agency_id,
                    "stars": result.stars,
                    "rating_status": result.status,
                    "score": result.score,
                    "rating_as_of": as_of,
                }
                for agency_id, result in results.items()
            ],
        )
        _expire_agencies(ids)
    return len(snapshots)


def _expire_agencies(ids: list[int]) -> None:
    """Agency rows already loaded in the session read the new rating columns again."""
    session = db.session()
    wanted = set(ids)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Agency) and instance.id in wanted:
            session.expire(instance, ["stars", "rating_status", "score", "rating_as_of"])
