"""Evaluating and inspecting agencies: supervisors evaluate once a quarter, regulators record
inspections and withdraw those entered in error.

Each function checks its actor's permission, locks the row it changes before checking its
state (registry.db.lock), validates, changes rows, writes the audit event and the inbox
notices, and leaves the commit to the caller.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from ratings.assessments.models import (
    ASSESSED_STATUSES,
    EVALUATION_SCORES,
    FIRST_INSPECTION_DAY,
    INSPECTION_SCORES,
    Inspection,
    SupervisorEvaluation,
    quarter_bounds,
    quarter_of,
)
from ratings.assessments.permissions import can_change_evaluation, can_inspect, is_supervisor
from ratings.assessments.queries import evaluation_of
from registry.accounts.permissions import PermissionDenied, require
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock, utcnow
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify_agency
from registry.uploads.services import UploadError, store_upload

describe(
    actions={
        "evaluation.submitted": _l("Supervisor evaluation submitted"),
        "evaluation.changed": _l("Supervisor evaluation changed"),
        "inspection.recorded": _l("Inspection recorded"),
        "inspection.withdrawn": _l("Inspection withdrawn"),
    },
    objects={
        "supervisor_evaluation": _l("Supervisor evaluation"),
        "inspection": _l("Inspection"),
    },
)
register_kind(
    "inspection.recorded",
    _l("Inspection of %(inspected_on)s recorded: %(score)s out of 100"),
    _l(
        "A regulator recorded the inspection of your agency on %(inspected_on)s with "
        "%(score)s points out of 100. Read the findings on your agency's inspections page."
    ),
)
register_kind(
    "inspection.withdrawn",
    _l("Inspection of %(inspected_on)s withdrawn"),
    _l(
        "A regulator withdrew the inspection of %(inspected_on)s (%(score)s out of 100) as "
        "entered in error: %(reason)s. It no longer counts in your agency's rating."
    ),
)

MY_INSPECTIONS = ("assessments.my_inspections", {})
REMARKS_MAX_LENGTH = 2000
FINDINGS_MAX_LENGTH = 10000


class AssessmentError(ValueError):
    """A refused evaluation or inspection; the message is for the user, about the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EvaluationDetails:
    """What a supervisor gives: a score from 1 to 5 and remarks."""

    score: int | None
    remarks: str = ""


@dataclass
class InspectionDetails:
    """What a regulator enters: the day, a score from 0 to 100, the findings, a report."""

    inspected_on: date | None
    score: int | None
    findings: str
    report: FileStorage | None = None


def quarter_name(year: int, quarter: int) -> str:
    """A quarter as people say it: "Q4 2026", "2026年第4季度"."""
    return _("Q%(quarter)d %(year)d", quarter=quarter, year=year)


# --- supervisor evaluations ---------------------------------------------------------------------


