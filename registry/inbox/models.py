"""A notice in one account's inbox: a kind and its params, rendered when it is read."""

from datetime import datetime

from flask import url_for
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.routing import BuildError

from registry.db import db, utcnow
from registry.inbox import kinds
from registry.security import safe_next


class Notice(db.Model):
    __tablename__ = "notice"
    __table_args__ = (
        # The navigation's unread count is one COUNT over this index.
        Index("ix_notice_recipient_unread", "recipient_id", "read_at"),
        # A job that sends the same notice twice (same key) creates it once per recipient.
        # NULL keys never collide, on SQLite and PostgreSQL alike.
        UniqueConstraint("recipient_id", "dedupe_key", name="uq_notice_recipient_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    kind: Mapped[str] = mapped_column(String(64))
    # Values that fill the kind's texts; see kinds.stored_params.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"endpoint": ..., "args": {...}} or {"path": "/..."}, turned into a URL when shown.
    link: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    recipient = relationship("Account")

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.kind} to {self.recipient_id}>"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def rendered(self) -> kinds.Rendered:
        """Subject and body in the current language."""
        return kinds.render(self.kind, self.params)

    @property
    def subject(self) -> str:
        return self.rendered().subject

    @property
    def body(self) -> str:
        return self.rendered().body

    def target_url(self) -> str | None:
        """Where the notice points, or None when it points nowhere (any more)."""
        link = self.link or {}
        if "path" in link:
            return safe_next(link["path"])
        if "endpoint" in link:
            try:
                return url_for(link["endpoint"], **(link.get("args") or {}))
            except (BuildError, TypeError, ValueError):
                return None
        return None
