"""Reading complaints: deadlines with the person accountable, lists for each party, the
timeline each party may see, and the facts the rating engine and blacklist rules use.

The deadline of an open complaint, and who is accountable for meeting it:
- submitted: acceptance, accept_days after filing; the assignee, or any regulator while
  nobody has taken it;
- accepted: the agency's response, response_days after acceptance; the agency's staff;
- investigating: the conclusion, conclude_days (+ the extension) after acceptance; the
  assignee.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ratings.complaints.models import (
    OPEN_STATUSES,
    CommitmentBreach,
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Conflict,
    Party,
)
from ratings.engagements.models import Engagement
from ratings.working_days import Deadline, WorkingCalendar, current_calendar
from registry.accounts.models import Account
from registry.accounts.roles import REGULATOR_ROLES
from registry.agencies.models import Agency
from registry.agencies.queries import public_agency
from registry.agencies.search import AgencySearch
from registry.agencies.search_pages import find_agencies
from registry.commitments.models import CommitmentSignature
from registry.commitments.queries import Standing, Versions, signatures_of
from registry.dates import local_today, registry_zone
from registry.db import LIKE_ESCAPE, contains_pattern, db


class Step(StrEnum):
    """The step an open complaint waits for."""

    ACCEPT = "accept"
    RESPONSE = "response"
    CONCLUSION = "conclusion"

    @property
    def label(self):
        return STEP_LABELS[self]


STEP_LABELS = {
    Step.ACCEPT: _l("Decision on acceptance"),
    Step.RESPONSE: _l("The agency's response"),
    Step.CONCLUSION: _l("Conclusion"),
}


@dataclass(frozen=True)
class OpenDeadline:
    """An open complaint's current deadline and who must meet it.

    accountable is Party.REGULATOR (accountable_account_id: the assignee, None while
    unassigned) or Party.AGENCY (accountable_agency_id: its staff; no single account).
    """

    complaint: Complaint
    step: Step
    deadline: Deadline
    accountable: Party
    accountable_account_id: int | None
    accountable_agency_id: int | None

    @property
    def due(self) -> date:
        return self.deadline.due

    @property
    def overdue_working_days(self) -> int:
        return self.deadline.overdue_working_days

    @property
    def is_overdue(self) -> bool:
        return self.deadline.is_overdue


# --- deadlines -----------------------------------------------------------------------------


def acceptance_deadline(complaint: Complaint, calendar=None, today=None) -> Deadline:
    calendar = calendar or current_calendar()
    return calendar.deadline(complaint.filed_on, complaint.accept_days, today)


def response_deadline(complaint: Complaint, calendar=None, today=None) -> Deadline | None:
    if complaint.accepted_on is None:
        return None
    calendar = calendar or current_calendar()
    return calendar.deadline(complaint.accepted_on, complaint.response_days, today)


def conclusion_deadline(complaint: Complaint, calendar=None, today=None) -> Deadline | None:
    if complaint.accepted_on is None:
        return None
    calendar = calendar or current_calendar()
    return calendar.deadline(complaint.accepted_on, complaint.conclusion_days, today)


def current_deadline(
    complaint: Complaint, calendar: WorkingCalendar | None = None, today: date | None = None
) -> OpenDeadline | None:
    """The deadline the complaint waits on now, or None once it is closed."""
    calendar = calendar or current_calendar()
    today = today or local_today()
    status = complaint.status_enum
    if status == ComplaintStatus.SUBMITTED:
        return OpenDeadline(
            complaint,
            Step.ACCEPT,
            acceptance_deadline(complaint, calendar, today),
            Party.REGULATOR,
            complaint.assignee_id,
            None,
        )
    if status == ComplaintStatus.ACCEPTED:
        return OpenDeadline(
            complaint,
            Step.RESPONSE,
            response_deadline(complaint, calendar, today),
            Party.AGENCY,
            None,
            complaint.agency_id,
        )
    if status == ComplaintStatus.INVESTIGATING:
        return OpenDeadline(
            complaint,
            Step.CONCLUSION,
            conclusion_deadline(complaint, calendar, today),
            Party.REGULATOR,
            complaint.assignee_id,
            None,
        )
    return None


def open_complaint_deadlines(
    today: date | None = None,
    *,
    agency_id: int | None = None,
    accountable_account_id: int | None = None,
    overdue_only: bool = False,
) -> list[OpenDeadline]:
    """Every open complaint's current deadline, most overdue first (the supervision dashboard).

    accountable_account_id keeps those a regulator is accountable for (their assigned ones).
    """
    query = (
        select(Complaint)
        .where(Complaint.status.in_([s.value for s in OPEN_STATUSES]))
        .options(selectinload(Complaint.agency), selectinload(Complaint.assignee))
        .order_by(Complaint.id)
    )
    if agency_id is not None:
        query = query.where(Complaint.agency_id == agency_id)
    calendar, today = current_calendar(), today or local_today()
    found = [
        current_deadline(complaint, calendar, today)
        for complaint in db.session.execute(query).scalars()
    ]
    if accountable_account_id is not None:
        found = [d for d in found if d.accountable_account_id == accountable_account_id]
    if overdue_only:
        found = [d for d in found if d.is_overdue]
    return sorted(found, key=lambda d: (d.due, d.complaint.id))


# --- lists ---------------------------------------------------------------------------------


def complaints_of_complainant(account_id: int) -> Select:
    return (
        select(Complaint)
        .where(Complaint.complainant_id == account_id)
        .options(selectinload(Complaint.agency))
        .order_by(Complaint.id.desc())
    )


def complaints_of_agency(agency_id: int) -> Select:
    """The complaints the agency sees: those a regulator accepted, the open ones first."""
    return (
        select(Complaint)
        .where(Complaint.agency_id == agency_id, Complaint.accepted_on.is_not(None))
        .order_by(
            Complaint.status.in_([s.value for s in OPEN_STATUSES]).desc(), Complaint.id.desc()
        )
    )


@dataclass
class QueueFilter:
    statuses: list[str] = field(default_factory=lambda: [s.value for s in OPEN_STATUSES])
    assignee: str = ""  # "", "none", or an account id
    agency: str = ""  # a credit code, or a fragment of the name


def queue_query(regulator, criteria: QueueFilter) -> Select:
    """The regulators' queue: matching complaints, leaving out agencies the viewer is in
    conflict with; oldest first."""
    query = (
        select(Complaint)
        .where(Complaint.status.in_(criteria.statuses))
        .options(selectinload(Complaint.agency), selectinload(Complaint.assignee))
        .order_by(Complaint.filed_on, Complaint.id)
    )
    conflicted = conflicted_agency_ids(regulator.id)
    if conflicted:
        query = query.where(Complaint.agency_id.not_in(conflicted))
    if criteria.assignee == "none":
        query = query.where(Complaint.assignee_id.is_(None))
    elif criteria.assignee.isdigit():
        query = query.where(Complaint.assignee_id == int(criteria.assignee))
    text = criteria.agency.strip()
    if text:
        query = query.join(Complaint.agency).where(
            (Agency.credit_code == text.upper())
            | Agency.name.like(contains_pattern(text), escape=LIKE_ESCAPE)
        )
    return query


def regulators_for(agency_id: int) -> list[Account]:
    """Active regulators and reviewers without a conflict with the agency: who may be assigned."""
    conflicted = select(Conflict.regulator_id).where(
        Conflict.agency_id == agency_id, Conflict.ended_at.is_(None)
    )
    return list(
        db.session.execute(
            select(Account)
            .where(
                Account.role.in_([r.value for r in REGULATOR_ROLES]),
                Account.active.is_(True),
                Account.id.not_in(conflicted),
            )
            .order_by(Account.display_name, Account.id)
        ).scalars()
    )


def all_regulators() -> list[Account]:
    return list(
        db.session.execute(
            select(Account)
            .where(Account.role.in_([r.value for r in REGULATOR_ROLES]))
            .order_by(Account.display_name, Account.id)
        ).scalars()
    )


# --- conflicts -----------------------------------------------------------------------------


def conflicted_agency_ids(regulator_id: int) -> set[int]:
    return set(
        db.session.execute(
            select(Conflict.agency_id).where(
                Conflict.regulator_id == regulator_id, Conflict.ended_at.is_(None)
            )
        ).scalars()
    )


def conflict_in_force(regulator_id: int, agency_id: int) -> Conflict | None:
    return db.session.execute(
        select(Conflict).where(
            Conflict.regulator_id == regulator_id,
            Conflict.agency_id == agency_id,
            Conflict.ended_at.is_(None),
        )
    ).scalar_one_or_none()


def conflicts_query(regulator_id: int | None = None) -> Select:
    """Declared conflicts, those in force first, newest first; one regulator's, or all."""
    query = select(Conflict).options(
        selectinload(Conflict.agency), selectinload(Conflict.regulator)
    )
    if regulator_id is not None:
        query = query.where(Conflict.regulator_id == regulator_id)
    return query.order_by(Conflict.ended_at.is_not(None), Conflict.declared_at.desc())


