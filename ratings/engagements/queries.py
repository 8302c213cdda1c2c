"""Reading engagements and reviews: the parties' and regulators' lists, deadlines with who is
accountable, overdue work, and the public reviews of an agency.

Deadlines are computed when asked (ratings.working_days), never stored: an engagement is
due `promised_days + extra_days` working days after its start date. For the rating engine
(issue 7) and the supervision dashboard (issue 9), in SQL without a calendar:
- confirmed engagements: `Engagement.status == "confirmed"`; late ones have
  `late_working_days > 0` (fixed at delivery); overcharged ones `overcharge_fen > 0`
  (fixed at recording);
- reviews that count: `counted_reviews()` (hidden ones left out), `Review.mean_score`;
- undelivered work: `open_work(today)` (every deadline, soonest first) and
  `overdue_engagements(today)` (past due), with `accountable(engagement)` naming the party,
  the organisation and the person (the agency staff who confirmed the engagement, else the
  agency's contact person).
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, Subquery, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ratings.engagements.models import (
    UNDELIVERED,
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    FairDraw,
    Review,
)
from ratings.working_days import Deadline, current_calendar
from registry.agencies.credit_code import normalise_credit_code
from registry.agencies.models import Agency
from registry.agencies.names import normalise_name
from registry.db import LIKE_ESCAPE, contains_pattern, db

PARTY_LABELS = {"agency": _l("the agency"), "enterprise": _l("the enterprise")}


@dataclass(frozen=True)
class Accountable:
    """Who must act next: the party, its name, and the person to ask."""

    party: str  # "agency" or "enterprise"
    organisation: str
    person: str

    @property
    def party_label(self):
        return PARTY_LABELS[self.party]


@dataclass(frozen=True)
class Progress:
    """An engagement as a list shows it: its deadline (while undelivered) and who acts next."""

    engagement: Engagement
    deadline: Deadline | None
    accountable: Accountable | None


def deadline_of(engagement: Engagement, today: date | None = None) -> Deadline:
    """The engagement's deadline as of today, or as of its delivery once delivered."""
    calendar = current_calendar()
    as_of = engagement.delivered_on if engagement.delivered_on else today
    return calendar.deadline(engagement.start_date, engagement.working_days, today=as_of)


def accountable(engagement: Engagement) -> Accountable | None:
    """The agency until delivered (and to rework a disputed delivery); then the enterprise,
    which confirms or disputes; nobody once confirmed or cancelled."""
    if engagement.status in UNDELIVERED or engagement.status == EngagementStatus.DISPUTED:
        agency = engagement.agency
        person = engagement.accepted_by.display_name if engagement.accepted_by else None
        return Accountable("agency", agency.name, person or agency.contact_person)
    if engagement.status == EngagementStatus.DELIVERED:
        person = engagement.created_by.display_name if engagement.created_by else ""
        return Accountable("enterprise", engagement.enterprise.name, person)
    return None


def progress_of(engagements, today: date) -> list[Progress]:
    return [
        Progress(
            engagement,
            deadline_of(engagement, today) if engagement.is_undelivered else None,
            accountable(engagement),
        )
        for engagement in engagements
    ]


# --- lists ---------------------------------------------------------------------------------


def _listed() -> Select:
    return (
        select(Engagement)
        .options(
            selectinload(Engagement.agency),
            selectinload(Engagement.enterprise),
            selectinload(Engagement.service_item),
            selectinload(Engagement.accepted_by),
            selectinload(Engagement.created_by),
            selectinload(Engagement.review),
        )
        .order_by(Engagement.id.desc())
    )


def engagements(
    *,
    enterprise_id: int | None = None,
    agency_id: int | None = None,
    status: str | None = None,
    agency_query: str | None = None,
    overdue_on: date | None = None,
) -> Select:
    """Engagements newest first, narrowed to a party, a state, an agency (name or code), or
    undelivered work overdue on a day."""
    query = _listed()
    if enterprise_id is not None:
        query = query.where(Engagement.enterprise_id == enterprise_id)
    if agency_id is not None:
        query = query.where(Engagement.agency_id == agency_id)
    if status:
        query = query.where(Engagement.status == status)
    if agency_query:
        query = query.where(Engagement.agency_id.in_(_agencies_matching(agency_query)))
    if overdue_on is not None:
        ids = [engagement.id for engagement, _ in overdue_engagements(overdue_on, query)]
        query = query.where(Engagement.id.in_(ids))
    return query


def _agencies_matching(text: str) -> Select:
    code = normalise_credit_code(text)
    pattern = contains_pattern(normalise_name(text))
    return select(Agency.id).where(
        or_(Agency.credit_code == code, Agency.name_normalised.like(pattern, escape=LIKE_ESCAPE))
    )


def overdue_engagements(
    today: date, within: Select | None = None
) -> list[tuple[Engagement, Deadline]]:
    """Undelivered engagements past their due date, with their deadlines, oldest due first.

    SQL first keeps only those whose due date could have passed (n working days after the
    start are at least n calendar days after it); the calendar then decides each one.
    """
    query = within if within is not None else _listed()
    query = query.where(
        Engagement.status.in_([status.value for status in UNDELIVERED]),
        _could_be_overdue(today),
    )
    found = []
    for engagement in db.session.execute(query).scalars():
        deadline = deadline_of(engagement, today)
        if deadline.is_overdue:
            found.append((engagement, deadline))
    return sorted(found, key=lambda pair: (pair[1].due, pair[0].id))


