"""Chinese working days: every deadline in the product is counted here.

Each year's days come from the first of these that knows the year:

1. the official notice a regulator entered for it (the State Council's 部分节假日安排);
2. the `chinesecalendar` package, for the years its installed release knows;
3. Monday to Friday. Such a year is *uncertain*: every page that shows a deadline touching
   it says that its official holidays are not known yet (templates/_macros/deadline.html).

Counting, as 民法典 第二百零一条 counts periods (the start day is not counted):

- add_working_days(start, n): the due date, the n-th working day *after* `start`. The start
  day never counts, working day or not; a start on a holiday counts from the next working
  day. n = 0 gives `start` itself.
- working_days_between(start, end): the working days after `start` up to and including
  `end`; negative when `end` is before `start`. between(start, add(start, n)) == n.
- overdue_working_days(due, today): the working days after `due` up to and including
  `today`; 0 up to and on the due date (and on a rest day right after it).

Store a deadline as its start and number of working days, not as a computed date: a notice
entered later can move the due date. Use one calendar per request or command:
current_calendar() builds it once (one query for every stored notice) and keeps it in
flask.g; each year's working days are then worked out once and searched by bisection, so
no computation walks or queries day by day.
"""

from bisect import bisect_right
from calendar import isleap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, cached_property

import chinese_calendar
from flask import g
from sqlalchemy import select

from ratings.models import DayKind, HolidayNotice, HolidayNoticeDay
from registry.dates import local_today
from registry.db import db

CALENDAR_KEY = "working_calendar"


class DaySource(StrEnum):
    """Where a year's holidays and adjusted working days come from."""

    NOTICE = "notice"
    LIBRARY = "library"
    WEEKDAYS = "weekdays"  # neither knows the year: Monday–Friday, flagged


@dataclass(frozen=True)
class YearRules:
    """One year: weekdays work and weekends rest, except the listed days."""

    year: int
    source: DaySource
    holidays: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()  # adjusted working days (调休上班)
    labels: Mapping[date, str] = field(default_factory=dict, compare=False)

    @property
    def uncertain(self) -> bool:
        return self.source is DaySource.WEEKDAYS

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    @cached_property
    def working_dates(self) -> tuple[date, ...]:
        """Every working day of the year, in order."""
        first = date(self.year, 1, 1)
        days = (first + timedelta(days=n) for n in range(366 if isleap(self.year) else 365))
        return tuple(day for day in days if self.is_working_day(day))


@cache
def library_years() -> frozenset[int]:
    """The years the installed chinesecalendar release knows, read from its data."""
    return frozenset(day.year for day in chinese_calendar.holidays)


@cache
def library_rules(year: int) -> YearRules | None:
    """The library's holidays and adjusted working days for a year it knows, else None."""
    if year not in library_years():
        return None
    holidays = {d: name for d, name in chinese_calendar.holidays.items() if d.year == year}
    working = {d: name for d, name in chinese_calendar.workdays.items() if d.year == year}
    return YearRules(
        year,
        DaySource.LIBRARY,
        holidays=frozenset(holidays),
        working_days=frozenset(working),
        labels={**holidays, **working},
    )


@dataclass(frozen=True)
class Deadline:
    """A due date as a page shows it: when, working days left or overdue, and how sure."""

    due: date
    today: date
    working_days_left: int  # after today up to the due date; 0 once due
    overdue_working_days: int  # after the due date up to today; 0 until then
    uncertain_years: tuple[int, ...]  # years counted Monday–Friday for lack of a calendar

    @property
    def is_overdue(self) -> bool:
        return self.today > self.due

    @property
    def is_due_today(self) -> bool:
        return self.today == self.due


class WorkingCalendar:
    """Working days by the stored notices, then the library, then Monday–Friday."""

    def __init__(self, notices: Iterable[YearRules] = ()):
        self._notices = {rules.year: rules for rules in notices}
        self._years: dict[int, YearRules] = {}

    def rules_for(self, year: int) -> YearRules:
        rules = self._years.get(year)
        if rules is None:
            rules = (
                self._notices.get(year)
                or library_rules(year)
                or YearRules(year, DaySource.WEEKDAYS)
            )
            self._years[year] = rules
        return rules

    def source_of(self, year: int) -> DaySource:
        return self.rules_for(year).source

    def is_working_day(self, day: date) -> bool:
        return self.rules_for(day.year).is_working_day(day)

    def add_working_days(self, start: date, working_days: int) -> date:
        """The n-th working day after `start` (the start day not counted); n = 0: `start`."""
        if working_days < 0:
            raise ValueError("a deadline counts a positive number of working days, or zero")
        if working_days == 0:
            return start
        year = start.year
        days = self.rules_for(year).working_dates
        index = bisect_right(days, start) + working_days - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self.rules_for(year).working_dates
        return days[index]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        total = 0
        for year in range(start.year, end.year + 1):
            days = self.rules_for(year).working_dates
            total += bisect_right(days, end) - bisect_right(days, start)
        return total

    def overdue_working_days(self, due: date, today: date) -> int:
        """Working days after the due date up to and including today; 0 when not overdue."""
        return max(0, self.working_days_between(due, today))

    def uncertain_years(self, start: date, end: date) -> tuple[int, ...]:
        """The years from `start` to `end` (either order) counted Monday–Friday."""
        first, last = sorted((start.year, end.year))
        return tuple(year for year in range(first, last + 1) if self.rules_for(year).uncertain)

    def deadline(self, start: date, working_days: int, today: date | None = None) -> Deadline:
        """The deadline `working_days` working days after `start`, as of today."""
        return self.deadline_on(
            self.add_working_days(start, working_days), today=today, since=start
        )

    def deadline_on(
        self, due: date, today: date | None = None, since: date | None = None
    ) -> Deadline:
        """A deadline whose due date is known, counted from `since` (default: the due date)."""
        today = today or local_today()
        span = [due, today, since or due]
        return Deadline(
            due=due,
            today=today,
            working_days_left=max(0, self.working_days_between(today, due)),
            overdue_working_days=self.overdue_working_days(due, today),
            uncertain_years=self.uncertain_years(min(span), max(span)),
        )


def load_calendar() -> WorkingCalendar:
    """A calendar holding every stored notice, read in one query."""
    rows = db.session.execute(
        select(
            HolidayNotice.year, HolidayNoticeDay.day, HolidayNoticeDay.kind, HolidayNoticeDay.label
        )
        .join(HolidayNotice.days)
        .order_by(HolidayNotice.year)
    ).all()
    years: dict[int, dict[str, dict[date, str]]] = {}
    for year, day, kind, label in rows:
        years.setdefault(year, {DayKind.HOLIDAY: {}, DayKind.WORKING_DAY: {}})[kind][day] = label
    return WorkingCalendar(
        YearRules(
            year,
            DaySource.NOTICE,
            holidays=frozenset(days[DayKind.HOLIDAY]),
            working_days=frozenset(days[DayKind.WORKING_DAY]),
            labels={**days[DayKind.HOLIDAY], **days[DayKind.WORKING_DAY]},
        )
        for year, days in years.items()
    )


def current_calendar() -> WorkingCalendar:
    """This request's or command's calendar, built on first use and kept in flask.g."""
    calendar = g.get(CALENDAR_KEY)
    if calendar is None:
        calendar = load_calendar()
        setattr(g, CALENDAR_KEY, calendar)
    return calendar


def forget_calendar() -> None:
    """Drop the kept calendar after a notice changed; the next use reads the notices again."""
    g.pop(CALENDAR_KEY, None)
