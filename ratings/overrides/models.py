"""A regulator's star override of one agency's rating (DESIGN.md §5).

Proposed by a regulator with a reason; approved or rejected by a reviewer who is not the
proposer; an approved override replaces the stars shown (never the recorded components)
from its approval until `ends_on` (inclusive) or until it is revoked, with a reason.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow


class OverrideState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


class RatingOverride(db.Model):
    __tablename__ = "rating_override"
    __table_args__ = (
        CheckConstraint(
            "state IN ({})".format(", ".join(f"'{state.value}'" for state in OverrideState)),
            name="state_known",
        ),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_rating_override_agency_state", "agency_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    state: Mapped[str] = mapped_column(String(12), default=OverrideState.PROPOSED)
    stars: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    # The last day it counts (local date), inclusive.
    ends_on: Mapped[date]
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The reviewer's decision (approved or rejected) and its reasons.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]
    # The local date of approval: the first day it counts.
    starts_on: Mapped[date | None]
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    agency = relationship("Agency")
    proposed_by = relationship("Account", foreign_keys=[proposed_by_id])
    decided_by = relationship("Account", foreign_keys=[decided_by_id])
    revoked_by = relationship("Account", foreign_keys=[revoked_by_id])

    def in_force_on(self, day: date) -> bool:
        """Whether it replaces the stars on a local date."""
        return (
            self.state == OverrideState.APPROVED
            and self.starts_on is not None
            and self.starts_on <= day <= self.ends_on
        )
