"""Who may propose, decide and revoke a star override (DESIGN.md §2: reviewers decide)."""

from ratings.complaints.permissions import in_conflict
from ratings.overrides.models import RatingOverride
from registry.accounts.permissions import has_role, is_regulator
from registry.accounts.roles import Role


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def can_propose_override(user) -> bool:
    """Regulators and reviewers propose overrides and read the queue."""
    return is_regulator(user)


def can_decide_override(user, override: RatingOverride) -> bool:
    """A reviewer who did not propose it, without a declared conflict with the agency."""
    return (
        is_reviewer(user)
        and user.id != override.proposed_by_id
        and not in_conflict(user, override.agency_id)
    )


def can_revoke_override(user) -> bool:
    """Regulators and reviewers end an approved override early, with a reason."""
    return is_regulator(user)
