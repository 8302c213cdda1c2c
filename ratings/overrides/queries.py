"""Which override is in force for an agency on a day."""

from datetime import date

from sqlalchemy import select

from ratings.overrides.models import OverrideState, RatingOverride
from registry.db import db


def overrides_in_force(agency_ids: list[int], day: date) -> dict[int, RatingOverride]:
    """The approved override in force on `day` for each agency that has one (the newest)."""
    if not agency_ids:
        return {}
    rows = db.session.scalars(
        select(RatingOverride)
        .where(
            RatingOverride.agency_id.in_(agency_ids),
            RatingOverride.state == OverrideState.APPROVED,
            RatingOverride.starts_on <= day,
            RatingOverride.ends_on >= day,
        )
        .order_by(RatingOverride.id)
    )
    return {row.agency_id: row for row in rows}
