"""Who may do what with a complaint. Each rule says who, never in which state: the services
refuse a transition out of order with their own message; actions_for() combines both so a
page shows only the buttons that would work."""

from ratings.complaints.models import Complaint, ComplaintStatus
from registry.accounts.permissions import acts_for_agency, has_role, is_regulator, signed_in
from registry.accounts.roles import Role


def can_file_complaint(user) -> bool:
    """Enterprises and members of the public; never agency staff or regulators."""
    return has_role(user, Role.ENTERPRISE, Role.PUBLIC)


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def is_complainant(user, complaint: Complaint) -> bool:
    return signed_in(user) and complaint.complainant_id == user.id


def answers_for_agency(user, complaint: Complaint) -> bool:
    """Staff of the complained-about agency, once the complaint was accepted."""
    return acts_for_agency(user, complaint.agency) and complaint.shown_to_agency


def in_conflict(user, agency_id: int) -> bool:
    """The regulator declared a conflict of interest with the agency, still in force."""
    from ratings.complaints.queries import conflicted_agency_ids

    return agency_id in conflicted_agency_ids(user.id)


def can_handle(user, complaint: Complaint) -> bool:
    """A regulator without a conflict with the agency: reads it and may act on it."""
    return is_regulator(user) and not in_conflict(user, complaint.agency_id)


def can_read_complaint(user, complaint: Complaint) -> bool:
    """The complainant, the agency's staff once accepted, regulators without a conflict."""
    return (
        is_complainant(user, complaint)
        or answers_for_agency(user, complaint)
        or can_handle(user, complaint)
    )


def is_assignee(user, complaint: Complaint) -> bool:
    return signed_in(user) and complaint.assignee_id == user.id


def sees_people(user, complaint: Complaint) -> bool:
    """Regulators see who the complainant and the handling regulator are; the parties do not."""
    return can_handle(user, complaint)


def actions_for(user, complaint: Complaint) -> set[str]:
    """The actions this user can take on the complaint now (to show the right buttons)."""
    status = complaint.status_enum
    found = set()
    if is_complainant(user, complaint):
        if complaint.is_open:
            found.add("withdraw")
        if (
            status == ComplaintStatus.INVESTIGATING
            and complaint.response_text is not None
            and complaint.rebuttal_text is None
        ):
            found.add("rebut")
    if (
        answers_for_agency(user, complaint)
        and complaint.response_text is None
        and status in (ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING)
    ):
        found.add("respond")
    if can_handle(user, complaint) and complaint.is_open:
        found |= _regulator_actions(user, complaint, status)
    return found


def _regulator_actions(user, complaint: Complaint, status: ComplaintStatus) -> set[str]:
    found = set()
    mine = complaint.assignee_id in (None, user.id)
    if complaint.assignee_id is None:
        found.add("take")
    if is_reviewer(user):
        found.add("assign")
        if complaint.extension_days is None and status != ComplaintStatus.SUBMITTED:
            found.add("extend")
    if mine and status == ComplaintStatus.SUBMITTED:
        found |= {"accept", "refuse"}
    if is_assignee(user, complaint):
        if status == ComplaintStatus.ACCEPTED:
            found.add("proceed")
        if status == ComplaintStatus.INVESTIGATING:
            found.add("conclude")
    return found
