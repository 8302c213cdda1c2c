"""Calendar-month arithmetic of the rating window, shared by the rating engine
(ratings.results) and the assessment reads (ratings.assessments), which must agree on
where the window starts.

A window of N months as of a day holds its month and the N - 1 months before it: from the
first day of the oldest month up to the day itself (as of 29 November 2026, 24 months start
on 1 December 2024).
"""

from datetime import date


def month_start(as_of: date, age: int) -> date:
    """The first day of the month `age` months before as_of's month."""
    index = as_of.year * 12 + as_of.month - 1 - age
    return date(index // 12, index % 12 + 1, 1)


def month_age(day: date, as_of: date) -> int:
    """Calendar months from day's month to as_of's month."""
    return (as_of.year - day.year) * 12 + as_of.month - day.month
