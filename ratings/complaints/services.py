"""The complaint workflow: one function per transition (see models.py for the diagram).

Each function checks who acts (PermissionDenied for the wrong party), refuses a transition
out of order or bad input with a ComplaintError saying why, changes rows, writes the audit
event, sends the notices, and leaves the commit to the caller, who rolls back on a refusal
so nothing is half-written. A regulator never acts on a complaint against an agency they
declared a conflict with, and is never assigned one.

Every transition locks the complaint (registry.db.lock) before it checks the state it
depends on, so of two people acting at once the second waits, then is refused with who
acted first and when (registry.audit.queries.with_last_change).
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from ratings.complaints import notices
from ratings.complaints.checks import (
    MAX_TEXT,
    ComplaintError,
    checked_category,
    checked_engagement,
    checked_files,
    checked_outcome,
    checked_severity,
    required_text,
    store_files,
)
from ratings.complaints.models import (
    BREACH_CATEGORIES,
    CommitmentBreach,
    Complaint,
    ComplaintStatus,
    Stage,
)
from ratings.complaints.permissions import (
    answers_for_agency,
    can_file_complaint,
    in_conflict,
    is_complainant,
    is_reviewer,
)
from ratings.complaints.queries import (
    acceptance_deadline,
    conclusion_deadline,
    response_deadline,
    signature_valid_on,
)
from ratings.complaints.signals import complaint_concluded
from registry.accounts.models import Account
from registry.accounts.permissions import PermissionDenied, is_regulator, require
from registry.accounts.roles import REGULATOR_ROLES
from registry.agencies.categories import PUBLIC_STATUSES
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock, utcnow

describe(
    actions={
        "complaint.filed": _l("Complaint filed"),
        "complaint.withdrawn": _l("Complaint withdrawn"),
        "complaint.assigned": _l("Complaint assigned"),
        "complaint.accepted": _l("Complaint accepted"),
        "complaint.not_accepted": _l("Complaint not accepted"),
        "complaint.responded": _l("Agency responded to a complaint"),
        "complaint.proceeded": _l("Investigation started without the agency's response"),
        "complaint.rebutted": _l("Complainant rebutted the response"),
        "complaint.extended": _l("Complaint conclusion deadline extended"),
        "complaint.concluded": _l("Complaint concluded"),
        "complaint.breach_recorded": _l("Commitment breach recorded"),
    },
    objects={"complaint": _l("Complaint")},
)


@dataclass
class ComplaintDetails:
    """What a complainant files: about which agency (and engagement), what, with evidence."""

    agency: Agency | None
    category: str
    text: str
    engagement_id: int | None = None
    files: list[FileStorage] = field(default_factory=list)


# --- the complainant -------------------------------------------------------------------------


def file_complaint(actor, details: ComplaintDetails) -> Complaint:
    """An enterprise or a member of the public files a complaint against a registered agency."""
    require(can_file_complaint, actor)
    agency = details.agency
    if agency is None or agency.status not in PUBLIC_STATUSES:
        raise ComplaintError(_("Choose an agency listed in the registry."), "agency")
    category = checked_category(details.category)
    text = required_text(details.text, "text")
    engagement_id = checked_engagement(actor, agency, details.engagement_id)
    files = checked_files(details.files)
    config, today = current_app.config, local_today()
    complaint = Complaint(
        complainant_id=actor.id,
        agency=agency,
        engagement_id=engagement_id,
        category=category.value,
        text=text,
        status=ComplaintStatus.SUBMITTED.value,
        filed_at=utcnow(),
        filed_on=today,
        accept_days=config["COMPLAINT_ACCEPT_WORKING_DAYS"],
        response_days=config["COMPLAINT_RESPONSE_WORKING_DAYS"],
        conclude_days=config["COMPLAINT_CONCLUDE_WORKING_DAYS"],
    )
    db.session.add(complaint)
    store_files(complaint, files, actor, Stage.COMPLAINT)
    db.session.flush()
    complaint.reference = f"TS-{today.year}-{complaint.id:05d}"
    record(
        "complaint.filed",
        actor=actor,
        obj=complaint,
        details={
            "reference": complaint.reference,
            "agency_id": agency.id,
            "category": category.value,
            "engagement_id": engagement_id,
            "files": [link.file.sha256 for link in complaint.files],
        },
    )
    accept_due = acceptance_deadline(complaint).due
    notices.tell_complainant("complaints.filed", complaint, filed_on=today, accept_due=accept_due)
    notices.tell(
        _regulators_without_conflict(agency.id), "complaints.new", complaint, accept_due=accept_due
    )
    return complaint


def withdraw_complaint(actor, complaint: Complaint, reason: str = "") -> None:
    """The complainant withdraws a complaint that is not yet concluded."""
    if not is_complainant(actor, complaint):
        raise PermissionDenied("is_complainant")
    lock(complaint)
    if not complaint.is_open:
        raise ComplaintError(
            with_last_change(
                _("Only a complaint that is not yet decided or concluded can be withdrawn."),
                complaint,
            )
        )
    complaint.status = ComplaintStatus.WITHDRAWN.value
    complaint.withdrawn_at = utcnow()
    complaint.withdrawal_reason = (reason or "").strip()[:MAX_TEXT] or None
    record("complaint.withdrawn", actor=actor, obj=complaint, details={"reason": reason or ""})
    if complaint.assignee_id is not None:
        notices.tell(complaint.assignee_id, "complaints.withdrawn", complaint)
    if complaint.shown_to_agency:
        notices.tell_agency("complaints.withdrawn", complaint)


def rebut_response(actor, complaint: Complaint, text: str, files=()) -> None:
    """The complainant answers the agency's response once, before the conclusion."""
    if not is_complainant(actor, complaint):
        raise PermissionDenied("is_complainant")
    lock(complaint)
    if complaint.status != ComplaintStatus.INVESTIGATING or complaint.response_text is None:
        raise ComplaintError(
            with_last_change(
                _("A rebuttal answers the agency's response, before the conclusion."), complaint
            )
        )
    if complaint.rebuttal_text is not None:
        raise ComplaintError(
            with_last_change(_("You have already rebutted the response."), complaint)
        )
    complaint.rebuttal_text = required_text(text, "text")
    complaint.rebutted_at = utcnow()
    store_files(complaint, checked_files(files), actor, Stage.REBUTTAL)
    record("complaint.rebutted", actor=actor, obj=complaint)
    if complaint.assignee_id is not None:
        notices.tell(complaint.assignee_id, "complaints.rebutted", complaint)


