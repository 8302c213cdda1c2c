"""Supervisors evaluate how a regulator handled a concluded complaint (issue 9, item 5).

Timeliness and fairness, each 1–5, and remarks: once per supervisor per complaint. The
supervisor may change it for SUPERVISION_EVALUATION_CHANGE_DAYS days after first recording
it (a second look at the file, a typo), then it stands: a public judgement of the regulator's
own service should not move months later. The regulator evaluated is the complaint's
handler (its assignee, else whoever concluded it), copied onto the evaluation.

Each function checks its actor's permission, writes the audit event and leaves the commit to
the caller.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ratings.complaints.models import Complaint
from registry.accounts.permissions import PermissionDenied, require
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import db, lock, utcnow
from registry.supervision.models import RegulatorEvaluation
from registry.supervision.permissions import (
    can_change_regulator_evaluation,
    can_evaluate_regulators,
)

describe(
    actions={
        "regulator_evaluation.submitted": _l("Evaluation of complaint handling submitted"),
        "regulator_evaluation.changed": _l("Evaluation of complaint handling changed"),
    },
    objects={"regulator_evaluation": _l("Evaluation of complaint handling")},
)

SCORES = (1, 5)
REMARKS_MAX_LENGTH = 2000


class EvaluationError(ValueError):
    """A refused evaluation; the message is for the user, about the field if it names one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class HandlingScores:
    timeliness: int | None
    fairness: int | None
    remarks: str = ""


def handler_id(complaint: Complaint) -> int | None:
    """The regulator who handled the complaint: its assignee, else who concluded it."""
    return complaint.assignee_id or complaint.concluded_by_id


def evaluation_of(supervisor_id: int, complaint_id: int) -> RegulatorEvaluation | None:
    return db.session.execute(
        select(RegulatorEvaluation).where(
            RegulatorEvaluation.supervisor_id == supervisor_id,
            RegulatorEvaluation.complaint_id == complaint_id,
        )
    ).scalar_one_or_none()


def open_for_change(evaluation: RegulatorEvaluation) -> bool:
    """Whether its supervisor may still change it."""
    days = current_app.config["SUPERVISION_EVALUATION_CHANGE_DAYS"]
    return utcnow() <= evaluation.created_at + timedelta(days=days)


def evaluate_handling(actor, complaint: Complaint, scores: HandlingScores) -> RegulatorEvaluation:
    """A supervisor evaluates the handling of a concluded complaint.

    Refused: anyone but a supervisor; a complaint not concluded (substantiated or
    unsubstantiated) or without a handler; scores outside 1–5; remarks too long; a second
    evaluation of the same complaint by the same supervisor (change the first instead).
    """
    require(can_evaluate_regulators, actor)
    lock(complaint)  # the parent of its evaluations: a second submit waits, then sees the first
    regulator_id = _evaluable(complaint)
    timeliness, fairness, remarks = _checked(scores)
    _refuse_if_evaluated(actor, complaint)
    evaluation = RegulatorEvaluation(
        supervisor_id=actor.id,
        complaint_id=complaint.id,
        regulator_id=regulator_id,
        timeliness=timeliness,
        fairness=fairness,
        remarks=remarks,
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        _refuse_if_evaluated(actor, complaint)  # the constraint held against another submit
        raise
    record(
        "regulator_evaluation.submitted",
        actor=actor,
        obj=evaluation,
        details={
            "complaint": complaint.reference,
            "regulator_id": regulator_id,
            "timeliness": timeliness,
            "fairness": fairness,
        },
    )
    return evaluation


def _refuse_if_evaluated(actor, complaint: Complaint) -> None:
    earlier = evaluation_of(actor.id, complaint.id)
    if earlier is not None:
        raise EvaluationError(
            with_last_change(
                _("You have already evaluated this complaint; change it instead."), earlier
            )
        )


def change_evaluation(
    actor, evaluation: RegulatorEvaluation, scores: HandlingScores
) -> RegulatorEvaluation:
    """Its supervisor changes an evaluation within the change period; refused after it."""
    if not can_change_regulator_evaluation(actor, evaluation):
        raise PermissionDenied("can_change_regulator_evaluation")
    lock(evaluation)  # of two changes at once, the second records what it changed from
    if not open_for_change(evaluation):
        raise EvaluationError(
            _(
                "An evaluation can be changed for %(days)d days after it was recorded; "
                "this one stands.",
                days=current_app.config["SUPERVISION_EVALUATION_CHANGE_DAYS"],
            )
        )
    timeliness, fairness, remarks = _checked(scores)
    before = {"timeliness": evaluation.timeliness, "fairness": evaluation.fairness}
    evaluation.timeliness, evaluation.fairness, evaluation.remarks = timeliness, fairness, remarks
    evaluation.updated_at = utcnow()
    record(
        "regulator_evaluation.changed",
        actor=actor,
        obj=evaluation,
        details={
            "complaint": evaluation.complaint.reference,
            "before": before,
            "after": {"timeliness": timeliness, "fairness": fairness},
        },
    )
    return evaluation


def _evaluable(complaint: Complaint) -> int:
    if not complaint.is_concluded:
        raise EvaluationError(_("Only a concluded complaint's handling can be evaluated."))
    regulator_id = handler_id(complaint)
    if regulator_id is None:
        raise EvaluationError(_("No regulator is recorded as handling this complaint."))
    return regulator_id


def _checked(scores: HandlingScores) -> tuple[int, int, str]:
    low, high = SCORES
    for field, value in (("timeliness", scores.timeliness), ("fairness", scores.fairness)):
        if not isinstance(value, int) or not low <= value <= high:
            raise EvaluationError(_("Choose a score from 1 to 5."), field)
    remarks = (scores.remarks or "").strip()
    if len(remarks) > REMARKS_MAX_LENGTH:
        raise EvaluationError(
            _("Remarks are limited to %(max)d characters.", max=REMARKS_MAX_LENGTH), "remarks"
        )
    return scores.timeliness, scores.fairness, remarks
