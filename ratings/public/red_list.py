"""The red list (守信红名单): agencies the stored results show at ★5 throughout the last
months, with no substantiated complaint concluded within them, not on the blacklist.

The rule reads the snapshot history, so it needs no column of its own: an agency is on the
list today when
- the latest snapshot on or before the day `months` ago shows 5 stars, and every snapshot
  since (the latest one, mirrored on the agency row, included) shows 5 stars too;
- no complaint about it was concluded substantiated on or after that day;
- it is active, and not on the blacklist today.
The stars read are the stars shown: a reviewer-approved override counts as the stars.
"""

from datetime import date

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased

from ratings.complaints.models import Complaint, ComplaintStatus
from ratings.results.models import RatingSnapshot
from registry.agencies.categories import AgencyStatus
from registry.agencies.listing import not_listed_on
from registry.agencies.models import Agency
from registry.commitments.services import add_months

TOP_STARS = 5


def red_list_since(today: date, months: int) -> date:
    """The first day of the period the rule looks at."""
    return add_months(today, -months)


def red_listed(today: date, months: int) -> Select:
    """Agencies on the red list today, by name."""
    since = red_list_since(today, months)
    anchor = aliased(RatingSnapshot)
    later_miss = aliased(RatingSnapshot)
    # Some ★5 snapshot on or before `since` with no snapshot short of ★5 after it: then the
    # latest one on or before `since` is ★5, and so is every one since.
    held_five_stars = exists().where(
        anchor.agency_id == Agency.id,
        anchor.as_of <= since,
        anchor.stars == TOP_STARS,
        ~exists().where(
            later_miss.agency_id == anchor.agency_id,
            or_(later_miss.stars.is_(None), later_miss.stars != TOP_STARS),
            or_(
                later_miss.as_of > anchor.as_of,
                and_(later_miss.as_of == anchor.as_of, later_miss.id > anchor.id),
            ),
        ),
    )
    substantiated = exists().where(
        Complaint.agency_id == Agency.id,
        Complaint.status == ComplaintStatus.SUBSTANTIATED,
        Complaint.concluded_on >= since,
    )
    return (
        select(Agency)
        .where(
            Agency.status == AgencyStatus.ACTIVE,
            Agency.stars == TOP_STARS,  # the latest result, mirrored: a cheap first cut
            not_listed_on(today),
            held_five_stars,
            ~substantiated,
        )
        .order_by(Agency.name, Agency.id)
    )
