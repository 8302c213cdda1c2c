"""Reading stored results: an agency's latest result and its history, for pages and the API."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, with_expression

from ratings.overrides.models import RatingOverride
from ratings.results.models import RatingRun, RatingSnapshot
from registry.db import db

# The history chart shows at most this many results (the latest ones).
HISTORY_POINTS = 120


@cache
def _latest_result_statement() -> Select:
    """Built once (the public profile runs it on every visit): only its parameter changes,
    and building a statement cost more than running this one."""
    return (
        select(RatingSnapshot)
        .where(RatingSnapshot.agency_id == bindparam("agency_id"))
        .options(
            joinedload(RatingSnapshot.override).joinedload(RatingOverride.decided_by),
            with_expression(RatingSnapshot.run_day, _run_day_select().scalar_subquery()),
        )
        .order_by(RatingSnapshot.id.desc())
        .limit(1)
    )


def latest_result(agency_id: int) -> RatingSnapshot | None:
    """The agency's latest stored result with its override and the latest run's day (one
    query)."""
    return db.session.execute(
        _latest_result_statement(), {"agency_id": agency_id}
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Point:
    as_of: date
    status: str
    stars: int | None
    score: float | None


def rating_history(agency_id: int, limit: int = HISTORY_POINTS) -> list[Point]:
    """The agency's stored results, oldest first (the latest `limit` of them)."""
    rows = db.session.execute(
        select(
            RatingSnapshot.as_of, RatingSnapshot.status, RatingSnapshot.stars, RatingSnapshot.score
        )
        .where(RatingSnapshot.agency_id == agency_id)
        .order_by(RatingSnapshot.id.desc())
        .limit(limit)
    ).all()
    return [Point(*row) for row in reversed(rows)]


def latest_run() -> RatingRun | None:
    """The latest full recompute (in the order they ran: a run as of an earlier day, made
    later, is the one whose results stand)."""
    return db.session.execute(
        select(RatingRun).order_by(RatingRun.id.desc()).limit(1)
    ).scalar_one_or_none()


def latest_run_day() -> date | None:
    return db.session.execute(_run_day_select()).scalar_one_or_none()


def _run_day_select() -> Select:
    """The latest run's day."""
    return select(RatingRun.as_of).order_by(RatingRun.id.desc()).limit(1)
