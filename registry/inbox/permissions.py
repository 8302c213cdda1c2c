"""Who may act on a notice: only its recipient."""

from registry.accounts.permissions import signed_in


def is_recipient(user, notice) -> bool:
    """The notice is in this user's own inbox."""
    return signed_in(user) and notice.recipient_id == user.id
