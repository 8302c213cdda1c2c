"""The form for a year's holiday notice, and how its lines of dates are read."""

import re
import unicodedata
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ratings.calendar_queries import special_days
from ratings.calendar_services import NoticeError, NoticeLine, at_line
from ratings.working_days import YearRules
from registry.submissions.forms import CreatesOnce

DATE = r"\d{4}-\d{1,2}-\d{1,2}"
# Between the two dates of a range: a slash, tilde, 至 or 到, or a spaced "to" or hyphen.
SEPARATOR = r"\s*(?:/|~|至|到|–|—)\s*|\s+(?:to|-)\s+"
LINE = re.compile(
    rf"(?P<first>{DATE})(?:(?:{SEPARATOR})(?P<last>{DATE}))?(?:\s+(?P<label>.+))?", re.IGNORECASE
)
HAS_DATE = re.compile(DATE)
MAX_LABEL = 60
MAX_TEXT = 4000


def parse_notice_lines(text: str | None) -> list[NoticeLine]:
    """Each non-blank line as a day or a range of days, with an optional name after it.

    Read: 2027-10-01; 2027-10-01/2027-10-07 (or ~, 至, 到, " to ", " - "); then a name, as in
    "2027-10-01/2027-10-07 国庆节". Full-width digits and signs count as their ASCII
    twins. Lines are numbered as the text area shows them, blank ones included.
    """
    lines = []
    for number, typed in enumerate((text or "").splitlines(), start=1):
        line = unicodedata.normalize("NFKC", typed).strip()
        if not line:
            continue
        match = LINE.fullmatch(line)
        if match is None or HAS_DATE.search(match["label"] or ""):
            raise ValueError(
                at_line(
                    number,
                    _(
                        "“%(text)s” is not a date or a range of dates; write YYYY-MM-DD, "
                        "or YYYY-MM-DD/YYYY-MM-DD for a range.",
                        text=typed.strip(),
                    ),
                )
            )
        label = (match["label"] or "").strip()
        if len(label) > MAX_LABEL:
            raise ValueError(
                at_line(number, _("The name is longer than %(max)d characters.", max=MAX_LABEL))
            )
        first = _date(match["first"], number)
        last = _date(match["last"], number) if match["last"] else first
        lines.append(NoticeLine(first, last, label, number))
    return lines


def notice_text(rules: YearRules, holiday: bool) -> str:
    """A year's holidays (or adjusted working days) written as the form reads them."""
    written = []
    for run in special_days(rules):
        if run.holiday != holiday:
            continue
        days = run.first.isoformat()
        if run.last != run.first:
            days += f"/{run.last.isoformat()}"
        written.append(f"{days} {run.label}".strip())
    return "\n".join(written)


def _date(text: str, number: int) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(at_line(number, _("%(text)s is not a date.", text=text))) from None


class HolidayNoticeForm(CreatesOnce, FlaskForm):
    title = StringField(_l("Title of the notice"), validators=[DataRequired(), Length(max=200)])
    document_number = StringField(_l("Document number"), validators=[Optional(), Length(max=60)])
    holidays = TextAreaField(
        _l("Holidays"),
        validators=[DataRequired(message=_l("Enter at least one holiday.")), Length(max=MAX_TEXT)],
        render_kw={"rows": 10},
    )
    working_days = TextAreaField(
        _l("Adjusted working days"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )
    # The confirmation page's two buttons, when a notice for the year exists already.
    replace = SubmitField(_l("Replace the notice"))
    back = SubmitField(_l("Change what I entered"))

    def validate_holidays(self, field):
        _lines_or_error(field.data)

    def validate_working_days(self, field):
        _lines_or_error(field.data)

    def lines(self) -> dict:
        """The service's arguments, once the form is valid."""
        return {
            "title": self.title.data,
            "document_number": self.document_number.data or "",
            "holidays": parse_notice_lines(self.holidays.data),
            "working_days": parse_notice_lines(self.working_days.data),
        }

    def show_refusal(self, error: NoticeError) -> None:
        self[error.field or "holidays"].errors.append(str(error))


def _lines_or_error(text: str | None) -> None:
    try:
        parse_notice_lines(text)
    except ValueError as error:
        raise ValidationError(str(error)) from None
