"""The engagement lifecycle: an enterprise records, the agency confirms and delivers, the
enterprise confirms delivery or disputes it (extensions are in extensions.py).

Each function checks its actor, validates, changes rows, writes the audit event and the
other party's notice, and leaves the commit to the caller. A refusal raises
EngagementError (a message for the user, about an optional form field) before anything is
written; acting for the wrong party raises PermissionDenied. Each locks the engagement
(registry.db.lock) before it checks the state it depends on, so of the two parties acting
at once one succeeds and the other is refused with who acted first and when.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.engagements import notices
from ratings.engagements.eligibility import new_engagement_refusal
from ratings.engagements.models import (
    UNDELIVERED,
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    ExtensionStatus,
    FairDraw,
    overcharge_of,
)
from ratings.engagements.permissions import (
    acts_for_enterprise,
    is_engagement_agency,
    is_engagement_enterprise,
)
from ratings.working_days import current_calendar
from registry.accounts.permissions import PermissionDenied
from registry.agencies.models import (
    Agency,
    Enterprise,
    FeeCap,
    FeeSchedule,
    ServiceItem,
    fen,
    yuan,
)
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock, utcnow

describe(
    actions={
        "engagement.recorded": _l("Engagement recorded"),
        "engagement.accepted": _l("Engagement confirmed by the agency"),
        "engagement.cancelled": _l("Engagement cancelled"),
        "engagement.delivered": _l("Engagement delivered"),
        "engagement.confirmed": _l("Delivery confirmed"),
        "engagement.disputed": _l("Delivery disputed"),
        "engagement.extension_requested": _l("Extension requested"),
        "engagement.extension_accepted": _l("Extension accepted"),
        "engagement.extension_refused": _l("Extension refused"),
    },
    objects={
        "engagement": _l("Engagement"),
        "extension_request": _l("Extension request"),
    },
)

REASON_MAX_LENGTH = 2000


class EngagementError(ValueError):
    """A refused engagement action; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EngagementDetails:
    """What an enterprise records: whom it hired, for which offer, at what fee, from when."""

    agency_id: int
    service_item_id: int
    agreed_fee: Decimal | None
    start_date: date | None
    project: str = ""
    fair_draw_id: int | None = None


# --- recording -----------------------------------------------------------------------------


def record_engagement(actor, enterprise: Enterprise, details: EngagementDetails) -> Engagement:
    """Record that the enterprise hired an agency for one of its published offers.

    The schedule in force on the start date gives the promised working days and the
    published maximum; the government cap in force on that date is copied too, and the
    overcharge they imply is fixed now. Refused: an agency that cannot take new work; an
    offer not in force on the start date; a start date too far back or ahead; no fee; a
    fair draw of another enterprise, agency or service, or one already used (the draw is
    locked before that check, so of two recordings from one draw at once, one is made).
    """
    if not acts_for_enterprise(actor, enterprise.id):
        raise PermissionDenied("only the enterprise's own accounts record its engagements")
    agency = db.session.get(Agency, details.agency_id)
    item = db.session.get(ServiceItem, details.service_item_id)
    if agency is None or item is None:
        raise EngagementError(_("Choose an agency and one of its services."))
    refusal = new_engagement_refusal(agency)
    if refusal:
        raise EngagementError(refusal)
    start = _checked_start(details.start_date)
    fee_fen = _checked_fee(details.agreed_fee)
    schedule = db.session.execute(
        FeeSchedule.in_force_on(start, agency_id=agency.id).where(
            FeeSchedule.service_item_id == item.id
        )
    ).scalar_one_or_none()
    if schedule is None:
        raise EngagementError(
            _(
                "%(agency)s had no published fee for %(service)s in force on %(day)s.",
                agency=agency.name,
                service=item.name,
                day=start.isoformat(),
            ),
            "start_date",
        )
    draw = _checked_draw(enterprise, agency, item, details.fair_draw_id)
    cap_fen = db.session.execute(
        select(FeeCap.cap_fen).where(
            FeeCap.service_item_id == item.id, FeeCap.in_force_clause(start)
        )
    ).scalar_one_or_none()
    engagement = Engagement(
        enterprise_id=enterprise.id,
        agency_id=agency.id,
        fee_schedule_id=schedule.id,
        service_item_id=item.id,
        fair_draw_id=draw.id if draw else None,
        project=(details.project or "").strip()[:200],
        agreed_fee_fen=fee_fen,
        unit=schedule.unit,
        start_date=start,
        promised_days=schedule.promised_days,
        published_max_fen=schedule.fee_max_fen,
        cap_fen=cap_fen,
        overcharge_fen=overcharge_of(fee_fen, schedule.fee_max_fen, cap_fen),
        status=EngagementStatus.AWAITING_AGENCY,
        created_by_id=actor.id,
    )
    db.session.add(engagement)
    db.session.flush()
    record(
        "engagement.recorded",
        actor=actor,
        obj=engagement,
        details={
            "enterprise": enterprise.credit_code,
            "agency": agency.credit_code,
            "service_item": item.code,
            "fee_schedule": schedule.id,
            "agreed_fee_fen": fee_fen,
            "start_date": start.isoformat(),
            "promised_days": schedule.promised_days,
            "published_max_fen": schedule.fee_max_fen,
            "cap_fen": cap_fen,
            "overcharge_fen": engagement.overcharge_fen,
            "fair_draw": draw.code if draw else None,
        },
    )
    notices.to_agency(
        engagement,
        "engagement.recorded",
        fee=str(yuan(fee_fen)),
        unit=schedule.unit,
        start=start,
    )
    return engagement


