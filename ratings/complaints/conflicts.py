"""Regulators' declared conflicts of interest with agencies (回避): a regulator in conflict
with an agency neither sees nor handles its complaints, and is never assigned them."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.complaints.checks import MAX_TEXT, ComplaintError, required_text
from ratings.complaints.models import OPEN_STATUSES, Complaint, Conflict
from ratings.complaints.queries import conflict_in_force
from registry.accounts.permissions import PermissionDenied, is_regulator, require
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import db, lock, utcnow

describe(
    actions={
        "conflict.declared": _l("Conflict of interest declared"),
        "conflict.ended": _l("Conflict of interest ended"),
        "complaint.unassigned": _l("Complaint unassigned (conflict of interest)"),
    },
    objects={"conflict": _l("Conflict of interest")},
)


def declare_conflict(actor, agency: Agency | None, reason: str) -> Conflict:
    """A regulator declares a conflict with an agency: from now on they neither see nor
    handle its complaints; those assigned to them go back to the queue, unassigned.

    The agency's row is locked first, so the same conflict declared twice at once is
    declared once: the second waits, then finds the first. The complaints to unassign are
    locked before anything is recorded (the audit log is written under its own lock)."""
    require(is_regulator, actor)
    if agency is None:
        raise ComplaintError(_("Choose an agency listed in the registry."), "agency")
    reason = required_text(reason, "reason")
    lock(agency)
    declared = conflict_in_force(actor.id, agency.id)
    if declared is not None:
        raise ComplaintError(
            with_last_change(_("You have already declared a conflict with this agency."), declared),
            "agency",
        )
    assigned = [lock(complaint) for complaint in _assigned_open(actor.id, agency.id)]
    conflict = Conflict(
        regulator_id=actor.id, agency_id=agency.id, reason=reason, declared_at=utcnow()
    )
    db.session.add(conflict)
    db.session.flush()
    record(
        "conflict.declared",
        actor=actor,
        obj=conflict,
        details={"agency_id": agency.id, "reason": reason},
    )
    for complaint in assigned:
        if complaint.assignee_id != actor.id or not complaint.is_open:
            continue  # moved on while we waited for its lock
        complaint.assignee_id = None
        record(
            "complaint.unassigned", actor=actor, obj=complaint, details={"conflict_id": conflict.id}
        )
    return conflict


def _assigned_open(regulator_id: int, agency_id: int) -> list[Complaint]:
    return list(
        db.session.execute(
            select(Complaint)
            .where(
                Complaint.assignee_id == regulator_id,
                Complaint.agency_id == agency_id,
                Complaint.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(Complaint.id)
        ).scalars()
    )


def end_conflict(actor, conflict: Conflict, reason: str = "") -> None:
    """The regulator who declared a conflict ends it (the interest no longer exists)."""
    require(is_regulator, actor)
    if conflict.regulator_id != actor.id:
        raise PermissionDenied("own_conflict")
    lock(conflict)
    if conflict.ended_at is not None:
        raise ComplaintError(with_last_change(_("This conflict has already ended."), conflict))
    conflict.ended_at = utcnow()
    conflict.ended_reason = (reason or "").strip()[:MAX_TEXT] or None
    record("conflict.ended", actor=actor, obj=conflict, details={"reason": reason or ""})
