"""Extensions: the agency asks, up to and on the due date, for more working days; the
enterprise accepts (the deadline moves) or refuses with a reason (it does not).

Like services.py, each function checks its actor, locks the engagement before it checks
its state (one request at a time, each decided once), validates, changes rows, writes the
audit event and the other party's notice, and leaves the commit to the caller.
"""

from flask import current_app
from flask_babel import gettext as _

from ratings.engagements import notices
from ratings.engagements.models import (
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from ratings.engagements.services import (
    REASON_MAX_LENGTH,
    EngagementError,
    due_date,
    pending_extension,
    require_agency,
    require_enterprise,
)
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock, utcnow


def request_extension(
    actor, engagement: Engagement, extra_days: int | None, justification: str
) -> ExtensionRequest:
    """The agency asks for more working days, up to and on the due date, one request at a time."""
    require_agency(actor, engagement)
    lock(engagement)
    if engagement.status != EngagementStatus.OPEN:
        raise EngagementError(
            with_last_change(
                _("More time can be asked only for confirmed work not yet delivered."), engagement
            )
        )
    today, due = local_today(), due_date(engagement)
    if today > due:
        raise EngagementError(
            _("The deadline (%(due)s) has passed; ask before it, not after.", due=due.isoformat())
        )
    pending = pending_extension(engagement)
    if pending is not None:
        raise EngagementError(
            with_last_change(
                _("A request for more time is already waiting for the enterprise."), pending
            )
        )
    most = current_app.config["ENGAGEMENT_EXTENSION_MAX_DAYS"]
    if extra_days is None or not 1 <= extra_days <= most:
        raise EngagementError(_("Ask for 1 to %(most)d working days.", most=most), "extra_days")
    justification = (justification or "").strip()
    if not justification:
        raise EngagementError(_("Say why the work needs more time."), "justification")
    extension = ExtensionRequest(
        engagement_id=engagement.id,
        extra_days=extra_days,
        justification=justification[:REASON_MAX_LENGTH],
        due_when_asked=due,
        requested_by_id=actor.id,
        status=ExtensionStatus.PENDING,
    )
    db.session.add(extension)
    db.session.flush()
    record(
        "engagement.extension_requested",
        actor=actor,
        obj=extension,
        details={"engagement": engagement.id, "extra_days": extra_days, "due": due.isoformat()},
    )
    notices.to_enterprise(
        engagement,
        "engagement.extension_requested",
        days=extra_days,
        justification=extension.justification,
    )
    return extension


def decide_extension(actor, extension: ExtensionRequest, accept: bool, reason: str = "") -> None:
    """The enterprise accepts (the deadline moves) or refuses (with a reason; it does not).

    The engagement is locked, as every change of its requests is made under its lock, and
    the request is read afresh: of two decisions at once the second is refused."""
    engagement = extension.engagement
    require_enterprise(actor, engagement)
    lock(engagement)
    db.session.refresh(extension)
    if extension.status != ExtensionStatus.PENDING:
        # A request withdrawn by a delivery or a cancellation: the engagement's log says which.
        moved = engagement if extension.status == ExtensionStatus.WITHDRAWN else extension
        raise EngagementError(with_last_change(_("This request was already decided."), moved))
    if engagement.status != EngagementStatus.OPEN:
        raise EngagementError(
            with_last_change(
                _("The work is no longer open; the request cannot be decided."), engagement
            )
        )
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    if not accept and not reason:
        raise EngagementError(_("Give the reason for refusing; the agency reads it."), "reason")
    extension.status = ExtensionStatus.ACCEPTED if accept else ExtensionStatus.REFUSED
    extension.decided_at = utcnow()
    extension.decided_by_id = actor.id
    extension.decision_reason = reason or None
    if accept:
        engagement.extra_days += extension.extra_days
    due = due_date(engagement)
    action = "engagement.extension_accepted" if accept else "engagement.extension_refused"
    record(
        action,
        actor=actor,
        obj=extension,
        details={"engagement": engagement.id, "reason": reason or None, "due": due.isoformat()},
    )
    notices.to_agency(engagement, action, days=extension.extra_days, due=due, reason=reason)
