"""The hidden one-time token of a form that creates something."""

from wtforms import HiddenField

from registry.submissions.services import new_token


class CreatesOnce:
    """Mixed into a form that creates something: a hidden token, generated when the form is
    first shown and sent back with it (so kept when the form is shown again after an error).
    registry.actions.created_once claims it, so the same submission sent twice creates once."""

    submission_token = HiddenField(default=new_token)

    def sent_token(self) -> str | None:
        """The token the browser sent back; None if it sent none (the field then holds a
        fresh default, which must not count as sent)."""
        sent = self.submission_token.raw_data
        return sent[0] if sent else None

    def refuse_token(self, reason: str) -> None:
        """Say why the token was refused, and give the form a fresh one to submit again."""
        self.submission_token.errors = [*self.submission_token.errors, reason]
        self.submission_token.data = new_token()
