"""Escalations of overdue work, and supervisors' evaluations of regulators' complaint handling.

An Escalation is recorded once per item and due date: (kind, object_id, due) is unique, so a
daily job run twice, or a regulator's "escalate now" racing the job, escalates once. A new due
date (a complaint's extension, an engagement's accepted extension) may be escalated again.

A RegulatorEvaluation is one supervisor's view of one concluded complaint's handling: one per
supervisor per complaint, changeable for SUPERVISION_EVALUATION_CHANGE_DAYS after it was first
recorded, then fixed. regulator_id is the complaint's handler, copied when evaluated, so the
per-regulator figures do not move if the complaint is later reassigned.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow


class Escalation(db.Model):
    __tablename__ = "supervision_escalation"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "due", name="uq_supervision_escalation_item_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The item's kind (registry.supervision.items.Kind) and the id of its row.
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    due: Mapped[date]
    overdue_working_days: Mapped[int]
    # Who was accountable, as the dashboard named them when it was escalated.
    accountable: Mapped[str] = mapped_column(String(200))
    escalated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None: the daily job; else the regulator who escalated it by hand.
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # The ids of the accounts notified.
    notified: Mapped[list] = mapped_column(JSON, default=list)

    escalated_by = relationship("Account")


class RegulatorEvaluation(db.Model):
    __tablename__ = "regulator_evaluation"
    __table_args__ = (
        UniqueConstraint(
            "supervisor_id", "complaint_id", name="uq_regulator_evaluation_once_per_complaint"
        ),
        CheckConstraint("timeliness BETWEEN 1 AND 5", name="timeliness_range"),
        CheckConstraint("fairness BETWEEN 1 AND 5", name="fairness_range"),
        Index("ix_regulator_evaluation_regulator", "regulator_id"),
        Index("ix_regulator_evaluation_complaint", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    regulator_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    timeliness: Mapped[int]
    fairness: Mapped[int]
    remarks: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    supervisor = relationship("Account", foreign_keys=[supervisor_id])
    regulator = relationship("Account", foreign_keys=[regulator_id])
    complaint = relationship("Complaint")
