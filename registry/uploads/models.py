"""Uploaded files, kept in the database so every host, transaction and backup has them."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, declared_attr, deferred, mapped_column, relationship

from registry.db import db, utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Loaded only when the file is served, never with lists of its owners.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FileLink:
    """Mixin for a row that links one stored file to the record it was sent with (a
    complaint's evidence, a case's objection), and says who added it and when.

    Each stored file belongs to one link; the owning model adds its own foreign key to the
    record and whatever it records about the file's part in it (stage, party).
    """

    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def file(cls) -> Mapped[StoredFile]:
        return relationship(StoredFile)

    @declared_attr
    def added_by(cls):
        return relationship("Account")
