"""The period a statistics page covers: the last twelve months, one year, or one month.

A period is chosen with `year` (and optionally `month`) in the query string; without them
it is the twelve months up to today. Figures that follow time are shown month by month
(or year by year for the blacklist) across the period; a period that has not begun, or a
year before the registry's records, is refused with a message rather than shown empty.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import Optional, ValidationError

# The policy the registry implements dates from 2016 (background/policy-briefing-2016-zh.txt).
FIRST_YEAR = 2016


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def label(self) -> str:
        """ "2026年11月" or "Nov 2026", in the page's language."""
        return format_skeleton("yMMM", self.first_day, locale=get_locale())


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last`; `year`/`month` as chosen (None: the default)."""

    first: Month
    last: Month
    year: int | None = None
    month: int | None = None

    @property
    def start(self) -> date:
        return self.first.first_day

    @property
    def end(self) -> date:
        return self.last.last_day

    @property
    def months(self) -> list[Month]:
        months, month = [], self.first
        while month.first_day <= self.last.first_day:
            months.append(month)
            month = month.next()
        return months

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    @property
    def query(self) -> dict:
        """The query-string arguments that choose this period again (chart links)."""
        return {"year": self.year, "month": self.month}

    def label(self) -> str:
        if self.month:
            return self.first.label()
        if self.year:
            return _("Year %(year)d", year=self.year)
        return _("%(first)s to %(last)s", first=self.first.label(), last=self.last.label())


def twelve_months_to(today: date) -> Period:
    last = Month(today.year, today.month)
    first = Month(today.year - 1, today.month).next()
    return Period(first, last)


def year_period(year: int, today: date) -> Period:
    """The whole year; the current year runs to this month (the rest has no data yet)."""
    last = Month(year, 12) if year < today.year else Month(year, today.month)
    return Period(Month(year, 1), last, year=year)


def month_period(year: int, month: int) -> Period:
    return Period(Month(year, month), Month(year, month), year=year, month=month)


class PeriodForm(FlaskForm):
    """The period chooser: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional()])
    month = IntegerField(_l("Month"), validators=[Optional()])

    def __init__(self, *args, today: date, require_month: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.require_month = require_month

    def validate_year(self, field) -> None:
        if field.data is None:
            return
        if not FIRST_YEAR <= field.data <= self.today.year:
            raise ValidationError(
                _(
                    "Choose a year from %(first)d to %(last)d.",
                    first=FIRST_YEAR,
                    last=self.today.year,
                )
            )

    def validate_month(self, field) -> None:
        if field.data is None:
            return
        if not 1 <= field.data <= 12:
            raise ValidationError(_("Choose a month from 1 to 12."))
        if self.year.data is None:
            raise ValidationError(_("Choose the year of the month too."))
        if (self.year.data, field.data) > (self.today.year, self.today.month):
            raise ValidationError(_("That month has not begun yet."))

    def validate(self, extra_validators=None) -> bool:
        """The fields' checks; a monthly report also needs both a year and a month (an
        empty field stops its own checks, so this is asked here)."""
        valid = super().validate(extra_validators)
        if self.require_month:
            for field, message in (
                (self.year, _("Choose a year.")),
                (self.month, _("Choose a month.")),
            ):
                if field.data is None and not field.errors:
                    field.errors.append(message)
                    valid = False
        return valid

    def period(self) -> Period:
        """The chosen period (call after validate())."""
        if self.year.data is None:
            return twelve_months_to(self.today)
        if self.month.data is None:
            return year_period(self.year.data, self.today)
        return month_period(self.year.data, self.month.data)

    def year_choices(self) -> list[int]:
        return list(range(self.today.year, FIRST_YEAR - 1, -1))

    @staticmethod
    def month_choices() -> list[tuple[int, str]]:
        return [
            (m, format_skeleton("MMMM", date(2000, m, 1), locale=get_locale()))
            for m in range(1, 13)
        ]


def previous_month(today: date) -> Month:
    """The last whole month: what a monthly report covers unless another is chosen."""
    first = Month(today.year, today.month).first_day - timedelta(days=1)
    return Month(first.year, first.month)
