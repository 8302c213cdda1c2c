"""Reads about agencies that pages (public, agency, regulator) and the API share."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from registry.agencies.categories import PUBLIC_STATUSES, AgencyStatus
from registry.agencies.credit_code import normalise_credit_code
from registry.agencies.models import Agency, FeeSchedule, LinkRequest, ServiceItem
from registry.agencies.names import normalise_name
from registry.db import LIKE_ESCAPE, contains_pattern, db


@cache
def _public_agency_statement() -> Select:
    """Built once: the public profile's statements are the same on every visit but for their
    parameters, and building one (and its cache key) cost more than running it."""
    return (
        select(Agency)
        .where(
            Agency.credit_code == bindparam("credit_code"),
            Agency.status.in_(sorted(s.value for s in PUBLIC_STATUSES)),
        )
        .options(joinedload(Agency.qualifications))
    )


def public_agency(credit_code: str) -> Agency | None:
    """An agency the public may see (verified at some point), by its credit code.

    Its qualifications come in the same statement; their certificate scans, which the public
    never sees, do not.
    """
    return (
        db.session.execute(
            _public_agency_statement(), {"credit_code": normalise_credit_code(credit_code)}
        )
        .unique()
        .scalar_one_or_none()
    )


def fees_in_force(agency_id: int, day: date) -> list[FeeSchedule]:
    """The agency's offers in force on a day, with their catalogue items."""
    return list(
        db.session.execute(
            FeeSchedule.in_force_on(day, agency_id=agency_id)
            .join(ServiceItem)
            .order_by(ServiceItem.code)
            .options(selectinload(FeeSchedule.service_item).selectinload(ServiceItem.caps))
        ).scalars()
    )


@dataclass(frozen=True)
class PublishedFees:
    """An agency's offers in force on a day, and its fee history grouped by service item."""

    in_force: list[FeeSchedule]
    history: dict[int, list[FeeSchedule]]


@cache
def _published_fees_statement() -> Select:
    """Built once, like _public_agency_statement."""
    return (
        select(FeeSchedule)
        .where(FeeSchedule.agency_id == bindparam("agency_id"))
        .order_by(
            FeeSchedule.service_item_id,
            FeeSchedule.effective_from.desc(),
            FeeSchedule.id.desc(),
        )
        .options(joinedload(FeeSchedule.service_item).joinedload(ServiceItem.caps))
    )


def published_fees(agency_id: int, day: date) -> PublishedFees:
    """fees_in_force and fee_history_by_item from one statement: the agency's schedules with
    their service items and the items' caps."""
    schedules = (
        db.session.execute(_published_fees_statement(), {"agency_id": agency_id}).unique().scalars()
    )
    history: dict[int, list[FeeSchedule]] = {}
    for schedule in schedules:
        history.setdefault(schedule.service_item_id, []).append(schedule)
    in_force = [
        schedule for item in history.values() for schedule in item if schedule.is_in_force_on(day)
    ]
    in_force.sort(key=lambda schedule: schedule.service_item.code)
    return PublishedFees(in_force, history)


def fee_history_by_item(agency_id: int) -> dict[int, list[FeeSchedule]]:
    """Every schedule the agency published, newest first, grouped by service item id."""
    rows = db.session.execute(
        select(FeeSchedule)
        .where(FeeSchedule.agency_id == agency_id)
        .order_by(
            FeeSchedule.service_item_id, FeeSchedule.effective_from.desc(), FeeSchedule.id.desc()
        )
    ).scalars()
    history: dict[int, list[FeeSchedule]] = {}
    for schedule in rows:
        history.setdefault(schedule.service_item_id, []).append(schedule)
    return history


def open_offers(agency_id: int) -> list[FeeSchedule]:
    """The agency's current and scheduled offers (rows not yet ended)."""
    return list(
        db.session.execute(
            select(FeeSchedule)
            .join(ServiceItem)
            .where(FeeSchedule.agency_id == agency_id, FeeSchedule.effective_to.is_(None))
            .order_by(ServiceItem.code)
        ).scalars()
    )


def service_choices() -> list[tuple[str, str]]:
    """Catalogue items for a search filter: (code, "code name"), retired ones left out."""
    items = db.session.execute(
        select(ServiceItem.code, ServiceItem.name)
        .where(ServiceItem.retired_on.is_(None))
        .order_by(ServiceItem.code)
    ).all()
    return [(code, f"{code} {name}") for code, name in items]


def offerable_items(category: str | None = None) -> list[ServiceItem]:
    """Catalogue items an agency may publish a fee for (not retired), its category first."""
    items = (
        db.session.execute(
            select(ServiceItem).where(ServiceItem.retired_on.is_(None)).order_by(ServiceItem.code)
        )
        .scalars()
        .all()
    )
    return sorted(items, key=lambda item: item.category != category)


def agencies_for_regulators(
    *, q: str | None = None, status: str | None = None, category: str | None = None
):
    """Every agency whatever its state, filtered; newest registrations first."""
    query = select(Agency).order_by(Agency.created_at.desc(), Agency.id.desc())
    if q:
        query = query.where(
            or_(
                Agency.credit_code == normalise_credit_code(q),
                Agency.name_normalised.like(
                    contains_pattern(normalise_name(q)), escape=LIKE_ESCAPE
                ),
            )
        )
    if status:
        query = query.where(Agency.status == status)
    if category:
        query = query.where(Agency.category == category)
    return query


def count_pending_registrations() -> int:
    return db.session.execute(
        select(func.count(Agency.id)).where(Agency.status == AgencyStatus.PENDING)
    ).scalar_one()


def count_waiting_decisions() -> int:
    """Registrations and link requests waiting for a regulator."""
    links = db.session.execute(
        select(func.count(LinkRequest.id)).where(LinkRequest.status == "pending")
    ).scalar_one()
    return count_pending_registrations() + links


def pending_registrations():
    return select(Agency).where(Agency.status == AgencyStatus.PENDING).order_by(Agency.created_at)
