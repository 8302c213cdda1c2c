"""Who may evaluate, inspect and read inspection reports."""

from registry.accounts.permissions import can_see_agency_private, has_role, is_regulator
from registry.accounts.roles import Role


def is_supervisor(user) -> bool:
    """Invited supervisors (people's deputies, CPPCC members): they evaluate agencies."""
    return has_role(user, Role.SUPERVISOR)


def can_change_evaluation(user, evaluation) -> bool:
    """Only the supervisor who wrote it (the quarter rule is the service's)."""
    return is_supervisor(user) and evaluation.supervisor_id == user.id


def can_inspect(user) -> bool:
    """Regulators and reviewers record and withdraw inspections."""
    return is_regulator(user)


def can_read_inspections(user, agency) -> bool:
    """An agency's inspections in full (findings, report file): its own staff and regulators."""
    return can_see_agency_private(user, agency)
