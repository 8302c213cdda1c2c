"""Supervisor evaluations and inspections: what invited supervisors and regulators judged.

A SupervisorEvaluation belongs to the quarter (local date) it was made in: one per
supervisor per agency per quarter; the supervisor may change it until the quarter ends.
An Inspection is never deleted: one entered in error is withdrawn with a reason, stays
readable, and stops counting.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.agencies.categories import AgencyStatus
from registry.db import db, utcnow

EVALUATION_SCORES = (1, 5)
INSPECTION_SCORES = (0, 100)
# Agencies that are evaluated and inspected: those at work or suspended from it. Pending and
# rejected ones were never verified; a deregistered one no longer practises.
ASSESSED_STATUSES = (AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED)
# A typo guard for inspection dates (a year typed as 0026); the registry holds none older.
FIRST_INSPECTION_DAY = date(2000, 1, 1)


def quarter_of(day: date) -> tuple[int, int]:
    """The (year, quarter) a local date falls in: 15 May 2026 → (2026, 2)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


class SupervisorEvaluation(db.Model):
    __tablename__ = "supervisor_evaluation"
    __table_args__ = (
        UniqueConstraint(
            "supervisor_id",
            "agency_id",
            "year",
            "quarter",
            name="uq_supervisor_evaluation_once_per_quarter",
        ),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        # The rating engine reads an agency's evaluations within a window of dates.
        Index("ix_supervisor_evaluation_agency_day", "agency_id", "evaluated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    year: Mapped[int]
    quarter: Mapped[int]
    score: Mapped[int]
    remarks: Mapped[str] = mapped_column(Text, default="")
    # The local date of the last save (submitted or changed); always inside the quarter.
    evaluated_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    supervisor = relationship("Account")
    agency = relationship("Agency")

    def open_for_change_on(self, day: date) -> bool:
        """Whether its supervisor may still change it: only within its own quarter."""
        return quarter_of(day) == (self.year, self.quarter)


class Inspection(db.Model):
    __tablename__ = "inspection"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint(
            "(withdrawn_at IS NULL) = (withdraw_reason IS NULL)", name="withdrawal_has_reason"
        ),
        # The rating engine reads each agency's latest inspection within a window.
        Index("ix_inspection_agency_day", "agency_id", "inspected_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    inspected_on: Mapped[date] = mapped_column(index=True)
    score: Mapped[int]
    findings: Mapped[str] = mapped_column(Text)
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    agency = relationship("Agency")
    report = relationship("StoredFile")
    entered_by = relationship("Account", foreign_keys=[entered_by_id])
    withdrawn_by = relationship("Account", foreign_keys=[withdrawn_by_id])

    @property
    def counts(self) -> bool:
        """Whether the rating may use it: every inspection not withdrawn."""
        return self.withdrawn_at is None
