"""The blacklist case lifecycle: one function per transition (see models.py for the diagram).

Each function checks who acts (PermissionDenied for the wrong party), refuses an act in the
wrong state or bad input with a BlacklistError saying why, changes rows, writes the audit
event and the inbox notices, and leaves the commit to the caller, who rolls back on a
refusal. Each locks its case (or, to open one, the agency) before reading the state it
depends on, so of two people acting at once the second is refused with who acted and when.
States are read as the dates have them today: a listing past its last day is expired, even
before `flask blacklist expire` records it. Credit repair is in repair.py, the automatic
proposals in rules.py, the checks they share in checks.py.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blacklist import notices
from blacklist.checks import (
    BlacklistError,
    blocking_case,
    check_password,
    checked_ground,
    linked_complaints,
    require_decider,
    require_listed,
    required_text,
    shown_day,
)
from blacklist.files import FileRefused, chosen, fingerprint, store_files
from blacklist.models import (
    MANUAL,
    OPEN_STATES,
    BlacklistCase,
    CaseState,
    FileStage,
)
from blacklist.permissions import (
    answers_for_agency,
    can_propose_case,
)
from blacklist.queries import objection_deadline, window_open
from ratings.working_days import Deadline
from registry.accounts.permissions import SYSTEM, PermissionDenied, require
from registry.agencies.categories import PUBLIC_STATUSES
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db, lock, lock_rows, utcnow

describe(
    actions={
        "blacklist.proposed": _l("Blacklist listing proposed"),
        "blacklist.notified": _l("Agency notified of a blacklist proposal"),
        "blacklist.objected": _l("Agency objected to a blacklist proposal"),
        "blacklist.listed": _l("Agency listed on the blacklist"),
        "blacklist.rejected": _l("Blacklist proposal rejected"),
        "blacklist.expired": _l("Blacklist listing expired"),
        "blacklist.revoked": _l("Blacklist listing revoked"),
        "blacklist.repair_applied": _l("Credit repair applied for"),
        "blacklist.repaired": _l("Credit repair approved; listing ended"),
        "blacklist.repair_refused": _l("Credit repair refused"),
    },
    objects={
        "blacklist_case": _l("Blacklist case"),
        "repair_application": _l("Credit repair application"),
    },
)

TERMS = (1, 2, 3)


@dataclass
class Proposal:
    """What a regulator (or a rule) proposes: the ground, the facts, the legal basis."""

    ground: str
    facts: str
    legal_basis: str
    complaint_ids: list[int] = field(default_factory=list)


@dataclass
class Decision:
    """A reviewer's decision: listed (with number, authority and term) or rejected."""

    outcome: str  # "listed" or "rejected"
    reasons: str
    password: str
    decision_number: str = ""
    deciding_authority: str = ""
    term_years: int | None = None


# --- proposing and notifying ---------------------------------------------------------------


def propose_case(actor, agency: Agency, proposal: Proposal) -> BlacklistCase:
    """A regulator proposes to list an agency. Refused: an agency not on the public
    register; an unknown ground; no facts or legal basis; complaints that are not this
    agency's substantiated ones; an open or listed case of the same ground."""
    require(can_propose_case, actor)
    return open_case(agency, proposal, source=MANUAL, actor=actor)


def open_case(agency: Agency, proposal: Proposal, *, source: str, actor) -> BlacklistCase:
    """Create a `proposed` case (a regulator's, or a rule's with source = the rule's id)."""
    lock(agency)  # the parent of its cases: of two proposals at once, the second sees the first
    if agency.status not in PUBLIC_STATUSES:
        raise BlacklistError(_("Only an agency on the public register can be listed."))
    ground = checked_ground(proposal.ground)
    facts = required_text(proposal.facts, "facts")
    legal_basis = required_text(proposal.legal_basis, "legal_basis")
    today = local_today()
    blocking = blocking_case(agency.id, ground, today)
    if blocking is not None:
        raise BlacklistError(
            with_last_change(
                _(
                    "Case %(number)d on the same ground is still open or in force (%(state)s).",
                    number=blocking.id,
                    state=blocking.state_on(today).label,
                ),
                blocking,
            ),
            "ground",
        )
    case = BlacklistCase(
        agency=agency,
        state=CaseState.PROPOSED.value,
        ground=ground.value,
        facts=facts,
        legal_basis=legal_basis,
        source=source,
        proposed_by_id=getattr(actor, "id", None),
        proposed_at=utcnow(),
        proposed_on=today,
    )
    case.complaints = linked_complaints(agency, proposal.complaint_ids)
    db.session.add(case)
    db.session.flush()
    record(
        "blacklist.proposed",
        actor=actor,
        obj=case,
        details={
            "agency": agency.credit_code,
            "ground": ground.value,
            "source": source,
            "complaints": [complaint.reference for complaint in case.complaints],
        },
    )
    notices.tell_regulators("blacklist.proposed", case)
    return case


