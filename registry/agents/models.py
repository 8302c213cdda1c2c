"""Village and town agents (镇村代办员) who help residents and small firms file approvals."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow


class TownAgent(db.Model):
    __tablename__ = "town_agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    town: Mapped[str] = mapped_column(String(60), index=True)
    village: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainings: Mapped[list["TrainingRecord"]] = relationship(
        back_populates="agent", order_by="TrainingRecord.completed_on.desc()"
    )

    def training_current_on(self, day: date, valid_months: int) -> bool:
        """Whether a passed course lies within the last `valid_months` before `day`."""
        return any(
            record.passed and record.counts_on(day, valid_months) for record in self.trainings
        )


class TrainingRecord(db.Model):
    __tablename__ = "training_record"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("town_agent.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date]
    hours: Mapped[int]
    passed: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[TownAgent] = relationship(back_populates="trainings")

    def counts_on(self, day: date, valid_months: int) -> bool:
        months = (day.year - self.completed_on.year) * 12 + day.month - self.completed_on.month
        if day.day < self.completed_on.day:
            months -= 1
        return self.completed_on <= day and months < valid_months
