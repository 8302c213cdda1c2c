"""Storing rating results: compute, apply an override in force, snapshot what changed, and
mirror the result on the agency row (ratings.results.hooks calls it for every change of
evidence, in the same transaction).

A result depends only on the agency's own evidence and the day (the Bayesian prior is a
constant), so refreshing one agency never makes another stale. The nightly recompute
(ratings.results.recompute) refreshes every agency, because time decay alone moves results.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Select, Text, Update, and_, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ratings.method import RatingStatus, Result, rate
from ratings.overrides.models import RatingOverride
from ratings.overrides.queries import overrides_in_force
from ratings.results.configured import current_method
from ratings.results.evidence import (
    BATCH,
    MONTH_COLUMNS,
    MonthCheck,
    Reading,
    evidence_for,
    month_tuples,
)
from ratings.results.hooks import DELTAS, REFRESHING
from ratings.results.models import RatingMonth, RatingSnapshot
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import IdScope, db, insert_rows, utcnow


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
        return (
            self.status,
            self.stars,
            self.computed_stars,
            _two_places(self.score),
            self.components,
            tuple(self.caps),
            self.override_id,
            self.method_version,
        )


def _two_places(score) -> float | None:
    """A score as stored (two decimals)."""
    return None if score is None else round(float(score), 2)


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
    months_out: MonthCheck | None = None,
    reading: Reading | None = None,
) -> dict[int, Stored]:
    """Each agency's result as of a day, computed now (nothing stored); evidence_for says
    what the keywords do."""
    method = current_method()
    evidence = evidence_for(
        agency_ids, as_of, maintained=maintained, months_out=months_out, reading=reading
    )
    overrides = overrides_in_force(list(evidence), as_of)
    return {
        agency_id: stored_result(rate(facts, method), overrides.get(agency_id))
        for agency_id, facts in evidence.items()
    }


def latest_snapshots(agency_ids: list[int]) -> dict[int, Stored]:
    """Each agency's latest stored result (its last snapshot written)."""
    return {
        agency_id: Stored(*row[:4], json.loads(row[4]), json.loads(row[5]), *row[6:])
        for agency_id, row in latest_snapshot_rows(agency_ids).items()
    }


def latest_snapshot_rows(agency_ids: list[int]) -> dict[int, tuple]:
    """Each agency's latest snapshot as a tuple in Stored's field order, components and caps
    as their stored JSON text (driver tuples: no dataclass, nothing decoded)."""
    if not agency_ids:
        return {}
    scope = IdScope(agency_ids)
    rows = scope.rows(db.session.connection(), _latest_snapshots(scope.by_range))
    return {row[0]: tuple(row[1:]) for row in rows}


@lru_cache(maxsize=2)
def _latest_snapshots(by_range: bool):
    table = RatingSnapshot.__table__
    latest = (
        select(func.max(table.c.id))
        .where(IdScope.condition(table.c.agency_id, by_range))
        .group_by(table.c.agency_id)
    )
    columns = [
        cast(table.c[name], Text) if name in JSON_FIELDS else table.c[name]
        for name in Stored.__dataclass_fields__
    ]
    return select(table.c.agency_id, *columns).where(table.c.id.in_(latest))


def refresh_ratings(
    agency_ids: list[int] | None,
    as_of: date | None = None,
    *,
    maintained: bool = False,
    reading: Reading | None = None,
) -> int:
    """Recompute the agencies' results as of a day (today by default), write a snapshot for
    each whose result changed, and mirror every result on its agency row. Inside the
    current transaction; the caller commits. Returns how many results changed.

    maintained (the session hook's way, as of today): reviews and confirmed engagements come
    from the monthly rows the hook keeps. Otherwise they come from the evidence rows, and
    when rating as of today the monthly rows that differ from them are rebuilt. reading: the
    agencies' evidence rows already read (one batch of the full recompute, read ahead).
    """
    today = local_today()
    as_of = as_of or today
    session = db.session()
    session.flush()  # noted by the hook before it stands aside
    refreshing = session.info.get(REFRESHING)
    session.info[REFRESHING] = True
    try:
        months = MonthCheck() if not maintained and as_of == today else None
        results = fresh_results(
            agency_ids, as_of, maintained=maintained, months_out=months, reading=reading
        )
        if months is not None:
            _rebuild_months(list(results), months, as_of)
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


def _rebuild_months(agency_ids: list[int], months: MonthCheck, as_of: date) -> None:
    """Rewrite the monthly rows of the agencies whose rows differ from their evidence rows
    (after the first run, usually none). Changes the hook noted so far for these agencies
    are in the evidence rows, so they are not added again."""
    table = RatingMonth.__table__
    # Only agencies that keep rows have rows to delete (none when rated for the first
    # time: a delete per batch scanned the growing table on PostgreSQL, which has no
    # statistics of it yet).
    kept = sorted(months.stale & months.keeping)
    for start in range(0, len(kept), BATCH):
        scope = IdScope(kept[start : start + BATCH], exact=True)
        condition = IdScope.condition(table.c.agency_id, scope.by_range)
        db.session.execute(table.delete().where(condition), scope.params)
    if months.stale:
        rows = month_tuples(as_of, months.review_rows, months.confirmed_rows)
        insert_rows(table, MONTH_COLUMNS, rows)
    deltas = db.session.info.get(DELTAS)
    if deltas:
        rebuilt = set(agency_ids)
        for key in [key for key in deltas if key[0] in rebuilt]:
            del deltas[key]


