"""Who reads the regulators' statistics: regulators, reviewers and invited supervisors."""

from registry.accounts.permissions import has_role
from registry.accounts.roles import Role


def can_read_statistics(user) -> bool:
    """Every figure, the open complaints and the monthly report (the public page is open)."""
    return has_role(user, Role.REGULATOR, Role.REVIEWER, Role.SUPERVISOR)