# --- the agency ------------------------------------------------------------------------------


def respond_to_complaint(actor, complaint: Complaint, text: str, files=()) -> None:
    """The agency gives its account once; on time it moves the complaint to investigation,
    late (after the regulator went on without it) it is still added to the record."""
    lock(complaint)  # whether the agency may answer depends on the state (accepted or not)
    if not answers_for_agency(actor, complaint):
        raise PermissionDenied("answers_for_agency")
    if complaint.status not in (ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING):
        raise ComplaintError(
            with_last_change(_("This complaint no longer takes a response."), complaint)
        )
    if complaint.response_text is not None:
        raise ComplaintError(
            with_last_change(_("Your agency has already responded to this complaint."), complaint)
        )
    complaint.response_text = required_text(text, "text")
    complaint.responded_at = utcnow()
    complaint.responded_on = local_today()
    complaint.responded_by_id = actor.id
    store_files(complaint, checked_files(files), actor, Stage.RESPONSE)
    due = response_deadline(complaint).due
    late = complaint.responded_on > due
    complaint.status = ComplaintStatus.INVESTIGATING.value
    record(
        "complaint.responded",
        actor=actor,
        obj=complaint,
        details={"due": due.isoformat(), "late": late},
    )
    conclusion_due = conclusion_deadline(complaint).due
    if complaint.assignee_id is not None:
        notices.tell(
            complaint.assignee_id, "complaints.responded", complaint, conclusion_due=conclusion_due
        )
    notices.tell_complainant("complaints.response_received", complaint)


# --- regulators ------------------------------------------------------------------------------


def take_complaint(actor, complaint: Complaint) -> None:
    """A regulator takes an unassigned open complaint."""
    _require_handler(actor, complaint)
    lock(complaint)
    _require_open(complaint)
    if complaint.assignee_id is not None:
        raise ComplaintError(with_last_change(_("This complaint is already assigned."), complaint))
    _assign(actor, complaint, actor)


def assign_complaint(actor, complaint: Complaint, assignee: Account | None) -> None:
    """A reviewer assigns (or reassigns) an open complaint to a regulator without a conflict."""
    require(is_reviewer, actor)
    _require_handler(actor, complaint)
    lock(complaint)
    _require_open(complaint)
    if assignee is None or not assignee.active or assignee.role not in REGULATOR_ROLES:
        raise ComplaintError(_("Choose an active regulator."), "assignee")
    if in_conflict(assignee, complaint.agency_id):
        raise ComplaintError(
            _(
                "%(name)s declared a conflict of interest with this agency and cannot be "
                "assigned its complaints.",
                name=assignee.display_name,
            ),
            "assignee",
        )
    if complaint.assignee_id == assignee.id:
        raise ComplaintError(
            with_last_change(
                _("This complaint is already assigned to %(name)s.", name=assignee.display_name),
                complaint,
            ),
            "assignee",
        )
    _assign(actor, complaint, assignee)


