"""Whether an agency is on the blacklist on a day: a fact of the agency row, read by the core.

The blacklist package writes `Agency.listed_from` and `Agency.listed_until` (the first and
the last day of the current listing) when a case is listed, and clears them when a listing is
revoked or repaired; it keeps them when the term ends, since the dates already say the
listing no longer counts. Everything here is computed from those dates at the moment asked,
so a listing stops counting the day after its last day, before any job records it.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, not_, or_

from registry.agencies.models import Agency
from registry.dates import local_today


def is_listed(agency: Agency, day: date) -> bool:
    """The agency is on the blacklist on `day` (first and last day included)."""
    return (
        agency.listed_from is not None
        and agency.listed_until is not None
        and agency.listed_from <= day <= agency.listed_until
    )


def listed_on(day: date) -> ColumnElement[bool]:
    """SQL: the agency row is on the blacklist on `day`."""
    return and_(Agency.listed_from <= day, Agency.listed_until >= day)


def not_listed_on(day: date) -> ColumnElement[bool]:
    """SQL: the agency row is not on the blacklist on `day` (never listed, ended, or later)."""
    return or_(Agency.listed_from.is_(None), Agency.listed_until.is_(None), not_(listed_on(day)))


def listed_today(agency: Agency) -> bool:
    """For templates: the agency is on the blacklist today."""
    return is_listed(agency, local_today())
