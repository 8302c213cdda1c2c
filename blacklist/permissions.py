"""Who may do what with a blacklist case. Each rule says who; the services refuse an act in
the wrong state with their own message, and actions_for() combines both so that a page
shows only the buttons that would work."""

from datetime import date

from blacklist.models import OPEN_STATES, BlacklistCase, CaseState, RepairApplication
from ratings.complaints.permissions import in_conflict
from registry.accounts.permissions import acts_for_agency, has_role, is_regulator
from registry.accounts.roles import Role


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def can_propose_case(user) -> bool:
    """Regulators and reviewers propose listings and notify agencies."""
    return is_regulator(user)


def can_decide_case(user, case: BlacklistCase) -> bool:
    """A reviewer who did not propose the case (nor adopt a rule's proposal by notifying
    it), without a declared conflict of interest with the agency: lists, rejects, revokes,
    and decides its repair applications."""
    return (
        is_reviewer(user) and user.id != case.proposer_id and not in_conflict(user, case.agency_id)
    )


def can_decide_repair(user, application: RepairApplication) -> bool:
    return can_decide_case(user, application.case)


def answers_for_agency(user, case: BlacklistCase) -> bool:
    """Staff of the case's agency, once it was notified."""
    return acts_for_agency(user, case.agency) and case.shown_to_agency


def can_read_case(user, case: BlacklistCase) -> bool:
    """Regulators, and the agency's own staff once notified; objection texts and repair
    statements are read by no one else."""
    return is_regulator(user) or answers_for_agency(user, case)


def actions_for(user, case: BlacklistCase, today: date, window_open: bool) -> set[str]:
    """The acts this user can take on the case now (to show the right buttons).

    window_open: the agency may still object today (its objection deadline not passed).
    """
    state = case.state_on(today)
    found = set()
    if can_propose_case(user) and state == CaseState.PROPOSED:
        found.add("notify")
    if answers_for_agency(user, case):
        if state == CaseState.NOTIFIED and window_open:
            found.add("object")
        if state == CaseState.LISTED and not any(r.status == "pending" for r in case.repairs):
            found.add("repair")
    if can_decide_case(user, case):
        if state in OPEN_STATES:
            found.add("reject")
        if state == CaseState.OBJECTION_FILED or (state == CaseState.NOTIFIED and not window_open):
            found.add("list")
        if state == CaseState.LISTED:
            found.add("revoke")
    return found
