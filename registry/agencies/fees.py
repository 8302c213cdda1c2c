"""Publishing fees. A fee schedule is never edited: a change ends the row in force and
starts a new one, so the fee in force on any past date stays known (DESIGN.md §3).

Publishing and withdrawing lock the agency first: its offers change one at a time, so of
two publications of the same item at once the second supersedes the first (as it would a
moment later) instead of opening a second row."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.permissions import PermissionDenied, acts_for_agency
from registry.agencies.models import FeeSchedule, ServiceItem, fen
from registry.agencies.services import RegistryError
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock


@dataclass
class FeeOffer:
    fee_min: Decimal
    fee_max: Decimal
    basis: str
    promised_days: int
    effective_from: date


def open_schedule(agency_id: int, service_item_id: int) -> FeeSchedule | None:
    """The latest row of this offer, not yet ended (it may start in the future)."""
    return db.session.execute(
        select(FeeSchedule).where(
            FeeSchedule.agency_id == agency_id,
            FeeSchedule.service_item_id == service_item_id,
            FeeSchedule.effective_to.is_(None),
        )
    ).scalar_one_or_none()


def offer_problem(item: ServiceItem, offer: FeeOffer) -> str | None:
    """Why this offer breaks the catalogue's rules, or None.

    Cases: negative fees; minimum above maximum; no basis; promised days not positive or
    above the statutory limit; a government-guided item without a cap in force on the
    effective date, or a maximum above that cap.
    """
    if offer.fee_min < 0 or offer.fee_max < 0:
        return _("Fees cannot be negative.")
    if offer.fee_min > offer.fee_max:
        return _("The minimum fee is above the maximum fee.")
    if not (offer.basis or "").strip():
        return _("State the basis of the fee (the document or method it follows).")
    if offer.promised_days < 1:
        return _("Promise at least one working day.")
    if offer.promised_days > item.statutory_days:
        return _(
            "You cannot promise more than the statutory limit of %(days)d working days.",
            days=item.statutory_days,
        )
    if item.is_government_guided:
        cap = item.cap_in_force_on(offer.effective_from)
        if cap is None:
            return _(
                "This service has a government-guided price but no cap in force on that "
                "date; ask the regulator."
            )
        if fen(offer.fee_max) > cap.cap_fen:
            return _(
                "The maximum fee is above the government cap of %(cap)s yuan per %(unit)s.",
                cap=cap.cap,
                unit=item.unit,
            )
    return None


def publish_fee(actor, agency, item: ServiceItem, offer: FeeOffer) -> FeeSchedule:
    """An active agency publishes or changes its fee for a service item."""
    if not acts_for_agency(actor, agency):
        raise PermissionDenied("publish_fee")
    lock(agency)
    if not agency.is_active:
        raise RegistryError(
            with_last_change(
                _(
                    "Only an active agency can publish fees; this one is %(status)s.",
                    status=agency.status_enum.label,
                ),
                agency,
            )
        )
    if item.retired_on is not None and item.retired_on <= offer.effective_from:
        raise RegistryError(_("This service item is retired from the catalogue."))
    if offer.effective_from < local_today():
        raise RegistryError(_("A fee cannot take effect in the past."))
    problem = offer_problem(item, offer)
    if problem:
        raise RegistryError(problem)
    current = open_schedule(agency.id, item.id)
    if current is not None:
        if offer.effective_from < current.effective_from:
            raise RegistryError(
                with_last_change(
                    _(
                        "A change cannot take effect before the fee it replaces (%(day)s).",
                        day=current.effective_from.isoformat(),
                    ),
                    agency,
                )
            )
        current.effective_to = offer.effective_from
        db.session.flush()
    schedule = FeeSchedule(
        agency_id=agency.id,
        service_item_id=item.id,
        fee_min_fen=fen(offer.fee_min),
        fee_max_fen=fen(offer.fee_max),
        unit=item.unit,
        basis=offer.basis.strip(),
        promised_days=offer.promised_days,
        effective_from=offer.effective_from,
        published_by_id=actor.id,
    )
    db.session.add(schedule)
    db.session.flush()
    record(
        "fee.published",
        actor=actor,
        obj=agency,
        details={
            "fee_schedule_id": schedule.id,
            "service_item": item.code,
            "fee_min": str(schedule.fee_min),
            "fee_max": str(schedule.fee_max),
            "promised_days": schedule.promised_days,
            "effective_from": schedule.effective_from.isoformat(),
            "replaces": current.id if current else None,
        },
    )
    return schedule


def withdraw_fee(actor, schedule: FeeSchedule, effective_to: date) -> None:
    """The agency stops offering a service from a date; the history stays."""
    if not acts_for_agency(actor, schedule.agency):
        raise PermissionDenied("withdraw_fee")
    lock(schedule.agency)
    lock(schedule)
    if schedule.effective_to is not None:
        raise RegistryError(with_last_change(_("This fee has already ended."), schedule.agency))
    if effective_to < max(local_today(), schedule.effective_from):
        raise RegistryError(_("A fee cannot end in the past or before it starts."))
    schedule.effective_to = effective_to
    record(
        "fee.withdrawn",
        actor=actor,
        obj=schedule.agency,
        details={
            "fee_schedule_id": schedule.id,
            "service_item": schedule.service_item.code,
            "effective_to": effective_to.isoformat(),
        },
    )