def notify_case(actor, case: BlacklistCase) -> Deadline:
    """A regulator tells the agency the ground; its objection window opens (working days,
    from the day after the notice). Returns the objection deadline."""
    require(can_propose_case, actor)
    lock(case)
    if case.state != CaseState.PROPOSED:
        raise BlacklistError(
            with_last_change(
                _(
                    "Only a proposed case can be notified; this one is %(state)s.",
                    state=_label(case),
                ),
                case,
            )
        )
    today = local_today()
    case.state = CaseState.NOTIFIED.value
    case.notified_by_id = actor.id
    case.notified_at = utcnow()
    case.notified_on = today
    case.objection_days = current_app.config["BLACKLIST_OBJECTION_WORKING_DAYS"]
    deadline = objection_deadline(case, today)
    record(
        "blacklist.notified",
        actor=actor,
        obj=case,
        details={"objection_days": case.objection_days, "objection_due": deadline.due.isoformat()},
    )
    notices.tell_agency("blacklist.notified", case, objection_due=deadline.due)
    return deadline


# --- the agency objects --------------------------------------------------------------------


def file_objection(actor, case: BlacklistCase, statement: str, files=()) -> None:
    """The agency's staff object once, within the window, with a statement and evidence."""
    if not answers_for_agency(actor, case):
        raise PermissionDenied("answers_for_agency")
    lock(case)
    if case.state == CaseState.OBJECTION_FILED:
        raise BlacklistError(
            with_last_change(_("Your agency has already objected; the reviewer reads it."), case)
        )
    if case.state != CaseState.NOTIFIED:
        raise BlacklistError(
            with_last_change(
                _("This case takes no objection now; it is %(state)s.", state=_label(case)), case
            )
        )
    today = local_today()
    deadline = objection_deadline(case, today)
    if deadline.is_overdue:
        raise BlacklistError(
            _("The objection window closed on %(due)s.", due=shown_day(deadline.due)), "statement"
        )
    statement = required_text(statement, "statement")
    try:
        links = store_files(case, chosen(files), actor, FileStage.OBJECTION)
    except FileRefused as error:
        raise BlacklistError(str(error), "files") from None
    case.state = CaseState.OBJECTION_FILED.value
    case.objection_text = statement
    case.objection_at = utcnow()
    case.objection_by_id = actor.id
    db.session.flush()
    record("blacklist.objected", actor=actor, obj=case, details=fingerprint(statement, links))
    notices.tell_regulators("blacklist.objection_filed", case, reviewers_only=True)


# --- the decision --------------------------------------------------------------------------


def decide_case(actor, case: BlacklistCase, decision: Decision) -> None:
    """A reviewer who did not propose the case lists the agency or rejects the proposal.

    Listed: only once the agency was heard (it objected, or its window closed), with a
    decision number (unique), the deciding authority and a term of 1-3 years; the listing
    counts from today to the day before the term's anniversary. Rejected: any case still
    waiting for a decision, even before the notice; a decision number is optional.
    Both need reasons and the reviewer's password.
    """
    lock(case)  # before who may decide, too: notifying a rule's proposal adopts it
    require_decider(actor, case)
    if decision.outcome not in ("listed", "rejected"):
        raise BlacklistError(
            _("Choose whether to list the agency or reject the proposal."), "outcome"
        )
    check_password(actor, decision.password)
    reasons = required_text(decision.reasons, "reasons")
    today = local_today()
    if decision.outcome == "listed":
        _list(actor, case, decision, reasons, today)
    else:
        _reject(actor, case, decision, reasons, today)


def _list(actor, case: BlacklistCase, decision: Decision, reasons: str, today: date) -> None:
    if case.state == CaseState.PROPOSED:
        raise BlacklistError(_("Notify the agency first: it may object before a listing."))
    if case.state == CaseState.NOTIFIED and window_open(case, today):
        raise BlacklistError(
            _(
                "The agency may object until %(due)s; decide after that day, or once it objects.",
                due=shown_day(objection_deadline(case, today).due),
            )
        )
    if case.state not in (CaseState.NOTIFIED, CaseState.OBJECTION_FILED):
        raise BlacklistError(
            with_last_change(
                _(
                    "Only a case waiting for a decision can be listed; this one is %(state)s.",
                    state=_label(case),
                ),
                case,
            )
        )
    number = _decision_number(decision.decision_number, required=True)
    authority = required_text(decision.deciding_authority, "deciding_authority")
    if decision.term_years not in TERMS:
        raise BlacklistError(_("Choose a term of 1, 2 or 3 years."), "term_years")
    _settle(actor, case, reasons, today)
    case.deciding_authority = authority
    case.term_years = decision.term_years
    case.listed_from = today
    case.listed_until = add_months(today, 12 * decision.term_years) - timedelta(days=1)
    _write_decision(case, CaseState.LISTED, number)
    refresh_listing(case.agency, today)
    record(
        "blacklist.listed",
        actor=actor,
        obj=case,
        details={
            "agency": case.agency.credit_code,
            "decision_number": number,
            "authority": authority,
            "listed_from": case.listed_from.isoformat(),
            "listed_until": case.listed_until.isoformat(),
            "reasons": reasons,
        },
    )
    notices.tell_agency(
        "blacklist.listed",
        case,
        decision_number=number,
        authority=authority,
        listed_from=case.listed_from,
        listed_until=case.listed_until,
        reasons=reasons,
    )


