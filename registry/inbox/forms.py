"""Inbox forms: each action is a POST carrying the session's CSRF token."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp


class NoticeActionForm(FlaskForm):
    """Mark one notice read, or follow its link (which marks it read)."""


class MarkAllReadForm(FlaskForm):
    # The newest notice the page showed: one that arrives after it stays unread.
    up_to = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,18}$")])

    def up_to_id(self) -> int | None:
        return int(self.up_to.data) if self.up_to.data else None