def _checked_start(start: date | None) -> date:
    if start is None:
        raise EngagementError(_("Enter the start date."), "start_date")
    today = local_today()
    back = current_app.config["ENGAGEMENT_BACKDATE_DAYS"]
    ahead = current_app.config["ENGAGEMENT_FUTURE_DAYS"]
    if start < today - timedelta(days=back):
        raise EngagementError(
            _("The start date may be at most %(days)d days ago.", days=back), "start_date"
        )
    if start > today + timedelta(days=ahead):
        raise EngagementError(
            _("The start date may be at most %(days)d days ahead.", days=ahead), "start_date"
        )
    return start


def _checked_fee(amount: Decimal | None) -> int:
    if amount is None or amount <= 0:
        raise EngagementError(_("Enter the fee you agreed, in yuan."), "agreed_fee")
    if amount != amount.quantize(Decimal("0.01")):
        raise EngagementError(_("Enter the fee in yuan with at most two decimals."), "agreed_fee")
    return fen(amount)


def _checked_draw(enterprise, agency, item, draw_id: int | None) -> FairDraw | None:
    if draw_id is None:
        return None
    draw = db.session.get(FairDraw, draw_id)
    if (
        draw is None
        or draw.enterprise_id != enterprise.id
        or draw.chosen_agency_id != agency.id
        or draw.service_item_id != item.id
    ):
        raise EngagementError(_("This draw chose another agency or service, or is not yours."))
    lock(draw)
    used = db.session.execute(
        select(Engagement).where(Engagement.fair_draw_id == draw.id)
    ).scalar_one_or_none()
    if used is not None:
        raise EngagementError(
            with_last_change(_("An engagement was already recorded for this draw."), used)
        )
    return draw


# --- the agency answers ----------------------------------------------------------------------


def accept_engagement(actor, engagement: Engagement) -> None:
    """The agency confirms it took the work; refused once it can take no new engagement."""
    require_agency(actor, engagement)
    lock(engagement)
    _require_status(engagement, EngagementStatus.AWAITING_AGENCY)
    refusal = new_engagement_refusal(engagement.agency)
    if refusal:
        raise EngagementError(refusal)
    _move(engagement, EngagementStatus.OPEN)
    engagement.accepted_at = utcnow()
    engagement.accepted_by_id = actor.id
    record("engagement.accepted", actor=actor, obj=engagement)
    notices.to_enterprise(engagement, "engagement.accepted", due=due_date(engagement))


def cancel_engagement(actor, engagement: Engagement, reason: str) -> None:
    """Cancel, with a reason the other party reads.

    The enterprise may cancel until the work is delivered; the agency may only decline an
    engagement it has not confirmed. A pending extension request is withdrawn.
    """
    by_enterprise = is_engagement_enterprise(actor, engagement)
    if not by_enterprise and not is_engagement_agency(actor, engagement):
        raise PermissionDenied("only the parties cancel an engagement")
    lock(engagement)
    allowed = UNDELIVERED if by_enterprise else {EngagementStatus.AWAITING_AGENCY}
    if engagement.status not in allowed:
        raise EngagementError(
            with_last_change(
                _(
                    "This engagement can no longer be cancelled. Its state: %(status)s.",
                    status=engagement.status_enum.label,
                )
                if by_enterprise
                else _("Only an engagement you have not confirmed can be declined."),
                engagement,
            )
        )
    reason = _reason(reason)
    _move(engagement, EngagementStatus.CANCELLED)
    engagement.cancelled_at = utcnow()
    engagement.cancelled_by_id = actor.id
    engagement.cancel_reason = reason
    _withdraw_pending(engagement)
    record("engagement.cancelled", actor=actor, obj=engagement, details={"reason": reason})
    if by_enterprise:
        notices.to_agency(
            engagement, "engagement.cancelled", party=engagement.enterprise.name, reason=reason
        )
    else:
        notices.to_enterprise(
            engagement, "engagement.cancelled", party=engagement.agency.name, reason=reason
        )


