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

from sqlalchemy import Text, bindparam, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ratings.method import RatingStatus, Result, rate
from ratings.overrides.models import RatingOverride
from ratings.overrides.queries import overrides_in_force
from ratings.results.configured import current_method
from ratings.results.evidence import (
    BATCH,
    MONTH_COLUMNS,
    RANGE_FROM,
    evidence_for,
    fetch_all,
    month_index,
    month_tuples,
)
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
        return stored_key(
            (
                self.status,
                self.stars,
                self.computed_stars,
                self.score,
                self.components,
                self.caps,
                self.override_id,
                self.method_version,
            )
        )


def stored_key(values: tuple) -> tuple:
    """Stored.key() of a result given as a tuple in Stored's field order (a snapshot row)."""
    status, stars, computed_stars, score, components, caps, override_id, version = values
    return (
        status,
        stars,
        computed_stars,
        _two_places(score),
        components,
        tuple(caps),
        override_id,
        version,
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
    return {
        agency_id: Stored(*values)
        for agency_id, values in _latest_snapshot_rows(agency_ids).items()
    }


def _latest_snapshot_rows(agency_ids: list[int], *, json_text: bool = False) -> dict[int, tuple]:
    """Each agency's latest snapshot as a tuple in Stored's field order (Core rows, no
    dataclass). json_text: components and caps as their stored JSON text, not decoded."""
    if not agency_ids:
        return {}
    table = RatingSnapshot.__table__
    condition, members = _agencies_condition(table.c.agency_id, agency_ids)
    latest = select(func.max(table.c.id)).where(condition).group_by(table.c.agency_id)
    columns = [
        cast(table.c[name], Text) if json_text and name in JSON_FIELDS else table.c[name]
        for name in Stored.__dataclass_fields__
    ]
    rows = db.session.connection().execute(
        select(table.c.agency_id, *columns).where(table.c.id.in_(latest))
    )
    return {row[0]: tuple(row[1:]) for row in rows if members is None or row[0] in members}


def _agencies_condition(column, agency_ids: list[int]) -> tuple:
    """SQL: the column holds one of the agencies; and the set the rows must be filtered by
    (None when the condition is exact). Many agencies are selected by their id range: a
    long IN list costs more to bind than the few extra rows in the range."""
    if len(agency_ids) < RANGE_FROM:
        return column.in_(agency_ids), None
    first, last = min(agency_ids), max(agency_ids)
    members = None if last - first + 1 == len(set(agency_ids)) else set(agency_ids)
    return column.between(first, last), members


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


def _rebuild_months(agency_ids: list[int], months: list[tuple], as_of: date) -> None:
    """Make the agencies' monthly rows say what their evidence rows say; only the agencies
    whose rows differ are rewritten (after the first run, usually none). Changes the hook
    noted so far are in the evidence rows, so they are not added again.

    months holds evidence_for's grouped (review rows, confirmed rows) of each batch. The
    comparison is set-wise: the stored rows' review part (agency, age, reviews, points,
    where either is not 0) and confirmed part (agency, age, confirmed, overdue, likewise)
    against the grouped rows; as every counted row has one part or the other, an agency's
    rows differ exactly when one of its parts is in one set and not in the other. So the
    stale agencies are those of the two symmetric differences, found without a loop per
    agency, and only their monthly rows are built."""
    table = RatingMonth.__table__
    last = month_index(as_of)
    first_month = last - current_method()["window_months"] + 1
    wanted_reviews: set[tuple] = set()
    wanted_confirmed: set[tuple] = set()
    for review_rows, confirmed_rows in months:
        wanted_reviews.update(map(tuple, review_rows))
        wanted_confirmed.update(map(tuple, confirmed_rows))
    have_reviews = _month_parts(agency_ids, last, first_month, "reviews", "review_points")
    have_confirmed = _month_parts(agency_ids, last, first_month, "confirmed", "overdue")
    rebuilt = set(agency_ids)
    stale = sorted(
        (
            {row[0] for row in wanted_reviews ^ have_reviews}
            | {row[0] for row in wanted_confirmed ^ have_confirmed}
        )
        & rebuilt
    )
    for start in range(0, len(stale), BATCH):
        db.session.execute(
            table.delete().where(table.c.agency_id.in_(stale[start : start + BATCH]))
        )
    if stale:
        rewritten = set(stale)
        new_rows = month_tuples(
            as_of,
            [row for row in wanted_reviews if row[0] in rewritten],
            [row for row in wanted_confirmed if row[0] in rewritten],
        )
        db.session.execute(
            table.insert(), [dict(zip(MONTH_COLUMNS, row, strict=True)) for row in new_rows]
        )
    deltas = db.session.info.get(DELTAS)
    if deltas:
        for key in [key for key in deltas if key[0] in rebuilt]:
            del deltas[key]


def _month_parts(
    agency_ids: list[int], last: int, first_month: int, count: str, total: str
) -> set[tuple]:
    """The agencies' stored monthly rows from first_month on, as (agency_id, age, count,
    total) where count or total is not 0."""
    table = RatingMonth.__table__
    found: set[tuple] = set()
    for start in range(0, len(agency_ids), BATCH):
        chunk = agency_ids[start : start + BATCH]
        condition, members = _agencies_condition(table.c.agency_id, chunk)
        rows = fetch_all(
            select(table.c.agency_id, last - table.c.month, table.c[count], table.c[total]).where(
                condition,
                or_(table.c[count] != 0, table.c[total] != 0),
                table.c.month >= first_month,
            ),
            plain=True,
        )
        if members is None:
            found.update(rows)
        else:
            found.update(tuple(row) for row in rows if row[0] in members)
    return found


COUNTED = ("reviews", "review_points", "confirmed", "overdue")


JSON_FIELDS = ("components", "caps")


def _unchanged(result: Stored, previous: tuple | None) -> bool:
    """The result is the one stored (previous: its latest snapshot row, JSON as text).

    The same values give the same JSON text (the insert serialises them with json.dumps),
    so equal text is an answer without decoding; any other text (written another way) is
    decoded and compared as values, as Stored.key() does."""
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
    if components == json.dumps(result.components) and caps == _caps_text(tuple(result.caps)):
        return True
    return (json.loads(components), tuple(json.loads(caps))) == (
        result.components,
        tuple(result.caps),
    )


@lru_cache(maxsize=64)
def _caps_text(caps: tuple) -> str:
    """The JSON text of a list of caps (there are few different ones)."""
    return json.dumps(list(caps))


def _store(results: dict[int, Stored], as_of: date) -> int:
    """Snapshots for the changed results, and the agency rows whose mirrored columns
    change, in bulk statements (executemany of only what changed)."""
    ids = list(results)
    previous = _latest_snapshot_rows(ids, json_text=True)
    now = utcnow()
    snapshots = [
        {
            "agency_id": agency_id,
            "as_of": as_of,
            "computed_at": now,
            **result.__dict__,
        }
        for agency_id, result in results.items()
        if not _unchanged(result, previous.get(agency_id))
    ]
    if snapshots:
        db.session.execute(RatingSnapshot.__table__.insert(), snapshots)
    if ids:
        # A few agencies (the session hook's refresh) are written without reading them first.
        mirrored = _mirrored(ids) if len(ids) >= RANGE_FROM else {}
        changed = [
            {
                "agency_id": agency_id,
                "stars": result.stars,
                "rating_status": result.status,
                "score": result.score,
                "rating_as_of": as_of,
            }
            for agency_id, result in results.items()
            if mirrored.get(agency_id) != (result.stars, result.status, result.score, as_of)
        ]
        if changed:
            table = Agency.__table__
            db.session.execute(update(table).where(table.c.id == bindparam("agency_id")), changed)
        _expire_agencies(ids)
    return len(snapshots)


def _mirrored(agency_ids: list[int]) -> dict[int, tuple]:
    """What each agency row mirrors now: (stars, rating_status, score, rating_as_of)."""
    table = Agency.__table__
    found = {}
    connection = db.session.connection()
    for start in range(0, len(agency_ids), BATCH):
        chunk = agency_ids[start : start + BATCH]
        condition, members = _agencies_condition(table.c.id, chunk)
        rows = connection.execute(
            select(
                table.c.id,
                table.c.stars,
                table.c.rating_status,
                table.c.score,
                table.c.rating_as_of,
            ).where(condition)
        )
        for agency_id, *values in rows:
            if members is None or agency_id in members:
                found[agency_id] = tuple(values)
    return found


def _expire_agencies(ids: list[int]) -> None:
    """Agency rows already loaded in the session read the new rating columns again."""
    session = db.session()
    wanted = set(ids)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Agency) and instance.id in wanted:
            session.expire(instance, ["stars", "rating_status", "score", "rating_as_of"])
