"""Working-day arithmetic on real periods, its conventions, and its properties."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings.working_days import (
    DaySource,
    WorkingCalendar,
    YearRules,
    library_rules,
    library_years,
)

CALENDAR = WorkingCalendar()  # no notices: the library, then Monday–Friday


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- the library, read right ---------------------------------------------------------


def test_the_library_knows_2004_to_2026_and_not_2027():
    assert set(range(2004, 2027)) <= library_years()
    assert 2031 not in library_years()


def test_our_reading_of_the_library_agrees_with_it_on_every_day_it_knows():
    for year in sorted(library_years()):
        rules = library_rules(year)
        day = date(year, 1, 1)
        while day.year == year:
            assert rules.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += timedelta(days=1)


def test_the_2026_national_day_week_is_as_the_state_council_arranged_it():
    week = [d("2026-10-01") + timedelta(days=n) for n in range(7)]
    assert not any(CALENDAR.is_working_day(day) for day in week)
    assert CALENDAR.is_working_day(d("2026-09-20")), "Sunday 20 September is worked"
    assert CALENDAR.is_working_day(d("2026-10-10")), "Saturday 10 October is worked"
    assert not CALENDAR.is_working_day(d("2026-10-11")), "Sunday 11 October is not"
    assert CALENDAR.source_of(2026) is DaySource.LIBRARY


# --- real deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "working_days", "due"),
    [
        # A complaint filed on Monday 28 September 2026, to be accepted within 5 working
        # days: 29, 30 September, then 8, 9 and (a Saturday worked) 10 October.
        ("2026-09-28", 5, "2026-10-10"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 4, "2026-10-12"),
        # Mid-Autumn (25–27 September) and National Day in one agency response period.
        ("2026-09-21", 10, "2026-10-12"),
        ("2026-09-18", 1, "2026-09-20"),
        # Spring Festival 2026: 15–23 February off, Saturdays 14 and 28 February worked.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-13", 6, "2026-02-28"),
        # A 30-day conclusion period over the National Day week.
        ("2026-09-15", 30, "2026-11-02"),
    ],
)
def test_deadlines_over_real_holidays(start, working_days, due):
    assert CALENDAR.add_working_days(d(start), working_days) == d(due)
    assert CALENDAR.working_days_between(d(start), d(due)) == working_days


def test_a_year_neither_knows_counts_monday_to_friday_and_says_so():
    assert CALENDAR.source_of(2031) is DaySource.WEEKDAYS
    # 1 January 2031 is a Wednesday: surely a holiday, but nobody has said so yet.
    assert CALENDAR.add_working_days(d("2030-12-31"), 1) == d("2031-01-01")
    assert CALENDAR.uncertain_years(d("2030-12-20"), d("2031-01-10")) == (2030, 2031)
    deadline = CALENDAR.deadline(d("2031-03-03"), 5, today=d("2031-03-04"))
    assert deadline.due == d("2031-03-10")
    assert deadline.uncertain_years == (2031,)


def test_a_deadline_inside_a_known_year_is_certain():
    deadline = CALENDAR.deadline(d("2026-09-28"), 5, today=d("2026-09-29"))
    assert deadline.uncertain_years == ()


def test_a_deadline_running_into_an_unknown_year_is_uncertain():
    deadline = CALENDAR.deadline(d("2026-12-21"), 10, today=d("2026-12-22"))
    assert deadline.due.year == 2027
    assert deadline.uncertain_years == (2027,)


def test_a_deadline_followed_into_an_unknown_year_becomes_uncertain():
    deadline = CALENDAR.deadline(d("2026-12-01"), 5, today=d("2027-01-05"))
    assert deadline.due == d("2026-12-08")
    assert deadline.uncertain_years == (2027,), "the overdue days are counted in 2027"


# --- conventions and edges ---------------------------------------------------------------


def test_the_start_day_is_not_counted_even_when_it_is_a_working_day():
    assert CALENDAR.add_working_days(d("2026-11-23"), 1) == d("2026-11-24")  # Mon → Tue
    assert CALENDAR.add_working_days(d("2026-11-23"), 5) == d("2026-11-30")  # → next Mon


def test_a_start_on_a_holiday_counts_from_the_next_working_day():
    assert CALENDAR.add_working_days(d("2026-10-03"), 1) == d("2026-10-08")
    assert CALENDAR.add_working_days(d("2026-11-28"), 1) == d("2026-11-30")  # Saturday


def test_zero_working_days_is_the_start_day_itself():
    assert CALENDAR.add_working_days(d("2026-10-03"), 0) == d("2026-10-03")
    assert CALENDAR.working_days_between(d("2026-10-03"), d("2026-10-03")) == 0


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="positive"):
        CALENDAR.add_working_days(d("2026-10-03"), -1)


def test_between_counts_after_the_start_up_to_and_including_the_end():
    assert CALENDAR.working_days_between(d("2026-09-30"), d("2026-10-08")) == 1
    assert CALENDAR.working_days_between(d("2026-10-08"), d("2026-09-30")) == -1
    assert CALENDAR.working_days_between(d("2026-10-01"), d("2026-10-07")) == 0


def test_due_today_is_not_overdue():
    deadline = CALENDAR.deadline(d("2026-09-28"), 5, today=d("2026-10-10"))
    assert deadline.is_due_today
    assert not deadline.is_overdue
    assert (deadline.working_days_left, deadline.overdue_working_days) == (0, 0)


def test_working_days_left_before_the_due_date():
    deadline = CALENDAR.deadline(d("2026-09-28"), 5, today=d("2026-09-30"))
    assert deadline.working_days_left == 3  # 8, 9 and 10 October
    assert deadline.overdue_working_days == 0


def test_overdue_days_count_only_working_days_after_the_due_date():
    due = d("2026-10-10")
    assert CALENDAR.overdue_working_days(due, d("2026-10-09")) == 0
    assert CALENDAR.overdue_working_days(due, d("2026-10-10")) == 0
    # Sunday after a Saturday due date: late, but no working day lost yet.
    late_on_sunday = CALENDAR.deadline_on(due, today=d("2026-10-11"))
    assert late_on_sunday.is_overdue
    assert late_on_sunday.overdue_working_days == 0
    assert CALENDAR.overdue_working_days(due, d("2026-10-12")) == 1
    assert CALENDAR.overdue_working_days(due, d("2026-10-16")) == 5


def test_a_notice_takes_precedence_over_the_library():
    # A made-up arrangement for 2026 in which 8 October is also off and 11 October worked.
    notice = YearRules(
        2026,
        DaySource.NOTICE,
        holidays=frozenset(d("2026-10-01") + timedelta(days=n) for n in range(8)),
        working_days=frozenset({d("2026-10-11")}),
    )
    calendar = WorkingCalendar([notice])
    assert calendar.source_of(2026) is DaySource.NOTICE
    assert calendar.add_working_days(d("2026-09-30"), 1) == d("2026-10-09")
    assert not calendar.is_working_day(d("2026-10-10")), "the library's Saturday is gone"
    assert calendar.is_working_day(d("2026-10-11"))
    assert calendar.source_of(2025) is DaySource.LIBRARY, "other years keep the library"


# --- properties --------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2003, 1, 1), max_value=date(2033, 12, 31))
COUNTS = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(start=DAYS, working_days=COUNTS)
def test_between_undoes_add(start, working_days):
    due = CALENDAR.add_working_days(start, working_days)
    assert CALENDAR.working_days_between(start, due) == working_days
    if working_days:
        assert due > start
        assert CALENDAR.is_working_day(due)
        assert CALENDAR.add_working_days(start, working_days - 1) < due


@settings(max_examples=200, deadline=None)
@given(first=DAYS, second=DAYS)
def test_between_agrees_with_counting_day_by_day(first, second):
    start, end = sorted((first, second))
    if (end - start).days > 800:
        end = start + timedelta(days=800)
    by_hand = sum(
        CALENDAR.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )
    assert CALENDAR.working_days_between(start, end) == by_hand
    assert CALENDAR.working_days_between(end, start) == -by_hand


@settings(max_examples=200, deadline=None)
@given(start=DAYS, working_days=COUNTS, today=DAYS)
def test_a_deadline_is_either_pending_due_or_overdue(start, working_days, today):
    deadline = CALENDAR.deadline(start, working_days, today=today)
    assert deadline.working_days_left >= 0
    assert deadline.overdue_working_days >= 0
    assert not (deadline.working_days_left and deadline.overdue_working_days)
    if today <= deadline.due:
        assert deadline.overdue_working_days == 0
    years = range(min(start, today).year, max(deadline.due, today).year + 1)
    assert deadline.uncertain_years == tuple(y for y in years if y not in library_years())
