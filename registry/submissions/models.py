"""A creating form's one-time token, and what its first submission created."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import db, utcnow


class FormSubmission(db.Model):
    """A token's first submission: who sent it to which page, and what it created (its kind,
    id and the address that shows it), so that a replay can be shown that instead. The unique
    token is also the lock: a second insert of it waits for the first transaction to end."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # None for a registration: nobody is signed in before it.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    endpoint: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