def open_work(today: date, within: Select | None = None) -> list[Progress]:
    """Every undelivered engagement with its deadline and who is accountable, soonest due
    first (the supervision dashboard's list; `overdue_engagements` for the late ones)."""
    query = (within if within is not None else _listed()).where(
        Engagement.status.in_([status.value for status in UNDELIVERED])
    )
    rows = progress_of(db.session.execute(query).scalars(), today)
    return sorted(rows, key=lambda row: (row.deadline.due, row.engagement.id))


def _could_be_overdue(today: date):
    days = Engagement.promised_days + Engagement.extra_days
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(Engagement.start_date) + days < func.julianday(today)
    return Engagement.start_date + days < today


def engagement_detail(engagement_id: int) -> Engagement | None:
    return db.session.execute(
        select(Engagement)
        .where(Engagement.id == engagement_id)
        .options(
            selectinload(Engagement.extensions).selectinload(ExtensionRequest.requested_by),
            selectinload(Engagement.fair_draw),
            selectinload(Engagement.review),
        )
    ).scalar_one_or_none()


def action_counts(*, enterprise_id: int | None = None, agency_id: int | None = None) -> dict:
    """How many engagements wait for this party: by state."""
    query = select(Engagement.status, func.count()).group_by(Engagement.status)
    if enterprise_id is not None:
        query = query.where(Engagement.enterprise_id == enterprise_id)
    if agency_id is not None:
        query = query.where(Engagement.agency_id == agency_id)
    return dict(db.session.execute(query).all())


def awaiting_review(enterprise_id: int) -> int:
    """Confirmed engagements of the enterprise not reviewed yet."""
    return db.session.execute(
        select(func.count())
        .select_from(Engagement)
        .outerjoin(Review, Review.engagement_id == Engagement.id)
        .where(
            Engagement.enterprise_id == enterprise_id,
            Engagement.status == EngagementStatus.CONFIRMED.value,
            Review.id.is_(None),
        )
    ).scalar_one()


def draws_of(enterprise_id: int) -> Select:
    return (
        select(FairDraw)
        .where(FairDraw.enterprise_id == enterprise_id)
        .options(selectinload(FairDraw.chosen_agency), selectinload(FairDraw.service_item))
        .order_by(FairDraw.id.desc())
    )


def draw_candidates(draw: FairDraw) -> list[Agency]:
    """The candidate agencies in the draw's stored order (names may have changed since)."""
    codes = draw.candidate_codes
    found = {
        agency.credit_code: agency
        for agency in db.session.execute(
            select(Agency).where(Agency.credit_code.in_(codes))
        ).scalars()
    }
    return [found.get(code) for code in codes]


# --- reviews -------------------------------------------------------------------------------


def counted_reviews() -> Select:
    """Reviews that count (not hidden by a regulator), for ratings and summaries."""
    return select(Review).where(Review.hidden_at.is_(None))


def public_reviews(agency_id: int) -> Select:
    """An agency's reviews for its public profile, newest first, hidden ones included (their
    reason shows in place of the text)."""
    return (
        select(Review)
        .where(Review.agency_id == agency_id)
        # Each review has one enterprise, engagement and service: joined in the same statement.
        .options(
            joinedload(Review.enterprise),
            joinedload(Review.engagement).joinedload(Engagement.service_item),
        )
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    quality: float | None
    timeliness: float | None
    fee_compliance: float | None
    conduct: float | None
    # Every review the profile lists, hidden ones included (count leaves them out).
    listed: int = 0


def review_figures(agency_id) -> Subquery:
    """review_summary's figures as a one-row subquery (reviews_counted, the four means,
    reviews_listed), so that a page can read them with others in one statement."""
    counted = Review.hidden_at.is_(None)
    return (
        select(
            func.count(Review.id).filter(counted).label("reviews_counted"),
            func.avg(Review.quality).filter(counted).label("quality"),
            func.avg(Review.timeliness).filter(counted).label("timeliness"),
            func.avg(Review.fee_compliance).filter(counted).label("fee_compliance"),
            func.avg(Review.conduct).filter(counted).label("conduct"),
            func.count(Review.id).label("reviews_listed"),
        )
        .where(Review.agency_id == agency_id)
        .subquery("review_figures")
    )


def summary_of_reviews(row) -> ReviewSummary:
    """A ReviewSummary from a row holding review_figures()' columns."""
    means = (row.quality, row.timeliness, row.fee_compliance, row.conduct)
    return ReviewSummary(
        row.reviews_counted,
        *(float(mean) if mean is not None else None for mean in means),
        listed=row.reviews_listed,
    )


@cache
def _review_summary_statement() -> Select:
    """Built once (the public profile runs it on every visit): only its parameter changes."""
    return select(review_figures(bindparam("agency_id")))


def review_summary(agency_id: int) -> ReviewSummary:
    """The number of counted reviews of the agency and the mean of each score, and the
    number of reviews its profile lists."""
    row = db.session.execute(_review_summary_statement(), {"agency_id": agency_id}).one()
    return summary_of_reviews(row)


class ReviewPage(Pagination):
    """A page of public_reviews() whose number is known already (ReviewSummary.listed):
    no statement counts them again, and none reads a page that would be empty."""

    def _query_items(self) -> list[Review]:
        if self._query_offset >= self._query_args["total"]:
            return []  # no review, or a page past the last
        query = public_reviews(self._query_args["agency_id"])
        query = query.limit(self.per_page).offset(self._query_offset)
        return list(db.session.execute(query).unique().scalars())

    def _query_count(self) -> int:
        return self._query_args["total"]


def review_page(agency_id: int, listed: int, per_page: int) -> ReviewPage:
    """The page of the agency's public reviews the request asks for (?page=, else the first)."""
    return ReviewPage(
        agency_id=agency_id,
        total=listed,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
    )
