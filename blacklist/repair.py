"""Credit repair (信用修复): a listed agency applies, a reviewer approves or refuses.

An application is possible while the listing is in force, from BLACKLIST_REPAIR_MIN_MONTHS
after its first day, one at a time, and BLACKLIST_REPAIR_WAIT_MONTHS after the last refusal.
Approval ends the listing (`repaired`) at once.
"""

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from blacklist import notices
from blacklist.checks import (
    BlacklistError,
    check_password,
    require_decider,
    require_listed,
    required_text,
    shown_day,
)
from blacklist.files import FileRefused, chosen, fingerprint, store_files
from blacklist.models import BlacklistCase, CaseState, FileStage, RepairApplication, RepairStatus
from blacklist.permissions import answers_for_agency
from blacklist.services import end_listing
from registry.accounts.permissions import PermissionDenied
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db, lock, utcnow


def repair_opens_on(case: BlacklistCase) -> date:
    """The first day the agency may apply: the minimum period into its term."""
    return add_months(case.listed_from, current_app.config["BLACKLIST_REPAIR_MIN_MONTHS"])


def last_refusal(case: BlacklistCase) -> RepairApplication | None:
    refused = [r for r in case.repairs if r.status == RepairStatus.REFUSED]
    return max(refused, key=lambda r: r.decided_on, default=None)


def next_application_on(case: BlacklistCase) -> date:
    """The first day an application is allowed: after the minimum period, and the wait
    after the last refusal."""
    day = repair_opens_on(case)
    refusal = last_refusal(case)
    if refusal is not None:
        wait = current_app.config["BLACKLIST_REPAIR_WAIT_MONTHS"]
        day = max(day, add_months(refusal.decided_on, wait))
    return day


def pending_application(case: BlacklistCase) -> RepairApplication | None:
    return next((r for r in case.repairs if r.status == RepairStatus.PENDING), None)


def apply_for_repair(actor, case: BlacklistCase, statement: str, files=()) -> RepairApplication:
    """The agency's staff apply with a rectification statement and at least one evidence
    file. Refused: a case not listed today; before the minimum period; within the wait
    after a refusal; while another application waits."""
    if not answers_for_agency(actor, case):
        raise PermissionDenied("answers_for_agency")
    lock(case)  # the parent of its applications: of two at once, the second sees the first
    today = local_today()
    if case.state_on(today) != CaseState.LISTED:
        raise BlacklistError(with_last_change(_("Only a listing in force can be repaired."), case))
    waiting = pending_application(case)
    if waiting is not None:
        raise BlacklistError(
            with_last_change(_("An application is already waiting for a reviewer."), waiting)
        )
    _check_timing(case, today)
    statement = required_text(statement, "statement")
    uploads = chosen(files)
    if not uploads:
        raise BlacklistError(_("Attach evidence of the rectification."), "files")
    application = RepairApplication(
        case=case,
        statement=statement,
        status=RepairStatus.PENDING.value,
        applied_by_id=actor.id,
        applied_at=utcnow(),
        applied_on=today,
    )
    db.session.add(application)
    db.session.flush()
    try:
        links = store_files(case, uploads, actor, FileStage.REPAIR, application)
    except FileRefused as error:
        raise BlacklistError(str(error), "files") from None
    db.session.flush()
    details = {"case_id": case.id, **fingerprint(statement, links)}
    record("blacklist.repair_applied", actor=actor, obj=application, details=details)
    notices.tell_regulators(
        "blacklist.repair_applied", case, reviewers_only=True, key=f":{application.id}"
    )
    return application


def _check_timing(case: BlacklistCase, today: date) -> None:
    opens = repair_opens_on(case)
    if today < opens:
        raise BlacklistError(
            _(
                "Credit repair opens on %(day)s, %(months)d months into the listing.",
                day=shown_day(opens),
                months=current_app.config["BLACKLIST_REPAIR_MIN_MONTHS"],
            )
        )
    again = next_application_on(case)
    if today < again:
        raise BlacklistError(
            _(
                "Your last application was refused on %(refused)s; "
                "you may apply again from %(day)s.",
                refused=shown_day(last_refusal(case).decided_on),
                day=shown_day(again),
            )
        )


def decide_repair(
    actor, application: RepairApplication, approve: bool, reasons: str, password: str
) -> None:
    """A reviewer who did not propose the case approves (the listing ends as `repaired`)
    or refuses, with reasons and their password. The case is locked before the application
    (as revoking and applying lock it), so a revocation at the same moment is seen."""
    case = lock(application.case)
    lock(application)
    require_decider(actor, case)
    if application.status != RepairStatus.PENDING:
        raise BlacklistError(
            with_last_change(_("This application is already decided."), application)
        )
    today = local_today()
    if approve:
        require_listed(case, today)
    check_password(actor, password)
    reasons = required_text(reasons, "reasons")
    application.status = (RepairStatus.APPROVED if approve else RepairStatus.REFUSED).value
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    application.decided_on = today
    application.decision_reasons = reasons
    details = {"case_id": case.id, "reasons": reasons}
    if approve:
        end_listing(actor, case, CaseState.REPAIRED, reasons, today)
        record("blacklist.repaired", actor=actor, obj=application, details=details)
        notices.tell_agency("blacklist.repaired", case, reasons=reasons)
        return
    db.session.flush()
    record("blacklist.repair_refused", actor=actor, obj=application, details=details)
    notices.tell_agency(
        "blacklist.repair_refused",
        case,
        key=f":{application.id}",
        reasons=reasons,
        again_on=next_application_on(case),
    )
