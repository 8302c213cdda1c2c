"""The records that agencies' conduct is judged by, and the calendar their deadlines use.

HolidayNotice is a year's official holiday arrangement (国务院办公厅关于某年部分节假日安排的
通知) as a regulator entered it. For its year it takes precedence over the calendar library
(ratings.working_days says how the two are combined).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow

# The years a notice may be entered for; far enough either way for any real deadline.
FIRST_NOTICE_YEAR = 2000
LAST_NOTICE_YEAR = 2099


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # a weekday (or weekend) off
    WORKING_DAY = "working_day"  # an adjusted working day (调休上班): a weekend day worked


class HolidayNotice(db.Model):
    __tablename__ = "holiday_notice"
    __table_args__ = (
        CheckConstraint(
            f"year BETWEEN {FIRST_NOTICE_YEAR} AND {LAST_NOTICE_YEAR}", name="year_supported"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The notice's document number, e.g. 国办发明电〔2026〕7号; optional.
    document_number: Mapped[str] = mapped_column(String(60), default="")
    # None when a command (the system) entered it.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    entered_by = relationship("Account")
    days: Mapped[list["HolidayNoticeDay"]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="HolidayNoticeDay.day"
    )

    @property
    def holidays(self) -> list[date]:
        return [entry.day for entry in self.days if entry.kind == DayKind.HOLIDAY]

    @property
    def working_days(self) -> list[date]:
        return [entry.day for entry in self.days if entry.kind == DayKind.WORKING_DAY]


class HolidayNoticeDay(db.Model):
    __tablename__ = "holiday_notice_day"
    __table_args__ = (
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{kind.value}'" for kind in DayKind)),
            name="kind_known",
        ),
        UniqueConstraint("notice_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("holiday_notice.id"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(12))
    # What the notice calls the day, e.g. 国庆节; optional.
    label: Mapped[str] = mapped_column(String(60), default="")

    notice: Mapped[HolidayNotice] = relationship(back_populates="days")
