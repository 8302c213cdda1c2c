"""Agencies, what they are qualified for, what they offer and charge; enterprises."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    and_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.agencies.categories import AgencyCategory, AgencyStatus, PricingType, check_constraint
from registry.agencies.names import initials_of, normalise_name, pinyin_of, spaced
from registry.db import db, utcnow

FEN_PER_YUAN = 100
OPEN_PERIOD = text("effective_to IS NULL")


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / FEN_PER_YUAN


def fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((Decimal(amount) * FEN_PER_YUAN).to_integral_value())


class NamedForSearch:
    """A row whose name is kept with its normalised, pinyin and initials forms."""

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_normalised = normalise_name(self.name)
        self.name_chars = spaced(self.name_normalised)
        self.name_pinyin = pinyin_of(self.name)
        self.name_initials = initials_of(self.name)


class Agency(NamedForSearch, db.Model):
    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(check_constraint("category", AgencyCategory), name="category_known"),
        CheckConstraint(check_constraint("status", AgencyStatus), name="status_known"),
        Index("ix_agency_region", "district", "town"),
        Index("ix_agency_category_region", "category", "district", "town"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # Set when a regulator accepted a code that fails the checksum (DESIGN.md §4).
    credit_code_exception: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), index=True)
    name_pinyin: Mapped[str] = mapped_column(String(800))
    name_initials: Mapped[str] = mapped_column(String(200), index=True)
    # The normalised name one character a word ("江 阴 环 评"): 1-2 character queries are
    # phrase searches over it (FTS5 unicode61 on SQLite, a tsvector on PostgreSQL).
    name_chars: Mapped[str] = mapped_column(String(400), default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    district: Mapped[str] = mapped_column(String(60))
    town: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(300))
    contact_person: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    legal_representative: Mapped[str] = mapped_column(String(60))
    business_scope: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True, default=AgencyStatus.PENDING)
    # Why the agency is in its current state (rejection, suspension, deregistration).
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first and last day of the agency's current (or latest expired) blacklist listing,
    # kept by the blacklist package; whether it counts on a day is computed from these
    # dates alone (registry.agencies.listing). Both set or both empty; no CHECK constraint,
    # because adding one would rebuild the table on SQLite and drop its search triggers.
    listed_from: Mapped[date | None]
    listed_until: Mapped[date | None]
    # The latest rating result, mirrored from ratings.results for search (DESIGN.md §3):
    # the stars shown (None when unrated or blacklisted), the status, the score, and the
    # local date of the last computation. Kept by the ratings package only.
    stars: Mapped[int | None]
    rating_status: Mapped[str] = mapped_column(String(12), default="unrated")
    score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    rating_as_of: Mapped[date | None]

    qualifications: Mapped[list["Qualification"]] = relationship(
        back_populates="agency", order_by="Qualification.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Agency {self.credit_code} {self.status}>"

    @property
    def status_enum(self) -> AgencyStatus:
        return AgencyStatus(self.status)

    @property
    def category_enum(self) -> AgencyCategory:
        return AgencyCategory(self.category)

    @property
    def is_active(self) -> bool:
        return self.status == AgencyStatus.ACTIVE

    @property
    def region(self) -> str:
        return f"{self.district} {self.town}"


class Qualification(db.Model):
    __tablename__ = "qualification"
    __table_args__ = (
        CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name="validity_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(60), default="")
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    certificate_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))

    agency: Mapped[Agency] = relationship(back_populates="qualifications")
    certificate = relationship("StoredFile")

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class ServiceItem(db.Model):
    """A service in the regulators' catalogue, with what the public must know before hiring."""

    __tablename__ = "service_item"
    __table_args__ = (
        CheckConstraint(check_constraint("category", AgencyCategory), name="category_known"),
        CheckConstraint(check_constraint("pricing_type", PricingType), name="pricing_known"),
        CheckConstraint("statutory_days > 0", name="statutory_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    pricing_type: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(40))
    statutory_days: Mapped[int]
    acceptance_conditions: Mapped[str] = mapped_column(Text)
    materials: Mapped[str] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(Text)
    retired_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    caps: Mapped[list["FeeCap"]] = relationship(
        back_populates="service_item", order_by="FeeCap.effective_from"
    )

    @property
    def pricing_enum(self) -> PricingType:
        return PricingType(self.pricing_type)

    @property
    def is_government_guided(self) -> bool:
        return self.pricing_type == PricingType.GOVERNMENT_GUIDED

    @property
    def category_enum(self) -> AgencyCategory:
        return AgencyCategory(self.category)

    def cap_in_force_on(self, day: date) -> "FeeCap | None":
        return next((cap for cap in self.caps if cap.is_in_force_on(day)), None)


class Period:
    """A row in force from effective_from (inclusive) to effective_to (exclusive, or open)."""

    def is_in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    @classmethod
    def in_force_clause(cls, day: date):
        return and_(
            cls.effective_from <= day, or_(cls.effective_to.is_(None), cls.effective_to > day)
        )


class FeeCap(Period, db.Model):
    """The government's maximum for a guided service item, with its history."""

    __tablename__ = "fee_cap"
    __table_args__ = (
        CheckConstraint("cap_fen >= 0", name="cap_not_negative"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="period_ordered"
        ),
        Index(
            "uq_fee_cap_open",
            "service_item_id",
            unique=True,
            sqlite_where=OPEN_PERIOD,
            postgresql_where=OPEN_PERIOD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    cap_fen: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    service_item: Mapped[ServiceItem] = relationship(back_populates="caps")

    @property
    def cap(self) -> Decimal:
        return yuan(self.cap_fen)


class FeeSchedule(Period, db.Model):
    """An agency's offer of one service item. Never edited: a change ends it and starts anew."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        CheckConstraint("fee_min_fen >= 0", name="fee_not_negative"),
        CheckConstraint("fee_max_fen >= fee_min_fen", name="fee_range_ordered"),
        CheckConstraint("promised_days > 0", name="promised_days_positive"),
        CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from", name="period_ordered"
        ),
        Index(
            "uq_fee_schedule_open",
            "agency_id",
            "service_item_id",
            unique=True,
            sqlite_where=OPEN_PERIOD,
            postgresql_where=OPEN_PERIOD,
        ),
        Index("ix_fee_schedule_offer", "agency_id", "service_item_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    fee_min_fen: Mapped[int] = mapped_column(BigInteger)
    fee_max_fen: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(Text)
    promised_days: Mapped[int]
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    service_item: Mapped[ServiceItem] = relationship()

    @property
    def fee_min(self) -> Decimal:
        return yuan(self.fee_min_fen)

    @property
    def fee_max(self) -> Decimal:
        return yuan(self.fee_max_fen)

    @classmethod
    def in_force_on(cls, day: date, *, agency_id: int | None = None):
        """A query for the schedules in force on a day (optionally of one agency)."""
        query = select(cls).where(cls.in_force_clause(day))
        if agency_id is not None:
            query = query.where(cls.agency_id == agency_id)
        return query


class Enterprise(NamedForSearch, db.Model):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), index=True)
    name_pinyin: Mapped[str] = mapped_column(String(800))
    name_initials: Mapped[str] = mapped_column(String(200))
    name_chars: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkRequest(db.Model):
    """An account asking to act for an agency or enterprise that already has users."""

    __tablename__ = "link_request"
    __table_args__ = (
        CheckConstraint("(agency_id IS NULL) <> (enterprise_id IS NULL)", name="one_target"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account = relationship("Account", foreign_keys=[account_id])
    agency: Mapped[Agency | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