def evaluate_agency(actor, agency: Agency, details: EvaluationDetails) -> SupervisorEvaluation:
    """A supervisor evaluates an agency for the current quarter (local date).

    Refused: anyone but a supervisor; an agency that is not active or suspended; a score
    outside 1–5; remarks too long; a second evaluation of the agency by the same
    supervisor in the same quarter (the first one may be changed instead).

    Of two submits at once, both may find no evaluation; the quarter's unique key then lets
    one in and holds the other until the first commits, which is refused naming the first.
    The agency's row is not locked for this: the rating refresh writes it after the audit
    log's lock, so holding it while waiting for that lock can deadlock.
    """
    require(is_supervisor, actor)
    _check_assessed(agency)
    score, remarks = _checked_evaluation(details)
    today = local_today()
    year, quarter = quarter_of(today)
    _refuse_a_second(actor, agency, year, quarter)
    evaluation = SupervisorEvaluation(
        supervisor_id=actor.id,
        agency_id=agency.id,
        year=year,
        quarter=quarter,
        score=score,
        remarks=remarks,
        evaluated_on=today,
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        _refuse_a_second(actor, agency, year, quarter)  # the first is committed now
        raise
    record(
        "evaluation.submitted",
        actor=actor,
        obj=evaluation,
        details={
            "agency": agency.credit_code,
            "year": year,
            "quarter": quarter,
            "score": score,
            "remarks": remarks,
        },
    )
    return evaluation


def change_evaluation(actor, evaluation: SupervisorEvaluation, details: EvaluationDetails) -> bool:
    """Its supervisor corrects an evaluation within its quarter; False when nothing changed.

    The audit event keeps the score and remarks before and after. Once the quarter has
    ended the evaluation is fixed: the next quarter takes a new one.
    """
    if not can_change_evaluation(actor, evaluation):
        raise PermissionDenied("only its supervisor changes an evaluation")
    lock(evaluation)
    today = local_today()
    if not evaluation.open_for_change_on(today):
        last_day = quarter_bounds(evaluation.year, evaluation.quarter)[1]
        raise AssessmentError(
            _(
                "Your evaluation for %(quarter)s can no longer be changed: a quarter's "
                "evaluations are final after its last day (%(day)s). Evaluate the agency "
                "again for this quarter.",
                quarter=quarter_name(evaluation.year, evaluation.quarter),
                day=format_date(last_day, "medium"),
            )
        )
    score, remarks = _checked_evaluation(details)
    changes = {
        name: [getattr(evaluation, name), value]
        for name, value in (("score", score), ("remarks", remarks))
        if getattr(evaluation, name) != value
    }
    if not changes:
        return False
    evaluation.score, evaluation.remarks = score, remarks
    evaluation.evaluated_on = today
    evaluation.updated_at = utcnow()
    record(
        "evaluation.changed",
        actor=actor,
        obj=evaluation,
        details={
            "agency": evaluation.agency.credit_code,
            "year": evaluation.year,
            "quarter": evaluation.quarter,
            "changes": changes,
        },
    )
    return True


def _refuse_a_second(actor, agency: Agency, year: int, quarter: int) -> None:
    earlier = evaluation_of(actor.id, agency.id, year, quarter)
    if earlier is not None:
        raise AssessmentError(with_last_change(_already_evaluated(agency, year, quarter), earlier))


def _already_evaluated(agency: Agency, year: int, quarter: int) -> str:
    return _(
        "You have already evaluated %(agency)s for %(quarter)s. A supervisor evaluates an "
        "agency once a quarter; you may change that evaluation until the quarter ends.",
        agency=agency.name,
        quarter=quarter_name(year, quarter),
    )


def _checked_evaluation(details: EvaluationDetails) -> tuple[int, str]:
    low, high = EVALUATION_SCORES
    if not _whole_number_between(details.score, low, high):
        raise AssessmentError(
            _("Choose a score from %(low)d to %(high)d.", low=low, high=high), "score"
        )
    remarks = (details.remarks or "").strip()
    if len(remarks) > REMARKS_MAX_LENGTH:
        raise AssessmentError(_too_long(REMARKS_MAX_LENGTH), "remarks")
    return details.score, remarks


# --- inspections ------------------------------------------------------------------------------


def record_inspection(actor, agency: Agency, details: InspectionDetails) -> Inspection:
    """A regulator records an inspection of an agency; the agency's staff are told.

    Refused: anyone but a regulator or reviewer; an agency that is not active or
    suspended; a day in the future or before 2000; a score outside 0–100; no findings; a
    report that is not a PDF, JPEG or PNG, or too large. The inspection day may be earlier
    than the agency's registration here: agencies imported from the regulator's list carry
    the import day, and their inspections of the past years count in the rating.
    """
    require(can_inspect, actor)
    _check_assessed(agency)
    inspected_on, score, findings = _checked_inspection(details)
    report = None
    if details.report is not None and details.report.filename:
        try:
            report = store_upload(details.report, uploaded_by=actor)
        except UploadError as error:
            raise AssessmentError(str(error), "report") from None
    inspection = Inspection(
        agency_id=agency.id,
        inspected_on=inspected_on,
        score=score,
        findings=findings,
        report=report,
        entered_by_id=actor.id,
    )
    db.session.add(inspection)
    db.session.flush()
    record(
        "inspection.recorded",
        actor=actor,
        obj=inspection,
        details={
            "agency": agency.credit_code,
            "inspected_on": inspected_on.isoformat(),
            "score": score,
            "report_sha256": report.sha256 if report else None,
        },
    )
    notify_agency(
        agency,
        "inspection.recorded",
        params={"inspected_on": inspected_on, "score": score},
        link=MY_INSPECTIONS,
        dedupe_key=f"inspection-recorded:{inspection.id}",
    )
    return inspection


def withdraw_inspection(actor, inspection: Inspection, reason: str) -> None:
    """A regulator withdraws an inspection entered in error: kept, marked, no longer counted."""
    require(can_inspect, actor)
    lock(inspection)
    if inspection.withdrawn_at is not None:
        raise AssessmentError(
            with_last_change(_("This inspection is already withdrawn."), inspection)
        )
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError(_("Give the reason; the agency reads it."), "reason")
    if len(reason) > REMARKS_MAX_LENGTH:
        raise AssessmentError(_too_long(REMARKS_MAX_LENGTH), "reason")
    inspection.withdrawn_at = utcnow()
    inspection.withdrawn_by_id = actor.id
    inspection.withdraw_reason = reason
    record(
        "inspection.withdrawn",
        actor=actor,
        obj=inspection,
        details={
            "agency": inspection.agency.credit_code,
            "inspected_on": inspection.inspected_on.isoformat(),
            "score": inspection.score,
            "reason": reason,
        },
    )
    notify_agency(
        inspection.agency_id,
        "inspection.withdrawn",
        params={
            "inspected_on": inspection.inspected_on,
            "score": inspection.score,
            "reason": reason,
        },
        link=MY_INSPECTIONS,
        dedupe_key=f"inspection-withdrawn:{inspection.id}",
    )


def _checked_inspection(details: InspectionDetails) -> tuple[date, int, str]:
    day = details.inspected_on
    if day is None or day > local_today():
        raise AssessmentError(
            _("Enter the day of the inspection; it cannot be in the future."), "inspected_on"
        )
    if day < FIRST_INSPECTION_DAY:
        raise AssessmentError(
            _(
                "Enter the day of the inspection: %(day)s or later.",
                day=format_date(FIRST_INSPECTION_DAY, "medium"),
            ),
            "inspected_on",
        )
    low, high = INSPECTION_SCORES
    if not _whole_number_between(details.score, low, high):
        raise AssessmentError(
            _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high), "score"
        )
    findings = (details.findings or "").strip()
    if not findings:
        raise AssessmentError(_("Write down the findings; the agency reads them."), "findings")
    if len(findings) > FINDINGS_MAX_LENGTH:
        raise AssessmentError(_too_long(FINDINGS_MAX_LENGTH), "findings")
    return day, details.score, findings


# --- shared -------------------------------------------------------------------------------------


def _check_assessed(agency: Agency) -> None:
    if agency.status not in ASSESSED_STATUSES:
        raise AssessmentError(
            _(
                "%(agency)s is %(status)s: only active and suspended agencies are evaluated "
                "and inspected.",
                agency=agency.name,
                status=agency.status_enum.label,
            )
        )


def _whole_number_between(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _too_long(limit: int) -> str:
    return _("Use at most %(limit)d characters.", limit=limit)
