"""Commitment letters: the versioned templates, the signatures, the keys that sign receipts."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow


class SigningKey(db.Model):
    """A public key that has signed receipts. Private keys live in files, never here."""

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    algorithm: Mapped[str] = mapped_column(String(20), default="Ed25519")
    # The raw 32-byte public key, base64: what a verifier needs with the receipt.
    public_key: Mapped[str] = mapped_column(String(64))
    first_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a newer key took over; receipts it signed stay verifiable.
    retired_at: Mapped[datetime | None]


class CommitmentTemplate(db.Model):
    """One version of the standard letter. A draft until published; immutable after."""

    __tablename__ = "commitment_template"
    __table_args__ = (
        CheckConstraint("validity_months BETWEEN 1 AND 60", name="validity_sensible"),
        CheckConstraint("grace_days BETWEEN 0 AND 365", name="grace_sensible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Numbered when published: 1, 2, 3… in publication order; drafts have none.
    version: Mapped[int | None] = mapped_column(unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    validity_months: Mapped[int] = mapped_column(default=12)
    # Whether signatures of older versions stop counting once this one is published,
    # grace_days after its publication.
    requires_resigning: Mapped[bool] = mapped_column(default=False)
    grace_days: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None: created by the system (demo data), not by a regulator.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    published_at: Mapped[datetime | None]
    published_on: Mapped[date | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # Last day older signatures count, when this version requires re-signing.
    resign_by: Mapped[date | None]

    created_by = relationship("Account", foreign_keys=[created_by_id])
    published_by = relationship("Account", foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.version is not None

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_zh


class CommitmentSignature(db.Model):
    """An agency's signature of one template version, with its server-signed receipt."""

    __tablename__ = "commitment_signature"
    __table_args__ = (
        Index("ix_commitment_signature_agency", "agency_id", "id"),
        CheckConstraint("language IN ('zh_CN', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(12), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("commitment_template.id"), index=True)
    template_version: Mapped[int]
    # The language of the text shown, and the SHA-256 (hex) of that exact text.
    language: Mapped[str] = mapped_column(String(10))
    text_sha256: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    signer_name: Mapped[str] = mapped_column(String(60))
    signer_title: Mapped[str] = mapped_column(String(60))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    # The last day the signature counts, unless superseded or revoked earlier.
    valid_until: Mapped[date]
    # The canonical JSON exactly as signed, the Ed25519 signature (base64) and its key.
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_key.key_id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    agency = relationship("Agency")
    template = relationship("CommitmentTemplate")
    signer = relationship("Account", foreign_keys=[signer_id])
    revoked_by = relationship("Account", foreign_keys=[revoked_by_id])
