"""Engagements (an enterprise hires an agency), their extensions, fair draws and reviews.

Engagement.status, one service per arrow (ratings.engagements.services):

    awaiting_agency --confirm--> open --deliver--> delivered --confirm delivery--> confirmed
          |                        |                   |
          +--cancel/decline--------+--cancel           +--dispute--> disputed
                                                                       | deliver again (rework)
                                                                       | or confirm delivery

The fee facts are copied when the engagement is recorded and never change afterwards: the
schedule's published maximum and the government cap in force on the start date, and the
overcharge they imply. Fees are per the schedule's unit (most are per item, 项; some per
square metre or building), the agreed fee too, so the three compare like with like.

The due date is *not* stored: it is start_date plus promised_days + extra_days working
days by the calendar in force when asked (a holiday notice entered later moves it). At
delivery the working days late are fixed in late_working_days, so the rating engine counts
late deliveries in SQL.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.agencies.models import yuan
from registry.db import db, utcnow


def _one_of(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value.value}'" for value in values))


class EngagementStatus(StrEnum):
    AWAITING_AGENCY = "awaiting_agency"
    OPEN = "open"
    DELIVERED = "delivered"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    EngagementStatus.AWAITING_AGENCY: _l("Awaiting the agency's confirmation"),
    EngagementStatus.OPEN: _l("In progress"),
    EngagementStatus.DELIVERED: _l("Delivered"),
    EngagementStatus.CONFIRMED: _l("Delivery confirmed"),
    EngagementStatus.DISPUTED: _l("Delivery disputed"),
    EngagementStatus.CANCELLED: _l("Cancelled"),
}

# Work not yet handed over: the agency is accountable and the deadline runs.
UNDELIVERED = frozenset({EngagementStatus.AWAITING_AGENCY, EngagementStatus.OPEN})


class Engagement(db.Model):
    __tablename__ = "engagement"
    __table_args__ = (
        CheckConstraint(_one_of("status", EngagementStatus), name="status_known"),
        CheckConstraint("agreed_fee_fen >= 0", name="fee_not_negative"),
        CheckConstraint("promised_days > 0", name="promised_days_positive"),
        CheckConstraint("extra_days >= 0", name="extra_days_not_negative"),
        CheckConstraint("overcharge_fen >= 0", name="overcharge_not_negative"),
        Index("ix_engagement_agency_status", "agency_id", "status"),
        Index("ix_engagement_enterprise", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule.id"), index=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    # The fair draw the agency came from, if any; a draw leads to one engagement at most.
    fair_draw_id: Mapped[int | None] = mapped_column(ForeignKey("fair_draw.id"), unique=True)
    # What the work is for, in the enterprise's words (a project, a site).
    project: Mapped[str] = mapped_column(String(200), default="")
    # In yuan-fen per the schedule's unit (项, 平方米, 幢…), as the published fee is.
    agreed_fee_fen: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date]
    # Copied from the schedule in force on the start date.
    promised_days: Mapped[int]
    # The schedule's published maximum and the government cap (None: a market-priced item
    # or no cap in force) on the start date, and what the agreed fee exceeds the lower by.
    published_max_fen: Mapped[int] = mapped_column(BigInteger)
    cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    overcharge_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Working days added by extensions the enterprise accepted.
    extra_days: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(
        String(20), index=True, default=EngagementStatus.AWAITING_AGENCY
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    delivered_on: Mapped[date | None]
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # Working days after the due date the work was delivered (0: on time), fixed at delivery.
    late_working_days: Mapped[int | None]
    confirmed_on: Mapped[date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    disputed_at: Mapped[datetime | None]
    disputed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    enterprise = relationship("Enterprise")
    agency = relationship("Agency")
    fee_schedule = relationship("FeeSchedule")
    service_item = relationship("ServiceItem")
    fair_draw: Mapped["FairDraw | None"] = relationship(back_populates="engagement")
    created_by = relationship("Account", foreign_keys=[created_by_id])
    accepted_by = relationship("Account", foreign_keys=[accepted_by_id])
    delivered_by = relationship("Account", foreign_keys=[delivered_by_id])
    confirmed_by = relationship("Account", foreign_keys=[confirmed_by_id])
    disputed_by = relationship("Account", foreign_keys=[disputed_by_id])
    cancelled_by = relationship("Account", foreign_keys=[cancelled_by_id])
    extensions: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="engagement", order_by="ExtensionRequest.id"
    )
    review: Mapped["Review | None"] = relationship(back_populates="engagement")

    def __repr__(self) -> str:
        return f"<Engagement {self.id} {self.status}>"

    @property
    def status_enum(self) -> EngagementStatus:
        return EngagementStatus(self.status)

    @property
    def working_days(self) -> int:
        """The whole time limit: promised plus accepted extensions."""
        return self.promised_days + self.extra_days

    @property
    def is_undelivered(self) -> bool:
        return self.status in UNDELIVERED

    @hybrid_property
    def is_overcharged(self) -> bool:
        return self.overcharge_fen > 0

    @property
    def agreed_fee(self) -> Decimal:
        return yuan(self.agreed_fee_fen)

    @property
    def published_max(self) -> Decimal:
        return yuan(self.published_max_fen)

    @property
    def cap(self) -> Decimal | None:
        return yuan(self.cap_fen)

    @property
    def overcharge(self) -> Decimal:
        return yuan(self.overcharge_fen)

    @property
    def limit_fen(self) -> int:
        """The most the agency could lawfully agree to on the start date."""
        return fee_limit_fen(self.published_max_fen, self.cap_fen)

    @property
    def over_published_max_fen(self) -> int:
        return max(0, self.agreed_fee_fen - self.published_max_fen)

    @property
    def over_cap_fen(self) -> int:
        return 0 if self.cap_fen is None else max(0, self.agreed_fee_fen - self.cap_fen)


def fee_limit_fen(published_max_fen: int, cap_fen: int | None) -> int:
    """The lower of the published maximum and the government cap (when there is one)."""
    return published_max_fen if cap_fen is None else min(published_max_fen, cap_fen)


def overcharge_of(agreed_fee_fen: int, published_max_fen: int, cap_fen: int | None) -> int:
    """What an agreed fee exceeds the lawful limit by, in fen; 0 when within it."""
    return max(0, agreed_fee_fen - fee_limit_fen(published_max_fen, cap_fen))


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    # Still pending when the work was delivered or the engagement cancelled.
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return EXTENSION_LABELS[self]


EXTENSION_LABELS = {
    ExtensionStatus.PENDING: _l("Waiting for the enterprise"),
    ExtensionStatus.ACCEPTED: _l("Accepted"),
    ExtensionStatus.REFUSED: _l("Refused"),
    ExtensionStatus.WITHDRAWN: _l("Withdrawn: the work was delivered or cancelled"),
}


class ExtensionRequest(db.Model):
    """The agency asking, before the deadline, for more working days; the enterprise decides."""

    __tablename__ = "extension_request"
    __table_args__ = (
        CheckConstraint(_one_of("status", ExtensionStatus), name="status_known"),
        CheckConstraint("extra_days > 0", name="extra_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    extra_days: Mapped[int]
    justification: Mapped[str] = mapped_column(Text)
    # The due date when asked, as the agency saw it.
    due_when_asked: Mapped[date]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    status: Mapped[str] = mapped_column(String(20), default=ExtensionStatus.PENDING)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    engagement: Mapped[Engagement] = relationship(back_populates="extensions")
    requested_by = relationship("Account", foreign_keys=[requested_by_id])
    decided_by = relationship("Account", foreign_keys=[decided_by_id])

    @property
    def status_enum(self) -> ExtensionStatus:
        return ExtensionStatus(self.status)


class FairDraw(db.Model):
    """An agency drawn at random among the eligible ones, re-runnable from what is stored.

    candidates is the credit codes of the eligible agencies, sorted, joined by commas;
    the chosen one is candidates[int(SHA-256(seed + "|" + candidates), 16) mod n]
    (ratings.engagements.draws.choose), so anyone can re-run it.
    """

    __tablename__ = "fair_draw"
    __table_args__ = (
        CheckConstraint("candidate_count >= 1", name="has_candidates"),
        CheckConstraint("chosen_index >= 0 AND chosen_index < candidate_count", name="chosen_in"),
        CheckConstraint("min_stars IS NULL OR min_stars BETWEEN 1 AND 5", name="min_stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public reference of the draw, in its verification page's address.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    method: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    min_stars: Mapped[int | None]
    # Eligibility was judged on this day.
    drawn_on: Mapped[date]
    candidates: Mapped[str] = mapped_column(Text)
    candidate_count: Mapped[int]
    seed: Mapped[str] = mapped_column(String(64))
    chosen_index: Mapped[int]
    chosen_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    enterprise = relationship("Enterprise")
    service_item = relationship("ServiceItem")
    chosen_agency = relationship("Agency")
    drawn_by = relationship("Account")
    engagement: Mapped[Engagement | None] = relationship(back_populates="fair_draw")

    @property
    def candidate_codes(self) -> list[str]:
        return self.candidates.split(",")


class Review(db.Model):
    """An enterprise's review of a confirmed engagement; the agency's one public reply."""

    __tablename__ = "review"
    __table_args__ = (
        *(
            CheckConstraint(f"{name} BETWEEN 1 AND 5", name=f"{name}_range")
            for name in ("quality", "timeliness", "fee_compliance", "conduct")
        ),
        CheckConstraint(
            "hidden_at IS NULL OR hidden_reason IS NOT NULL", name="hidden_with_reason"
        ),
        Index("ix_review_agency", "agency_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), unique=True)
    # Copied from the engagement, so profiles and the rating engine read reviews alone.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    quality: Mapped[int]
    timeliness: Mapped[int]
    fee_compliance: Mapped[int]
    conduct: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    engagement: Mapped[Engagement] = relationship(back_populates="review")
    agency = relationship("Agency")
    enterprise = relationship("Enterprise")
    author = relationship("Account", foreign_keys=[author_id])
    replied_by = relationship("Account", foreign_keys=[replied_by_id])
    hidden_by = relationship("Account", foreign_keys=[hidden_by_id])

    @hybrid_property
    def mean_score(self) -> float:
        """The mean of the four scores, 1–5 (what the rating engine averages)."""
        return (self.quality + self.timeliness + self.fee_compliance + self.conduct) / 4.0

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
