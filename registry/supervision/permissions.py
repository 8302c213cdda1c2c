"""Who reads the supervision dashboard, who acts on it, and who evaluates the regulators."""

from ratings.assessments.permissions import is_supervisor
from registry.accounts.permissions import is_regulator


def can_read_dashboard(user) -> bool:
    """Regulators and reviewers, and invited supervisors (who read everything, act on nothing)."""
    return is_regulator(user) or is_supervisor(user)


def can_escalate(user) -> bool:
    """Regulators and reviewers may escalate an overdue item before the daily job does."""
    return is_regulator(user)


def can_evaluate_regulators(user) -> bool:
    """Supervisors evaluate how regulators handled concluded complaints."""
    return is_supervisor(user)


def can_change_regulator_evaluation(user, evaluation) -> bool:
    """Only the supervisor who wrote it (the time rule is the service's)."""
    return is_supervisor(user) and evaluation.supervisor_id == user.id