def _reject(actor, case: BlacklistCase, decision: Decision, reasons: str, today: date) -> None:
    if case.state not in OPEN_STATES:
        raise BlacklistError(
            with_last_change(
                _(
                    "Only a case waiting for a decision can be rejected; this one is %(state)s.",
                    state=_label(case),
                ),
                case,
            )
        )
    number = _decision_number(decision.decision_number, required=False)
    _settle(actor, case, reasons, today)
    case.deciding_authority = (decision.deciding_authority or "").strip() or None
    _write_decision(case, CaseState.REJECTED, number)
    record(
        "blacklist.rejected",
        actor=actor,
        obj=case,
        details={"decision_number": number, "reasons": reasons},
    )
    if case.shown_to_agency:
        notices.tell_agency("blacklist.rejected", case, reasons=reasons)


def _settle(actor, case, reasons: str, today: date) -> None:
    case.decided_by_id = actor.id
    case.decided_at = utcnow()
    case.decided_on = today
    case.decision_reasons = reasons


def _write_decision(case: BlacklistCase, state: CaseState, number: str | None) -> None:
    """Write the decision's details, then its state with its number, which no other case
    may hold: another case decided with the same number at the same moment has it once the
    unique constraint has waited for that decision's commit, and the refusal names it."""
    db.session.flush()
    try:
        with db.session.begin_nested():
            case.state = state.value
            case.decision_number = number
    except IntegrityError:
        _decision_number(number, required=True)  # raises, naming the case that holds it
        raise


def _decision_number(value: str, *, required: bool) -> str | None:
    number = (value or "").strip()
    if not number:
        if required:
            raise BlacklistError(
                _("A listing needs the number of its decision."), "decision_number"
            )
        return None
    if len(number) > 100:
        raise BlacklistError(_("At most 100 characters."), "decision_number")
    taken = db.session.execute(
        select(BlacklistCase.id).where(BlacklistCase.decision_number == number)
    ).scalar()
    if taken is not None:
        raise BlacklistError(
            _(
                "Decision number %(number)s is already used by case %(case)d.",
                number=number,
                case=taken,
            ),
            "decision_number",
        )
    return number


# --- the end of a listing ------------------------------------------------------------------


def revoke_listing(actor, case: BlacklistCase, reason: str, password: str) -> None:
    """A reviewer who did not propose the case revokes a listing in force that was wrong;
    the record stays, marked revoked, and the agency is off the list at once."""
    lock(case)
    require_decider(actor, case)
    today = local_today()
    require_listed(case, today)
    check_password(actor, password)
    reason = required_text(reason, "reason")
    end_listing(actor, case, CaseState.REVOKED, reason, today)
    record("blacklist.revoked", actor=actor, obj=case, details={"reason": reason})
    notices.tell_agency("blacklist.revoked", case, reason=reason)


def record_expiries(today: date) -> list[BlacklistCase]:
    """Record `expired` for listings whose last day has passed, and tell their agencies.

    The listing stopped counting the day after its last day whatever this finds; this only
    records it. Idempotent: a second run finds nothing. The agency keeps its listing dates,
    which already say the listing no longer counts.
    """
    cases = (
        lock_rows(
            select(BlacklistCase)
            .where(
                BlacklistCase.state == CaseState.LISTED.value, BlacklistCase.listed_until < today
            )
            .order_by(BlacklistCase.id)
        )
        .scalars()
        .all()
    )
    for case in cases:
        case.state = CaseState.EXPIRED.value
        case.ended_at = utcnow()
        case.ended_on = case.listed_until + timedelta(days=1)
        record(
            "blacklist.expired",
            actor=SYSTEM,
            obj=case,
            details={
                "agency": case.agency.credit_code,
                "listed_until": case.listed_until.isoformat(),
            },
        )
        notices.tell_agency("blacklist.expired", case, listed_until=case.listed_until)
    return cases


def end_listing(actor, case: BlacklistCase, state: CaseState, reason: str, today: date) -> None:
    """End a listing in force today (revoked or repaired); the agency is off the list now."""
    case.state = state.value
    case.ended_at = utcnow()
    case.ended_on = today
    case.ended_by_id = actor.id
    case.end_reason = reason
    db.session.flush()
    refresh_listing(case.agency, today)


def refresh_listing(agency: Agency, today: date) -> None:
    """Put the dates of the agency's listings in force today on the agency row (their
    span: each began on or before today), or clear them when none is in force."""
    spans = db.session.execute(
        select(BlacklistCase.listed_from, BlacklistCase.listed_until).where(
            BlacklistCase.agency_id == agency.id,
            BlacklistCase.state == CaseState.LISTED.value,
            BlacklistCase.listed_until >= today,
        )
    ).all()
    if spans:
        agency.listed_from = min(span.listed_from for span in spans)
        agency.listed_until = max(span.listed_until for span in spans)
    else:
        agency.listed_from = agency.listed_until = None


def _label(case: BlacklistCase) -> str:
    return str(case.state_on(local_today()).label)
