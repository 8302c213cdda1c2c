"""Every item with a deadline, from every package, with the person accountable for it.

The dashboard, the CSV export and escalation all read deadline_items(today). Each item is
computed from the stored dates on the day asked (DESIGN §10), by one working-day calendar:

- complaints (ratings.complaints.queries.open_complaint_deadlines): acceptance (the
  assignee, or the regulators while nobody took it), the agency's response (the agency),
  the conclusion (the assignee);
- blacklist cases (blacklist.queries): the objection window while it is open (the agency:
  a right, not a duty, so it is shown but never overdue); then the decision, due
  SUPERVISION_BLACKLIST_DECISION_WORKING_DAYS after the window closed or the objection came
  (a reviewer who did not propose the case); a credit-repair application, due
  SUPERVISION_REPAIR_DECISION_WORKING_DAYS after it was filed (a reviewer);
- engagements past their promised working days (ratings.engagements.queries
  .overdue_engagements): the agency, and the staff member who confirmed the engagement;
- commitment signatures (registry.commitments.queries): ending within the notice period,
  or lapsed or superseded with no newer signature (the agency).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blacklist.models import BlacklistCase, CaseState
from blacklist.queries import objection_deadline, pending_repairs, window_open
from ratings.complaints.models import Party
from ratings.complaints.queries import Step, open_complaint_deadlines
from ratings.engagements.queries import accountable, overdue_engagements
from ratings.working_days import Deadline, current_calendar
from registry.agencies.models import Agency
from registry.commitments.queries import commitments_of, overview
from registry.commitments.receipts import grouped
from registry.dates import registry_zone
from registry.db import db


class Kind(StrEnum):
    COMPLAINT_ACCEPT = "complaint_accept"
    COMPLAINT_RESPONSE = "complaint_response"
    COMPLAINT_CONCLUSION = "complaint_conclusion"
    OBJECTION_WINDOW = "objection_window"
    BLACKLIST_DECISION = "blacklist_decision"
    REPAIR_DECISION = "repair_decision"
    ENGAGEMENT = "engagement"
    COMMITMENT_LAPSING = "commitment_lapsing"
    COMMITMENT_LAPSED = "commitment_lapsed"

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.COMPLAINT_ACCEPT: _l("Complaint: decide on acceptance"),
    Kind.COMPLAINT_RESPONSE: _l("Complaint: the agency's response"),
    Kind.COMPLAINT_CONCLUSION: _l("Complaint: conclusion"),
    Kind.OBJECTION_WINDOW: _l("Blacklist: objection window"),
    Kind.BLACKLIST_DECISION: _l("Blacklist: decision pending"),
    Kind.REPAIR_DECISION: _l("Credit repair: decision pending"),
    Kind.ENGAGEMENT: _l("Engagement past its time limit"),
    Kind.COMMITMENT_LAPSING: _l("Commitment signature ending soon"),
    Kind.COMMITMENT_LAPSED: _l("Commitment signature lapsed"),
}

STEP_KINDS = {
    Step.ACCEPT: Kind.COMPLAINT_ACCEPT,
    Step.RESPONSE: Kind.COMPLAINT_RESPONSE,
    Step.CONCLUSION: Kind.COMPLAINT_CONCLUSION,
}


class Accountable(StrEnum):
    """Who answers for an item: one account, the regulators (nobody took it yet), the
    reviewers (a decision any reviewer but the proposer may take), or an agency."""

    ACCOUNT = "account"
    REGULATORS = "regulators"
    REVIEWERS = "reviewers"
    AGENCY = "agency"


@dataclass(frozen=True)
class Item:
    """One deadline on the dashboard."""

    kind: Kind
    object_id: int
    reference: str  # a complaint's reference, a case or engagement number, a receipt
    agency: Agency
    deadline: Deadline
    accountable: Accountable
    accountable_name: str
    accountable_account_id: int | None = None
    # The regulators' page of the object: (endpoint, arguments).
    link: tuple[str, dict] | None = None

    @property
    def due(self) -> date:
        return self.deadline.due

    @property
    def overdue_working_days(self) -> int:
        return self.deadline.overdue_working_days

    @property
    def is_overdue(self) -> bool:
        return self.deadline.is_overdue

    @property
    def key(self) -> tuple[str, int, date]:
        """What an escalation is recorded against: once per item and due date."""
        return (self.kind.value, self.object_id, self.due)


def deadline_items(today: date) -> list[Item]:
    """Every item, most overdue first, then soonest due."""
    found = [
        *complaint_items(today),
        *blacklist_items(today),
        *engagement_items(today),
        *commitment_items(today),
    ]
    return sorted(found, key=lambda item: (item.due, item.kind.value, item.object_id))


def find_item(kind: str, object_id: int, today: date) -> Item | None:
    """The item of this kind and id as of today, or None when it has no deadline now."""
    return next(
        (
            item
            for item in deadline_items(today)
            if (item.kind, item.object_id) == (kind, object_id)
        ),
        None,
    )


# --- complaints ----------------------------------------------------------------------------------


def complaint_items(today: date) -> Iterable[Item]:
    for found in open_complaint_deadlines(today):
        complaint = found.complaint
        if found.accountable == Party.AGENCY:
            who, name, account_id = Accountable.AGENCY, complaint.agency.name, None
        elif complaint.assignee is not None:
            who, name = Accountable.ACCOUNT, complaint.assignee.display_name
            account_id = complaint.assignee_id
        else:
            who, name, account_id = Accountable.REGULATORS, _("Regulators (not assigned)"), None
        yield Item(
            STEP_KINDS[found.step],
            complaint.id,
            complaint.reference or str(complaint.id),
            complaint.agency,
            found.deadline,
            who,
            name,
            account_id,
            ("complaints.show", {"complaint_id": complaint.id}),
        )


# --- blacklist -----------------------------------------------------------------------------------


def blacklist_items(today: date) -> Iterable[Item]:
    calendar = current_calendar()
    decision_days = current_app.config["SUPERVISION_BLACKLIST_DECISION_WORKING_DAYS"]
    cases = db.session.execute(
        select(BlacklistCase)
        .where(BlacklistCase.state.in_([CaseState.NOTIFIED.value, CaseState.OBJECTION_FILED.value]))
        .options(
            selectinload(BlacklistCase.agency),
            selectinload(BlacklistCase.proposed_by),
            selectinload(BlacklistCase.notified_by),
        )
        .order_by(BlacklistCase.id)
    ).scalars()
    for case in cases:
        link = ("blacklist.case", {"case_id": case.id})
        reference = _case_reference(case)
        if case.state == CaseState.NOTIFIED and window_open(case, today):
            yield Item(
                Kind.OBJECTION_WINDOW,
                case.id,
                reference,
                case.agency,
                objection_deadline(case, today),
                Accountable.AGENCY,
                case.agency.name,
                link=link,
            )
            continue
        if case.objection_at is not None:
            start = _local_date(case.objection_at)
        else:
            start = objection_deadline(case, today).due
        yield Item(
            Kind.BLACKLIST_DECISION,
            case.id,
            reference,
            case.agency,
            calendar.deadline(start, decision_days, today),
            Accountable.REVIEWERS,
            _decider_name(case),
            link=link,
        )
    repair_days = current_app.config["SUPERVISION_REPAIR_DECISION_WORKING_DAYS"]
    for application in pending_repairs():
        case = application.case
        yield Item(
            Kind.REPAIR_DECISION,
            application.id,
            _case_reference(case),
            case.agency,
            calendar.deadline(application.applied_on, repair_days, today),
            Accountable.REVIEWERS,
            _decider_name(case),
            link=("blacklist.decide_repair", {"application_id": application.id}),
        )


def _case_reference(case: BlacklistCase) -> str:
    return _("Case %(number)s", number=case.id)


def _decider_name(case: BlacklistCase) -> str:
    adopter = case.proposed_by or case.notified_by
    if adopter is None:
        return _("A reviewer")
    return _("A reviewer other than %(name)s", name=adopter.display_name)


def _local_date(stored: datetime) -> date:
    """The registry's local date of a stored (naive UTC) moment."""
    return stored.replace(tzinfo=UTC).astimezone(registry_zone()).date()


