"""Read helpers for the calendar pages: which years are known from where, and a year's days."""

import calendar as month_layout
from dataclasses import dataclass
from datetime import date

import chinese_calendar
from babel.dates import format_skeleton, get_day_names
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ratings.models import FIRST_NOTICE_YEAR, LAST_NOTICE_YEAR, HolidayNotice
from ratings.working_days import DaySource, WorkingCalendar, YearRules, library_years
from registry.db import db

# The overview always shows these years around today's, so next year's gap is visible early.
YEARS_BEFORE, YEARS_AFTER = 1, 2


@dataclass(frozen=True)
class YearSummary:
    """One year of the overview: where its days come from, and the notice if one was entered."""

    year: int
    source: DaySource
    library_knows: bool
    notice: HolidayNotice | None
    holidays: int
    working_days: int


@dataclass(frozen=True)
class SpecialDays:
    """A run of consecutive days of one kind and name, e.g. the National Day week."""

    first: date
    last: date
    holiday: bool
    label: str

    @property
    def count(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class DayCell:
    day: date
    kind: str  # "holiday", "working_day" (adjusted), "rest" (a weekend) or "work"
    label: str


def year_supported(year: int) -> bool:
    return FIRST_NOTICE_YEAR <= year <= LAST_NOTICE_YEAR


def notices_by_year() -> dict[int, HolidayNotice]:
    notices = db_notices(select(HolidayNotice))
    return {notice.year: notice for notice in notices}


def notice_for_year(year: int) -> HolidayNotice | None:
    notices = db_notices(select(HolidayNotice).where(HolidayNotice.year == year))
    return notices[0] if notices else None


def db_notices(query) -> list[HolidayNotice]:
    query = query.options(
        selectinload(HolidayNotice.days), selectinload(HolidayNotice.entered_by)
    ).order_by(HolidayNotice.year)
    return list(db.session.execute(query).scalars())


def year_overview(calendar: WorkingCalendar, today: date) -> list[YearSummary]:
    """Today's year with the one before and two after, and every year with a notice."""
    notices = notices_by_year()
    around = range(today.year - YEARS_BEFORE, today.year + YEARS_AFTER + 1)
    summaries = []
    for year in sorted(set(around) | set(notices)):
        rules = calendar.rules_for(year)
        summaries.append(
            YearSummary(
                year=year,
                source=rules.source,
                library_knows=year in library_years(),
                notice=notices.get(year),
                holidays=len(rules.holidays),
                working_days=len(rules.working_days),
            )
        )
    return summaries


def special_days(rules: YearRules) -> list[SpecialDays]:
    """The year's holidays and adjusted working days, consecutive days of a kind together."""
    runs: list[SpecialDays] = []
    for day in sorted(rules.holidays | rules.working_days):
        holiday, label = day in rules.holidays, day_label(rules, day)
        last = runs[-1] if runs else None
        if last and last.holiday == holiday and last.label == label and _next(last.last) == day:
            runs[-1] = SpecialDays(last.first, day, holiday, label)
        else:
            runs.append(SpecialDays(day, day, holiday, label))
    return runs


def months(rules: YearRules) -> list[tuple[str, list[list[DayCell | None]]]]:
    """Each month's name and weeks, Monday first, each day marked as the calendar counts it."""
    layout = month_layout.Calendar(firstweekday=0)
    return [
        (
            format_skeleton("yMMMM", date(rules.year, month, 1), locale=get_locale()),
            [
                [_cell(rules, day, month) for day in week]
                for week in layout.monthdatescalendar(rules.year, month)
            ],
        )
        for month in range(1, 13)
    ]


def weekday_names() -> list[str]:
    """Monday to Sunday, as short as the page's language writes them."""
    names = get_day_names("narrow", locale=get_locale())
    return [names[weekday] for weekday in range(7)]


def day_label(rules: YearRules, day: date) -> str:
    """What the day is called: the notice's words, or the library's name in the page's language."""
    label = rules.labels.get(day, "")
    if rules.source is DaySource.LIBRARY and label and _in_chinese():
        try:
            return chinese_calendar.Holiday(label).chinese
        except ValueError:
            return label
    return label


def _cell(rules: YearRules, day: date, month: int) -> DayCell | None:
    """A day of the month; None for the days of the weeks' ends that lie in another month."""
    if day.month != month:
        return None
    if day in rules.holidays:
        kind = "holiday"
    elif day in rules.working_days:
        kind = "working_day"
    else:
        kind = "work" if day.weekday() < 5 else "rest"
    return DayCell(day=day, kind=kind, label=day_label(rules, day))


def _next(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _in_chinese() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "zh"