COUNTED = ("reviews", "review_points", "confirmed", "overdue")


JSON_FIELDS = ("components", "caps")


def json_texts(result: Stored) -> tuple[str, str]:
    """The result's components and caps as the JSON text a snapshot stores."""
    return json.dumps(result.components), _caps_text(tuple(result.caps))


def unchanged(result: Stored, previous: tuple | None, texts: tuple[str, str]) -> bool:
    """The result (texts: its json_texts) is the one stored (previous: the latest snapshot
    row, as latest_snapshot_rows reads it).

    The same values give the same JSON text (the insert stores json.dumps's text), so equal
    text is an answer without decoding; any other text (written another way) is decoded and
    compared as values, as Stored.key() does."""
    if previous is None:
        return False
    status, stars, computed_stars, score, components, caps, override_id, version = previous
    if (status, stars, computed_stars, override_id, version) != (
        result.status,
        result.stars,
        result.computed_stars,
        result.override_id,
        result.method_version,
    ):
        return False
    if _two_places(score) != _two_places(result.score):
        return False
    if (components, caps) == texts:
        return True
    return (json.loads(components), tuple(json.loads(caps))) == (
        result.components,
        tuple(result.caps),
    )


@lru_cache(maxsize=64)
def _caps_text(caps: tuple) -> str:
    """The JSON text of a list of caps (there are few different ones)."""
    return json.dumps(list(caps))


SNAPSHOT_COLUMNS = (
    "agency_id",
    "as_of",
    "computed_at",
    "status",
    "stars",
    "computed_stars",
    "score",
    "components",
    "caps",
    "override_id",
    "method_version",
)


def _store(results: dict[int, Stored], as_of: date) -> int:
    """Snapshots of the changed results (in bulk, with the JSON text the comparison already
    made), then the agency rows made to mirror their latest snapshot (one set-wise update
    per batch of agencies: after a run that changed nothing, no row is written)."""
    ids = list(results)
    previous = latest_snapshot_rows(ids)
    now = utcnow()
    snapshots = []
    for agency_id, result in results.items():
        components, caps = texts = json_texts(result)
        if not unchanged(result, previous.get(agency_id), texts):
            snapshots.append(
                (
                    agency_id,
                    as_of,
                    now,
                    result.status,
                    result.stars,
                    result.computed_stars,
                    result.score,
                    components,
                    caps,
                    result.override_id,
                    result.method_version,
                )
            )
    insert_rows(RatingSnapshot.__table__, SNAPSHOT_COLUMNS, snapshots)
    for start in range(0, len(ids), BATCH):
        _mirror(ids[start : start + BATCH])
    _expire_agencies(ids)
    return len(snapshots)


def _mirror(agency_ids: list[int]) -> None:
    """SQL: each agency row mirrors its latest snapshot (stars, status, score, as_of); only
    the rows that differ are written."""
    scope = IdScope(agency_ids, exact=True)
    db.session.execute(_mirroring(scope.by_range).write, scope.params)


def unmirrored(agency_ids: list[int]) -> set[int]:
    """The agencies whose row does not mirror their latest snapshot."""
    scope = IdScope(agency_ids, exact=True)
    differing = _mirroring(scope.by_range).differing
    return set(db.session.execute(differing, scope.params).scalars())


class Mirroring(NamedTuple):
    write: Update  # the agency rows made to mirror their latest snapshot where some differs
    differing: Select  # the ids of the agencies whose row differs


@lru_cache(maxsize=2)
def _mirroring(by_range: bool) -> Mirroring:
    """The update that makes the agency rows mirror their latest snapshot's values where
    some differs, and the select of the agencies whose row differs (built once)."""
    agency = Agency.__table__
    table = RatingSnapshot.__table__
    latest_ids = (
        select(func.max(table.c.id))
        .where(IdScope.condition(table.c.agency_id, by_range))
        .group_by(table.c.agency_id)
    )
    latest = (
        select(table.c.agency_id, table.c.stars, table.c.status, table.c.score, table.c.as_of)
        .where(table.c.id.in_(latest_ids))
        .subquery()
    )
    pairs = [
        (agency.c.stars, latest.c.stars),
        (agency.c.rating_status, latest.c.status),
        (agency.c.score, latest.c.score),
        (agency.c.rating_as_of, latest.c.as_of),
    ]
    differs = and_(
        agency.c.id == latest.c.agency_id,
        or_(*(mirror.is_distinct_from(value) for mirror, value in pairs)),
    )
    write = update(agency).values({mirror: value for mirror, value in pairs}).where(differs)
    return Mirroring(write, select(agency.c.id).where(differs))


def _expire_agencies(ids: list[int]) -> None:
    """Agency rows already loaded in the session read the new rating columns again."""
    session = db.session()
    wanted = set(ids)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Agency) and instance.id in wanted:
            session.expire(instance, ["stars", "rating_status", "score", "rating_as_of"])