def accept_complaint(actor, complaint: Complaint) -> None:
    """受理: the regulator accepts a submitted complaint; the agency's response and the
    conclusion deadlines start. An unassigned complaint becomes the acting regulator's."""
    _require_decider(actor, complaint)
    complaint.status = ComplaintStatus.ACCEPTED.value
    complaint.decided_at = utcnow()
    complaint.decided_by_id = actor.id
    complaint.accepted_on = local_today()
    record("complaint.accepted", actor=actor, obj=complaint)
    response_due = response_deadline(complaint).due
    notices.tell_complainant(
        "complaints.accepted",
        complaint,
        response_due=response_due,
        conclusion_due=conclusion_deadline(complaint).due,
    )
    notices.tell_agency("complaints.to_answer", complaint, response_due=response_due)


def refuse_complaint(actor, complaint: Complaint, reason: str) -> None:
    """不予受理: the regulator does not accept a submitted complaint, and says why."""
    reason = required_text(reason, "reason")
    _require_decider(actor, complaint)
    complaint.status = ComplaintStatus.NOT_ACCEPTED.value
    complaint.decided_at = utcnow()
    complaint.decided_by_id = actor.id
    complaint.not_accepted_reason = reason
    record("complaint.not_accepted", actor=actor, obj=complaint, details={"reason": reason})
    notices.tell_complainant("complaints.not_accepted", complaint, reason=reason)


def proceed_without_response(actor, complaint: Complaint) -> None:
    """The assignee starts the investigation without the agency's response once it is overdue."""
    _require_assignee(actor, complaint)
    if complaint.status != ComplaintStatus.ACCEPTED:
        raise ComplaintError(
            with_last_change(
                _("Only an accepted complaint waits for the agency's response."), complaint
            )
        )
    deadline = response_deadline(complaint)
    if not deadline.is_overdue:
        raise ComplaintError(
            _(
                "The agency may respond until %(due)s; go on without its response only after.",
                due=deadline.due.isoformat(),
            )
        )
    complaint.status = ComplaintStatus.INVESTIGATING.value
    complaint.proceeded_at = utcnow()
    record(
        "complaint.proceeded", actor=actor, obj=complaint, details={"due": deadline.due.isoformat()}
    )
    notices.tell_complainant("complaints.proceeded", complaint, response_due=deadline.due)
    notices.tell_agency("complaints.proceeded", complaint, response_due=deadline.due)


def extend_conclusion_deadline(actor, complaint: Complaint, days: int | None, reason: str) -> None:
    """A reviewer extends the conclusion deadline once, with a reason, before it passes."""
    require(is_reviewer, actor)
    _require_handler(actor, complaint)
    lock(complaint)
    if complaint.status not in (ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING):
        raise ComplaintError(
            with_last_change(
                _("Only an accepted complaint not yet concluded can be extended."), complaint
            )
        )
    if complaint.extension_days is not None:
        raise ComplaintError(
            with_last_change(
                _("This complaint's deadline has already been extended once."), complaint
            )
        )
    limit = current_app.config["COMPLAINT_MAX_EXTENSION_WORKING_DAYS"]
    if days is None or not 0 < days <= limit:
        raise ComplaintError(_("Extend by 1 to %(n)d working days.", n=limit), "days")
    reason = required_text(reason, "reason")
    before = conclusion_deadline(complaint)
    if before.is_overdue:
        raise ComplaintError(
            _(
                "The conclusion was due on %(due)s; an extension must be granted by then.",
                due=before.due.isoformat(),
            )
        )
    complaint.extension_days = days
    complaint.extension_reason = reason
    complaint.extended_at = utcnow()
    complaint.extended_by_id = actor.id
    after = conclusion_deadline(complaint).due
    record(
        "complaint.extended",
        actor=actor,
        obj=complaint,
        details={
            "days": days,
            "reason": reason,
            "from": before.due.isoformat(),
            "to": after.isoformat(),
        },
    )
    notices.tell_complainant("complaints.extended", complaint, conclusion_due=after, reason=reason)
    if complaint.assignee_id not in (None, actor.id):
        notices.tell(
            complaint.assignee_id,
            "complaints.extended",
            complaint,
            conclusion_due=after,
            reason=reason,
        )


