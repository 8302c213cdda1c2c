"""Which agencies may take new engagements, and which are eligible for a fair draw.

What other packages decide, read here and nowhere else in engagements:
- the blacklist: a listed agency takes no new engagement and is never drawn; both read the
  listing dates the blacklist package keeps on the agency row (registry.agencies.listing);
- star grades: `stars_of` reads the stars mirrored on the agency row by ratings.results
  (None when unrated or blacklisted), so a draw with a minimum leaves out unrated agencies.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from registry.agencies.categories import AgencyStatus
from registry.agencies.listing import is_listed, not_listed_on
from registry.agencies.models import Agency, FeeSchedule
from registry.commitments.queries import commitments_of
from registry.dates import local_today
from registry.db import db


def new_engagement_refusal(agency: Agency) -> str | None:
    """Why the agency cannot take a new engagement now, or None.

    Cases: awaiting verification, suspended, rejected or deregistered (only an active
    agency takes work); on the blacklist today.
    """
    if agency.status != AgencyStatus.ACTIVE:
        return _(
            "%(name)s cannot take new engagements: its state is %(status)s.",
            name=agency.name,
            status=AgencyStatus(agency.status).label,
        )
    if is_listed(agency, local_today()):
        return _("%(name)s is on the blacklist and cannot take new engagements.", name=agency.name)
    return None


def stars_of(agency_ids: list[int]) -> dict[int, int | None]:
    """Each agency's current stars as the agency row mirrors them (None: no stars)."""
    found = dict.fromkeys(agency_ids)
    if agency_ids:
        found.update(
            db.session.execute(
                select(Agency.id, Agency.stars).where(Agency.id.in_(agency_ids))
            ).all()
        )
    return found


def eligible_agencies(
    service_item_id: int, day: date, min_stars: int | None = None
) -> list[Agency]:
    """The agencies a fair draw chooses among, ordered by credit code.

    Eligible: active; offering the service item (a fee schedule in force on the day);
    holding a valid commitment on the day; not on the blacklist on the day; with at least
    `min_stars` stars when asked (an unrated agency has none).
    """
    offering = FeeSchedule.in_force_on(day).where(FeeSchedule.service_item_id == service_item_id)
    agencies = list(
        db.session.execute(
            select(Agency)
            .where(
                Agency.status == AgencyStatus.ACTIVE.value,
                not_listed_on(day),
                Agency.id.in_(offering.with_only_columns(FeeSchedule.agency_id)),
            )
            .order_by(Agency.credit_code)
        ).scalars()
    )
    commitments = commitments_of([agency.id for agency in agencies], day)
    agencies = [agency for agency in agencies if commitments[agency.id].signed]
    if min_stars is not None:
        stars = stars_of([agency.id for agency in agencies])
        agencies = [a for a in agencies if stars[a.id] is not None and stars[a.id] >= min_stars]
    return agencies
