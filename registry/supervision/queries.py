"""Reading the dashboard: filtering deadline items, the handling facts of concluded complaints,
and the per-regulator figures of the supervisors' evaluations."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ratings.complaints.models import CONCLUDED_STATUSES, Complaint
from ratings.complaints.queries import all_regulators
from ratings.working_days import current_calendar
from registry.accounts.models import Account
from registry.db import db
from registry.supervision.items import Accountable, Item
from registry.supervision.models import RegulatorEvaluation

# The accountable filter's groups; any other value is an account id.
GROUPS = (Accountable.REGULATORS, Accountable.REVIEWERS, Accountable.AGENCY)


@dataclass(frozen=True)
class DashboardFilter:
    kind: str = ""
    overdue_only: bool = False
    accountable: str = ""  # "", a group of GROUPS, or an account id
    due_from: date | None = None
    due_to: date | None = None


def filtered(items: list[Item], criteria: DashboardFilter) -> list[Item]:
    """The items the filter keeps, in the order given."""
    return [item for item in items if _keeps(criteria, item)]


def _keeps(criteria: DashboardFilter, item: Item) -> bool:
    if criteria.kind and item.kind.value != criteria.kind:
        return False
    if criteria.overdue_only and not item.is_overdue:
        return False
    if criteria.due_from and item.due < criteria.due_from:
        return False
    if criteria.due_to and item.due > criteria.due_to:
        return False
    wanted = criteria.accountable
    if wanted in GROUPS:
        return item.accountable == wanted
    if wanted.isdigit():
        return item.accountable_account_id == int(wanted)
    return True


def accountable_accounts() -> list[Account]:
    """Every regulator and reviewer: each may be the assignee accountable for a complaint."""
    return all_regulators()


# --- concluded complaints and their evaluations ------------------------------------------------


def concluded_complaints(regulator_id: int | None = None) -> Select:
    """Concluded complaints, most recently concluded first; one handler's, or all."""
    query = (
        select(Complaint)
        .where(Complaint.status.in_([status.value for status in CONCLUDED_STATUSES]))
        .options(
            selectinload(Complaint.agency),
            selectinload(Complaint.assignee),
            selectinload(Complaint.concluded_by),
        )
        .order_by(Complaint.concluded_on.desc(), Complaint.id.desc())
    )
    if regulator_id is not None:
        query = query.where(
            func.coalesce(Complaint.assignee_id, Complaint.concluded_by_id) == regulator_id
        )
    return query


@dataclass(frozen=True)
class Handling:
    """How long each step of a concluded complaint took, against its limit (working days)."""

    acceptance_days: int | None
    accept_limit: int
    conclusion_days: int | None
    conclusion_limit: int

    @property
    def accepted_in_time(self) -> bool | None:
        return None if self.acceptance_days is None else self.acceptance_days <= self.accept_limit

    @property
    def concluded_in_time(self) -> bool | None:
        if self.conclusion_days is None:
            return None
        return self.conclusion_days <= self.conclusion_limit


def handling_of(complaint: Complaint) -> Handling:
    calendar = current_calendar()
    acceptance = (
        calendar.working_days_between(complaint.filed_on, complaint.accepted_on)
        if complaint.accepted_on
        else None
    )
    conclusion = (
        calendar.working_days_between(complaint.accepted_on, complaint.concluded_on)
        if complaint.accepted_on and complaint.concluded_on
        else None
    )
    return Handling(acceptance, complaint.accept_days, conclusion, complaint.conclusion_days)


def evaluations_by(supervisor_id: int, complaint_ids: list[int]) -> dict[int, RegulatorEvaluation]:
    """The supervisor's evaluations of these complaints, by complaint id."""
    if not complaint_ids:
        return {}
    rows = db.session.execute(
        select(RegulatorEvaluation).where(
            RegulatorEvaluation.supervisor_id == supervisor_id,
            RegulatorEvaluation.complaint_id.in_(complaint_ids),
        )
    ).scalars()
    return {row.complaint_id: row for row in rows}


def evaluations_of_complaint(complaint_id: int) -> list[RegulatorEvaluation]:
    return list(
        db.session.execute(
            select(RegulatorEvaluation)
            .where(RegulatorEvaluation.complaint_id == complaint_id)
            .options(selectinload(RegulatorEvaluation.supervisor))
            .order_by(RegulatorEvaluation.created_at)
        ).scalars()
    )


@dataclass(frozen=True)
class RegulatorFigures:
    """The supervisors' evaluations of one regulator's complaint handling."""

    regulator: Account
    count: int
    timeliness: float
    fairness: float


def regulator_figures() -> list[RegulatorFigures]:
    """Each evaluated regulator: how many evaluations, mean timeliness, mean fairness."""
    rows = db.session.execute(
        select(
            Account,
            func.count(RegulatorEvaluation.id),
            func.avg(RegulatorEvaluation.timeliness),
            func.avg(RegulatorEvaluation.fairness),
        )
        .join(Account, Account.id == RegulatorEvaluation.regulator_id)
        .group_by(Account.id)
        .order_by(Account.display_name, Account.id)
    ).all()
    return [
        RegulatorFigures(account, count, float(timeliness), float(fairness))
        for account, count, timeliness, fairness in rows
    ]