def conclude_complaint(
    actor, complaint: Complaint, outcome: str, severity: str | None, reasons: str
) -> CommitmentBreach | None:
    """The assignee concludes an investigated complaint, substantiated (with a severity) or
    unsubstantiated, with reasons; both parties are told. A substantiated complaint in a
    category the commitment letter covers is recorded as a breach (returned). Then
    complaint_concluded is sent in the same transaction (the blacklist's rules listen)."""
    _require_assignee(actor, complaint)
    if complaint.status != ComplaintStatus.INVESTIGATING:
        raise ComplaintError(
            with_last_change(
                _("Only a complaint under investigation can be concluded; accept it first."),
                complaint,
            )
        )
    outcome = checked_outcome(outcome)
    severity = checked_severity(outcome, severity)
    reasons = required_text(reasons, "reasons")
    complaint.status = outcome.value
    complaint.severity = severity
    complaint.conclusion_reasons = reasons
    complaint.concluded_at = utcnow()
    complaint.concluded_on = local_today()
    complaint.concluded_by_id = actor.id
    record(
        "complaint.concluded",
        actor=actor,
        obj=complaint,
        details={"outcome": outcome.value, "severity": severity, "reasons": reasons},
    )
    notices.tell_complainant(f"complaints.{outcome.value}", complaint, reasons=reasons)
    notices.tell_agency(f"complaints.{outcome.value}", complaint, reasons=reasons)
    breach = None
    if outcome == ComplaintStatus.SUBSTANTIATED and complaint.category in BREACH_CATEGORIES:
        breach = _record_breach(actor, complaint)
    db.session.flush()  # receivers query the conclusion and the breach
    complaint_concluded.send(current_app._get_current_object(), complaint=complaint)
    return breach


def _record_breach(actor, complaint: Complaint) -> CommitmentBreach:
    """Against the signature valid when the complaint was filed (None if there was none)."""
    signature = signature_valid_on(complaint.agency_id, complaint.filed_on)
    breach = CommitmentBreach(
        complaint=complaint,
        agency_id=complaint.agency_id,
        signature_id=signature.id if signature else None,
        category=complaint.category,
        severity=complaint.severity,
        recorded_at=utcnow(),
        recorded_on=local_today(),
    )
    db.session.add(breach)
    db.session.flush()
    record(
        "complaint.breach_recorded",
        actor=actor,
        obj=complaint,
        details={
            "breach_id": breach.id,
            "signature_id": breach.signature_id,
            "receipt_code": signature.receipt_code if signature else None,
        },
    )
    notices.tell_agency("complaints.breach", complaint)
    return breach


# --- checks ----------------------------------------------------------------------------------


def _require_handler(actor, complaint: Complaint) -> None:
    """A regulator, without a conflict of interest with the complaint's agency."""
    require(is_regulator, actor)
    if in_conflict(actor, complaint.agency_id):
        raise ComplaintError(
            _(
                "You declared a conflict of interest with %(agency)s: another regulator must "
                "handle this complaint.",
                agency=complaint.agency.name,
            )
        )


def _require_open(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise ComplaintError(with_last_change(_("This complaint is closed."), complaint))


def _require_decider(actor, complaint: Complaint) -> None:
    """Accepting or not: a submitted complaint, by its assignee or, unassigned, anyone who
    may handle it (who then becomes its assignee)."""
    _require_handler(actor, complaint)
    lock(complaint)
    if complaint.status != ComplaintStatus.SUBMITTED:
        raise ComplaintError(
            with_last_change(_("This complaint has already been decided on."), complaint)
        )
    if complaint.assignee_id not in (None, actor.id):
        raise ComplaintError(
            with_last_change(_("This complaint is assigned to another regulator."), complaint)
        )
    if complaint.assignee_id is None:
        _assign(actor, complaint, actor)


def _require_assignee(actor, complaint: Complaint) -> None:
    """The regulator the complaint is assigned to, with the complaint locked for the change."""
    _require_handler(actor, complaint)
    lock(complaint)
    if complaint.assignee_id != actor.id:
        raise ComplaintError(
            with_last_change(
                _("Only the regulator this complaint is assigned to can do this."), complaint
            )
        )


def _assign(actor, complaint: Complaint, assignee: Account) -> None:
    previous = complaint.assignee_id
    complaint.assignee_id = assignee.id
    complaint.assignee = assignee
    record(
        "complaint.assigned",
        actor=actor,
        obj=complaint,
        details={"assignee_id": assignee.id, "previous_assignee_id": previous},
    )
    if assignee.id != getattr(actor, "id", None):
        notices.tell(assignee.id, "complaints.assigned", complaint)


def _regulators_without_conflict(agency_id: int) -> list[int]:
    from ratings.complaints.queries import regulators_for

    return [account.id for account in regulators_for(agency_id)]
