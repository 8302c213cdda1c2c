"""Read helpers the blacklist pages, the public profile and the API share.

Every status is computed from the case's dates on the day asked (models.BlacklistCase.state_on):
a listing whose last day has passed is listed as past, even before it is recorded expired.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Exists, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from blacklist.models import (
    ENDED_STATES,
    OPEN_STATES,
    BlacklistCase,
    CaseState,
    RepairApplication,
    RepairStatus,
)
from ratings.complaints.models import Complaint, ComplaintStatus
from ratings.working_days import Deadline, current_calendar
from registry.agencies.credit_code import normalise_credit_code
from registry.agencies.models import Agency
from registry.agencies.names import normalise_name
from registry.db import LIKE_ESCAPE, contains_pattern, db

LISTED = CaseState.LISTED.value


def in_force(day: date):
    """SQL: the case's listing counts on `day`."""
    return and_(
        BlacklistCase.state == LISTED,
        BlacklistCase.listed_from <= day,
        BlacklistCase.listed_until >= day,
    )


def ended(day: date):
    """SQL: the case was listed and its listing no longer counts on `day`."""
    return or_(
        BlacklistCase.state.in_([state.value for state in ENDED_STATES]),
        and_(BlacklistCase.state == LISTED, BlacklistCase.listed_until < day),
    )


def public_listings(day: date, *, history: bool = False, q: str = "") -> Select:
    """The public list: listings in force on `day` (newest first), or past ones
    (`history`, most recently ended first); `q` a fragment of the name or a credit code."""
    query = (
        select(BlacklistCase)
        .join(Agency, Agency.id == BlacklistCase.agency_id)
        .options(selectinload(BlacklistCase.agency))
        .where(ended(day) if history else in_force(day))
    )
    text = (q or "").strip()
    if text:
        code = normalise_credit_code(text)
        name = normalise_name(text)
        query = query.where(
            or_(
                Agency.credit_code.like(contains_pattern(code), escape=LIKE_ESCAPE),
                Agency.name_normalised.like(contains_pattern(name), escape=LIKE_ESCAPE),
            )
        )
    if history:
        last_day = func.coalesce(BlacklistCase.ended_on, BlacklistCase.listed_until)
        return query.order_by(last_day.desc(), BlacklistCase.id.desc())
    return query.order_by(BlacklistCase.listed_from.desc(), BlacklistCase.id.desc())


PUBLIC_LISTING_STATES = (LISTED, *sorted(state.value for state in ENDED_STATES))


def ever_listed(agency_id) -> Exists:
    """SQL: agency_listings() would find a listing (else the agency was never listed)."""
    return exists().where(
        BlacklistCase.agency_id == agency_id, BlacklistCase.state.in_(PUBLIC_LISTING_STATES)
    )


@cache
def _agency_listings_statement() -> Select:
    """Built once (the public profile runs it on every visit): only its parameter changes.
    The public never sees a case's complaints or files: they are not loaded."""
    return (
        select(BlacklistCase)
        .where(
            BlacklistCase.agency_id == bindparam("agency_id"),
            BlacklistCase.state.in_(PUBLIC_LISTING_STATES),
        )
        .order_by(BlacklistCase.listed_from.desc(), BlacklistCase.id.desc())
        .options(lazyload(BlacklistCase.complaints), lazyload(BlacklistCase.files))
    )


def agency_listings(agency_id: int) -> list[BlacklistCase]:
    """Every listing of the agency, current or past, newest first (public)."""
    return list(
        db.session.execute(_agency_listings_statement(), {"agency_id": agency_id}).scalars()
    )


@dataclass(frozen=True)
class Outcome:
    """How a listing stands on a day: in force until a date, or ended (how and when)."""

    state: CaseState
    ended_on: date | None

    @property
    def label(self):
        return OUTCOME_LABELS[self.state]


OUTCOME_LABELS = {
    CaseState.LISTED: _l("On the blacklist"),
    CaseState.EXPIRED: _l("Ended: term expired"),
    CaseState.REPAIRED: _l("Ended: credit repaired"),
    CaseState.REVOKED: _l("Revoked: the listing was wrong"),
}


def outcome(case: BlacklistCase, day: date) -> Outcome:
    state = case.state_on(day)
    if state == CaseState.LISTED:
        return Outcome(state, None)
    if state == CaseState.EXPIRED:
        return Outcome(state, case.ended_on or case.listed_until + timedelta(days=1))
    return Outcome(state, case.ended_on)


def listing_record(case: BlacklistCase, day: date) -> dict:
    """A listing as the API and the CSV publish it (never the facts, objection or repair)."""
    result = outcome(case, day)
    return {
        "agency": {"credit_code": case.agency.credit_code, "name": case.agency.name},
        "ground": case.ground,
        "legal_basis": case.legal_basis,
        "deciding_authority": case.deciding_authority,
        "decision_number": case.decision_number,
        "decided_on": case.decided_on,
        "listed_from": case.listed_from,
        "listed_until": case.listed_until,
        "status": result.state.value,
        "ended_on": result.ended_on,
    }


