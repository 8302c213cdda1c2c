"""Checks the blacklist's services share: who may decide, what state a case must be in,
the password that confirms a decision, required texts, and the refusal they raise."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from blacklist.models import OPEN_STATES, BlacklistCase, CaseState, Ground, RepairStatus
from blacklist.permissions import can_decide_case, is_reviewer
from ratings.complaints.models import Complaint, ComplaintStatus
from ratings.complaints.permissions import in_conflict
from registry.accounts.permissions import PermissionDenied
from registry.agencies.models import Agency
from registry.audit.queries import with_last_change
from registry.db import db

MAX_TEXT = 10000


class BlacklistError(ValueError):
    """A refused blacklist act; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def blocking_case(agency_id: int, ground: Ground, today: date) -> BlacklistCase | None:
    """An open case, or a listing in force, of the agency on this ground."""
    return db.session.execute(
        select(BlacklistCase)
        .where(
            BlacklistCase.agency_id == agency_id,
            BlacklistCase.ground == ground.value,
            or_(
                BlacklistCase.state.in_([state.value for state in OPEN_STATES]),
                and_(
                    BlacklistCase.state == CaseState.LISTED.value,
                    BlacklistCase.listed_until >= today,
                ),
            ),
        )
        .order_by(BlacklistCase.id)
        .limit(1)
    ).scalar_one_or_none()


def require_decider(actor, case: BlacklistCase) -> None:
    """A reviewer, not the case's proposer, without a conflict with the agency."""
    if can_decide_case(actor, case):
        return
    if not is_reviewer(actor):
        raise PermissionDenied("can_decide_case")
    if actor.id == case.proposer_id:
        raise BlacklistError(
            _(
                "You proposed this case (or adopted it by notifying the agency); "
                "another reviewer must decide it."
            )
        )
    if in_conflict(actor, case.agency_id):
        raise BlacklistError(_("You declared a conflict of interest with this agency."))
    raise PermissionDenied("can_decide_case")


def require_listed(case: BlacklistCase, today: date) -> None:
    """The case (locked by the caller) is a listing in force today; else the refusal says
    who changed it last and when (a revocation or a repair at the same moment)."""
    state = case.state_on(today)
    if state == CaseState.EXPIRED:
        raise BlacklistError(
            _("This listing ended with its term on %(day)s.", day=shown_day(case.listed_until))
        )
    if state != CaseState.LISTED:
        raise BlacklistError(
            with_last_change(
                _(
                    "Only a listing in force can be ended; this case is %(state)s.",
                    state=state.label,
                ),
                _ended_by(case),
            )
        )


def _ended_by(case: BlacklistCase):
    """The row whose audit event changed the case last: a repair is recorded on the
    approved application, anything else on the case."""
    if case.state == CaseState.REPAIRED:
        approved = [r for r in case.repairs if r.status == RepairStatus.APPROVED]
        if approved:
            return approved[-1]
    return case


def check_password(actor, password: str) -> None:
    """A reviewer's decision is confirmed by typing their password again."""
    if not password or not actor.check_password(password):
        raise BlacklistError(_("The password is not right."), "password")


def required_text(value: str | None, field_name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise BlacklistError(_("This field is required."), field_name)
    if len(text) > MAX_TEXT:
        raise BlacklistError(_("At most %(n)d characters.", n=MAX_TEXT), field_name)
    return text


def checked_ground(value: str) -> Ground:
    try:
        return Ground(value)
    except ValueError:
        raise BlacklistError(_("Choose a ground from the list."), "ground") from None


def linked_complaints(agency: Agency, complaint_ids) -> list[Complaint]:
    ids = sorted({int(value) for value in complaint_ids or ()})
    if not ids:
        return []
    complaints = (
        db.session.execute(select(Complaint).where(Complaint.id.in_(ids)).order_by(Complaint.id))
        .scalars()
        .all()
    )
    if len(complaints) != len(ids) or any(
        c.agency_id != agency.id or c.status != ComplaintStatus.SUBSTANTIATED for c in complaints
    ):
        raise BlacklistError(
            _("Link only substantiated complaints about this agency."), "complaint_ids"
        )
    return list(complaints)


def shown_day(day: date) -> str:
    return format_date(day, "medium")
