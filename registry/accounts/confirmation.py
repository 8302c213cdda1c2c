"""Acts confirmed by the account's own password (signing a letter, deciding a case).

A wrong password there counts like a failed sign-in: the form's route carries
`password_confirmed_limit(scope)`, and the view calls `note_refusal(error)` when the
service refuses, so that only refusals about the password use up the limit.
"""

from flask import current_app, g
from flask_login import current_user

from registry.extensions import limiter


def _password_was_wrong(_response) -> bool:
    return bool(g.get("confirmation_password_wrong"))


def password_confirmed_limit(scope: str):
    """The sign-in limit per account (LOGIN_LIMIT_PER_ACCOUNT) on a password-confirmed form,
    counted per scope and account, spent only by wrong passwords."""
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        key_func=lambda: f"{scope}:{current_user.id}",
        methods=["POST"],
        deduct_when=_password_was_wrong,
    )


def note_refusal(error) -> None:
    """Count the refusal against the limit when it was about the password (error.field)."""
    g.confirmation_password_wrong = getattr(error, "field", None) == "password"