def objection_deadline(case: BlacklistCase, today: date | None = None) -> Deadline | None:
    """The last day the agency may object, counted now (None before the notice)."""
    if case.notified_on is None:
        return None
    return current_calendar().deadline(case.notified_on, case.objection_days, today)


def window_open(case: BlacklistCase, today: date) -> bool:
    """The agency may still object today."""
    deadline = objection_deadline(case, today)
    return deadline is not None and not deadline.is_overdue


@dataclass(frozen=True)
class NextStep:
    """What a case waits for, who is accountable for it, and by when or since when."""

    what: object  # a lazy string
    who: object
    deadline: Deadline | None = None
    since: date | None = None


def next_step(case: BlacklistCase, today: date) -> NextStep | None:
    """The regulators' view of a case: None when nothing is waited for."""
    state = case.state_on(today)
    proposer = case.proposed_by.display_name if case.proposed_by else None
    if state == CaseState.PROPOSED:
        return NextStep(
            _l("Notify the agency, or reject"),
            proposer or _l("Regulators (proposed by a rule)"),
            since=case.proposed_on,
        )
    if state == CaseState.NOTIFIED and window_open(case, today):
        return NextStep(
            _l("The agency may object"),
            _l("The agency, %(name)s", name=case.agency.name),
            deadline=objection_deadline(case, today),
        )
    if state in (CaseState.NOTIFIED, CaseState.OBJECTION_FILED):
        since = (
            case.objection_at.date()
            if case.objection_at
            else objection_deadline(case, today).due + timedelta(days=1)
        )
        return NextStep(_l("Decision: list or reject"), _decider(case), since=since)
    pending = next((r for r in case.repairs if r.status == RepairStatus.PENDING), None)
    if state == CaseState.LISTED and pending is not None:
        return NextStep(_l("Credit repair to decide"), _decider(case), since=pending.applied_on)
    return None


def _decider(case: BlacklistCase):
    adopter = case.proposed_by or case.notified_by
    if adopter is None:
        return _l("A reviewer")
    return _l("A reviewer other than %(name)s", name=adopter.display_name)


# --- regulators ----------------------------------------------------------------------------

# "listed" and "expired" as the dates have them; the other states as recorded.
STATE_FILTERS = (
    "open",
    "listed",
    "ended",
    "all",
    *(s.value for s in CaseState if s != CaseState.LISTED),
)


def cases_for_regulators(state: str, day: date, agency_id: int | None = None) -> Select:
    """Cases by state: `open` (waiting for a notice, an objection or a decision), `listed`
    (in force), `ended`, `expired` (as the dates have them), another state, or `all`."""
    query = select(BlacklistCase).options(
        selectinload(BlacklistCase.agency), selectinload(BlacklistCase.repairs)
    )
    if state == "open":
        query = query.where(BlacklistCase.state.in_([s.value for s in OPEN_STATES]))
    elif state == "listed":
        query = query.where(in_force(day))
    elif state == "ended":
        query = query.where(ended(day))
    elif state == CaseState.EXPIRED:
        query = query.where(
            or_(
                BlacklistCase.state == CaseState.EXPIRED.value,
                and_(BlacklistCase.state == LISTED, BlacklistCase.listed_until < day),
            )
        )
    elif state in STATE_FILTERS and state != "all":
        query = query.where(BlacklistCase.state == state)
    if agency_id is not None:
        query = query.where(BlacklistCase.agency_id == agency_id)
    return query.order_by(BlacklistCase.id.desc())


def pending_repairs() -> list[RepairApplication]:
    return list(
        db.session.execute(
            select(RepairApplication)
            .where(RepairApplication.status == RepairStatus.PENDING.value)
            .options(selectinload(RepairApplication.case).selectinload(BlacklistCase.agency))
            .order_by(RepairApplication.applied_on, RepairApplication.id)
        ).scalars()
    )


def substantiated_complaints_of(agency_id: int) -> list[Complaint]:
    """The complaints a regulator may link to a proposal: the agency's substantiated ones."""
    return list(
        db.session.execute(
            select(Complaint)
            .where(
                Complaint.agency_id == agency_id,
                Complaint.status == ComplaintStatus.SUBSTANTIATED.value,
            )
            .order_by(Complaint.concluded_on.desc(), Complaint.id.desc())
        ).scalars()
    )


# --- the agency ----------------------------------------------------------------------------


def cases_of_agency(agency_id: int) -> Select:
    """The agency's own cases, once notified; a proposal dropped before is not shown."""
    return (
        select(BlacklistCase)
        .where(BlacklistCase.agency_id == agency_id, BlacklistCase.notified_at.is_not(None))
        .order_by(BlacklistCase.id.desc())
    )