# --- engagements ---------------------------------------------------------------------------------


def engagement_items(today: date) -> Iterable[Item]:
    for engagement, deadline in overdue_engagements(today):
        who = accountable(engagement)
        name = engagement.agency.name
        if who is not None and who.person:
            name = f"{name} · {who.person}"
        yield Item(
            Kind.ENGAGEMENT,
            engagement.id,
            _("Engagement %(number)s", number=engagement.id),
            engagement.agency,
            deadline,
            Accountable.AGENCY,
            name,
            None,
            ("engagements.show", {"engagement_id": engagement.id}),
        )


# --- commitments ---------------------------------------------------------------------------------


def commitment_items(today: date) -> Iterable[Item]:
    calendar = current_calendar()
    notice_days = current_app.config["COMMITMENT_LAPSE_NOTICE_DAYS"]
    for standing, kind in (
        ("lapsing", Kind.COMMITMENT_LAPSING),
        ("lapsed", Kind.COMMITMENT_LAPSED),
        ("superseded", Kind.COMMITMENT_LAPSED),
    ):
        agencies = {
            agency.id: agency for agency in db.session.execute(overview(standing, today)).scalars()
        }
        for agency_id, commitment in commitments_of(list(agencies), today).items():
            if commitment.ends_on is None or commitment.signature is None:
                continue
            if kind == Kind.COMMITMENT_LAPSING and not commitment.lapses_within(notice_days, today):
                continue
            agency = agencies[agency_id]
            yield Item(
                kind,
                commitment.signature.id,
                grouped(commitment.signature.receipt_code),
                agency,
                calendar.deadline_on(commitment.ends_on, today),
                Accountable.AGENCY,
                agency.name,
                link=("agency_admin.show", {"agency_id": agency.id}),
            )