def mark_delivered(actor, engagement: Engagement) -> None:
    """The agency hands the work over today (again, after a disputed delivery).

    The working days late are fixed now, by the calendar in force today, so the rating
    engine reads them without a calendar. A pending extension request is withdrawn.
    """
    require_agency(actor, engagement)
    lock(engagement)
    if engagement.status == EngagementStatus.AWAITING_AGENCY:
        raise EngagementError(
            with_last_change(_("Confirm the engagement before you mark it delivered."), engagement)
        )
    _require_status(engagement, EngagementStatus.OPEN, EngagementStatus.DISPUTED)
    today = local_today()
    due = due_date(engagement)
    _move(engagement, EngagementStatus.DELIVERED)
    engagement.delivered_on = today
    engagement.delivered_by_id = actor.id
    engagement.late_working_days = current_calendar().overdue_working_days(due, today)
    _withdraw_pending(engagement)
    record(
        "engagement.delivered",
        actor=actor,
        obj=engagement,
        details={
            "delivered_on": today.isoformat(),
            "due": due.isoformat(),
            "late_working_days": engagement.late_working_days,
        },
    )
    notices.to_enterprise(engagement, "engagement.delivered", day=today)


# --- the enterprise answers ------------------------------------------------------------------


def confirm_delivery(actor, engagement: Engagement) -> None:
    """The enterprise accepts the delivered work (also after it disputed it)."""
    require_enterprise(actor, engagement)
    lock(engagement)
    _require_status(engagement, EngagementStatus.DELIVERED, EngagementStatus.DISPUTED)
    today = local_today()
    _move(engagement, EngagementStatus.CONFIRMED)
    engagement.confirmed_on = today
    engagement.confirmed_by_id = actor.id
    record("engagement.confirmed", actor=actor, obj=engagement)
    notices.to_agency(engagement, "engagement.confirmed", day=today)


def dispute_delivery(actor, engagement: Engagement, reason: str) -> None:
    """The enterprise does not accept the delivered work, and says why."""
    require_enterprise(actor, engagement)
    lock(engagement)
    _require_status(engagement, EngagementStatus.DELIVERED)
    reason = _reason(reason)
    _move(engagement, EngagementStatus.DISPUTED)
    engagement.disputed_at = utcnow()
    engagement.disputed_by_id = actor.id
    engagement.dispute_reason = reason
    record("engagement.disputed", actor=actor, obj=engagement, details={"reason": reason})
    notices.to_agency(engagement, "engagement.disputed", reason=reason)


def pending_extension(engagement: Engagement) -> ExtensionRequest | None:
    return db.session.execute(
        select(ExtensionRequest).where(
            ExtensionRequest.engagement_id == engagement.id,
            ExtensionRequest.status == ExtensionStatus.PENDING.value,
        )
    ).scalar_one_or_none()


# --- jobs ------------------------------------------------------------------------------------


def send_overdue_notices(today: date | None = None) -> int:
    """Tell each agency of its undelivered work past the due date; once per due date.
    Returns how many engagements were notified now (not those already told)."""
    from ratings.engagements.queries import overdue_engagements

    sent = 0
    for engagement, deadline in overdue_engagements(today or local_today()):
        sent += bool(notices.overdue(engagement, deadline.due))
    return sent


# --- helpers ---------------------------------------------------------------------------------


def due_date(engagement: Engagement) -> date:
    """Start date plus promised and accepted extra working days, by today's calendar."""
    return current_calendar().add_working_days(engagement.start_date, engagement.working_days)


def require_agency(actor, engagement: Engagement) -> None:
    if not is_engagement_agency(actor, engagement):
        raise PermissionDenied("only the engagement's agency does this")


def require_enterprise(actor, engagement: Engagement) -> None:
    if not is_engagement_enterprise(actor, engagement):
        raise PermissionDenied("only the engagement's enterprise does this")


def _require_status(engagement: Engagement, *allowed: EngagementStatus) -> None:
    if engagement.status not in allowed:
        raise EngagementError(
            with_last_change(
                _(
                    "This cannot be done now. The engagement's state: %(status)s.",
                    status=engagement.status_enum.label,
                ),
                engagement,
            )
        )


def _move(engagement: Engagement, status: EngagementStatus) -> None:
    engagement.status = status
    engagement.status_changed_at = utcnow()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise EngagementError(_("Give the reason; the other party reads it."), "reason")
    return reason[:REASON_MAX_LENGTH]


def _withdraw_pending(engagement: Engagement) -> None:
    extension = pending_extension(engagement)
    if extension is not None:
        extension.status = ExtensionStatus.WITHDRAWN
        extension.decided_at = utcnow()