# --- the facts other parts read ----------------------------------------------------------------


@dataclass(frozen=True)
class SubstantiatedComplaint:
    complaint_id: int
    reference: str
    agency_id: int
    category: str
    severity: str
    concluded_on: date
    breach: bool


def substantiated_select(since: date, until: date | None = None) -> Select:
    """Substantiated complaints concluded from `since` to `until` (inclusive), as a select of
    (complaint_id, reference, agency_id, category, severity, concluded_on, breach_id), for
    the rating engine to aggregate in SQL."""
    query = (
        select(
            Complaint.id.label("complaint_id"),
            Complaint.reference,
            Complaint.agency_id,
            Complaint.category,
            Complaint.severity,
            Complaint.concluded_on,
            CommitmentBreach.id.label("breach_id"),
        )
        .outerjoin(CommitmentBreach, CommitmentBreach.complaint_id == Complaint.id)
        .where(
            Complaint.status == ComplaintStatus.SUBSTANTIATED.value,
            Complaint.concluded_on >= since,
        )
    )
    if until is not None:
        query = query.where(Complaint.concluded_on <= until)
    return query


def substantiated_complaints(
    since: date, until: date | None = None, agency_ids: list[int] | None = None
) -> dict[int, list[SubstantiatedComplaint]]:
    """Each agency's substantiated complaints concluded in the window, oldest first (the
    blacklist rules: "2 serious or 3 major within 12 months", "a falsified report")."""
    query = substantiated_select(since, until).order_by(Complaint.concluded_on, Complaint.id)
    if agency_ids is not None:
        query = query.where(Complaint.agency_id.in_(agency_ids))
    found: dict[int, list[SubstantiatedComplaint]] = {}
    for row in db.session.execute(query):
        found.setdefault(row.agency_id, []).append(
            SubstantiatedComplaint(
                complaint_id=row.complaint_id,
                reference=row.reference,
                agency_id=row.agency_id,
                category=row.category,
                severity=row.severity,
                concluded_on=row.concluded_on,
                breach=row.breach_id is not None,
            )
        )
    return found


