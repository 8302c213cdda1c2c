"""Which override is in force for an agency on a day; the regulators' queue."""

from datetime import date
from functools import lru_cache
from operator import attrgetter

from sqlalchemy import Date, Select, bindparam, select

from ratings.overrides.models import OverrideState, RatingOverride
from registry.db import IdScope, db


def overrides_in_force(agency_ids: list[int], day: date) -> dict[int, RatingOverride]:
    """The approved override in force on `day` for each agency that has one (the newest)."""
    if not agency_ids:
        return {}
    scope = IdScope(agency_ids)
    rows = db.session.scalars(_in_force(scope.by_range), {**scope.params, "day": day})
    return {row.agency_id: row for row in scope.keep(rows, attrgetter("agency_id"))}


@lru_cache(maxsize=2)
def _in_force(by_range: bool) -> Select:
    """Built once: a rating refresh runs it for every change of evidence."""
    day = bindparam("day", type_=Date)
    return (
        select(RatingOverride)
        .where(
            IdScope.condition(RatingOverride.agency_id, by_range),
            RatingOverride.state == OverrideState.APPROVED,
            RatingOverride.starts_on <= day,
            RatingOverride.ends_on >= day,
        )
        .order_by(RatingOverride.id)
    )


# The queue's filters: a state, or an approved override in force or past its end day.
QUEUE_FILTERS = ("proposed", "in_force", "ended", "rejected", "revoked", "all")


def overrides_for_regulators(show: str, today: date, agency_id: int | None = None) -> Select:
    """The queue: proposals oldest first (the next to decide on top), the rest newest first."""
    query = select(RatingOverride)
    if agency_id is not None:
        query = query.where(RatingOverride.agency_id == agency_id)
    approved = RatingOverride.state == OverrideState.APPROVED
    if show == "proposed":
        return query.where(RatingOverride.state == OverrideState.PROPOSED).order_by(
            RatingOverride.proposed_at, RatingOverride.id
        )
    if show == "in_force":
        query = query.where(approved, RatingOverride.ends_on >= today)
    elif show == "ended":
        query = query.where(approved, RatingOverride.ends_on < today)
    elif show in ("rejected", "revoked"):
        query = query.where(RatingOverride.state == show)
    return query.order_by(RatingOverride.proposed_at.desc(), RatingOverride.id.desc())


def shown_state(override: RatingOverride, today: date) -> str:
    """The state as a reader sees it today: an approved override past its end day ended."""
    if override.state == OverrideState.APPROVED:
        return "in_force" if override.ends_on >= today else "ended"
    return override.state
