"""The working-day calendar: regulators enter each year's holiday notice; anyone reads it."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ratings import calendar_services as services
from ratings.calendar_forms import HolidayNoticeForm, notice_text
from ratings.calendar_queries import (
    months,
    notice_for_year,
    special_days,
    weekday_names,
    year_overview,
    year_supported,
)
from ratings.working_days import DaySource, current_calendar
from registry.accounts.permissions import allow, anyone, is_regulator
from registry.actions import created_once, shown_if_submitted
from registry.dates import local_today

bp = Blueprint("calendar", __name__)

# Shown as examples on the calendar pages: the complaint workflow's time limits (DESIGN §3).
EXAMPLE_LIMITS = (5, 10, 30)


@bp.route("/working-days")
@allow(anyone)
def public_index():
    """How deadlines are counted, and where each year's days come from."""
    return _index_page(manage=False)


@bp.route("/working-days/<int:year>")
@allow(anyone)
def public_year(year: int):
    return _year_page(year, manage=False)


@bp.route("/regulator/calendar")
@allow(is_regulator)
def index():
    return _index_page(manage=True)


@bp.route("/regulator/calendar/<int:year>")
@allow(is_regulator)
def year(year: int):
    return _year_page(year, manage=True)


@bp.route("/regulator/calendar/<int:year>/notice", methods=["GET", "POST"])
@allow(is_regulator)
def notice(year: int):
    """Enter a year's notice; replacing one asks for confirmation first."""
    _supported_or_404(year)
    existing = notice_for_year(year)
    form = HolidayNoticeForm()
    if not form.is_submitted():
        _fill(form, year, existing)
    elif form.back.data:
        pass  # the form again, to change what was entered
    elif existing and not form.replace.data:
        if replayed := shown_if_submitted(form):
            return replayed
        if form.validate():
            lines = form.lines()
            try:
                services.check_holiday_notice(year, lines["holidays"], lines["working_days"])
            except services.NoticeError as error:
                form.show_refusal(error)
            else:
                return render_template(
                    "ratings/calendar_confirm_replace.html", form=form, year=year, notice=existing
                )
    else:
        saved = created_once(
            form,
            lambda: services.enter_holiday_notice(
                current_user, year, **form.lines(), replacing=existing
            ),
            refusal=services.NoticeError,
            done=_("The holiday notice for %(year)d is saved.", year=year),
            then=url_for("calendar.year", year=year),
        )
        if saved:
            return saved
    return render_template(
        "ratings/calendar_notice.html",
        form=form,
        year=year,
        notice=existing,
        source=current_calendar().source_of(year),
    )


def _index_page(*, manage: bool):
    today, calendar = local_today(), current_calendar()
    return render_template(
        "ratings/calendar_index.html",
        years=year_overview(calendar, today),
        examples=[(days, calendar.deadline(today, days, today)) for days in EXAMPLE_LIMITS],
        today=today,
        manage=manage,
    )


def _year_page(year: int, *, manage: bool):
    _supported_or_404(year)
    rules = current_calendar().rules_for(year)
    return render_template(
        "ratings/calendar_year.html",
        year=year,
        rules=rules,
        notice=notice_for_year(year) if rules.source is DaySource.NOTICE else None,
        runs=special_days(rules),
        months=months(rules),
        weekday_names=weekday_names(),
        manage=manage,
    )


def _fill(form: HolidayNoticeForm, year: int, existing) -> None:
    """Start from what is known: the stored notice, else the library's days for the year."""
    rules = current_calendar().rules_for(year)
    if existing is not None:
        form.title.data = existing.title
        form.document_number.data = existing.document_number
    if rules.source is not DaySource.WEEKDAYS:
        form.holidays.data = notice_text(rules, holiday=True)
        form.working_days.data = notice_text(rules, holiday=False)


def _supported_or_404(year: int) -> None:
    if not year_supported(year):
        abort(404)