def _local_date(stored: datetime) -> date:
    """The registry's local date of a stored (naive UTC) moment."""
    return stored.replace(tzinfo=UTC).astimezone(registry_zone()).date()


def signature_valid_on(agency_id: int, day: date) -> CommitmentSignature | None:
    """The agency's commitment signature that was valid on `day`, if any: the latest one
    signed by then, if it still counted that day (not lapsed, superseded or revoked)."""
    versions = Versions()
    for signature in signatures_of(agency_id):
        if _local_date(signature.signed_at) > day:
            continue
        valid = versions.status(signature, day) == Standing.VALID
        return signature if valid else None
    return None


def complaint_for_page(complaint_id: int) -> Complaint | None:
    return db.session.execute(
        select(Complaint)
        .where(Complaint.id == complaint_id)
        .options(
            selectinload(Complaint.files).selectinload(ComplaintFile.file),
            selectinload(Complaint.agency),
        )
    ).scalar_one_or_none()


# --- choosing what a complaint is about ------------------------------------------------------

MAX_MATCHES = 10


def agencies_matching(text: str) -> list[Agency]:
    """Agencies a complainant may mean: the one with this credit code (even deregistered),
    else the public search's first matches by name."""
    text = (text or "").strip()
    if not text:
        return []
    exact = public_agency(text)
    if exact is not None:
        return [exact]
    results = find_agencies(
        AgencySearch(q=text),
        local_today(),
        page=1,
        per_page=MAX_MATCHES,
        limit=current_app.config["SEARCH_COUNT_LIMIT"],
    )
    return list(results.items)


def engagement_choices(account, agency: Agency) -> list[tuple[str, str]]:
    """The account's enterprise's engagements with the agency, newest first, for a select."""
    if account.enterprise_id is None:
        return []
    engagements = db.session.execute(
        select(Engagement)
        .where(Engagement.enterprise_id == account.enterprise_id, Engagement.agency_id == agency.id)
        .options(selectinload(Engagement.service_item))
        .order_by(Engagement.start_date.desc(), Engagement.id.desc())
    ).scalars()
    return [
        (
            str(engagement.id),
            " · ".join(
                part
                for part in (
                    engagement.service_item.name,
                    engagement.project,
                    format_date(engagement.start_date),
                )
                if part
            ),
        )
        for engagement in engagements
    ]
