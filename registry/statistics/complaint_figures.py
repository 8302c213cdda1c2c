"""The complaint figures: per month filed by category and by outcome, the handling time
against the limit, and (for regulators) the complaints open today by stage.

The handling time is counted in working days (ratings.working_days) from filing to the
conclusion. SQL counts the complaints of each distinct (filed, accepted, concluded, limit)
combination, so only those combinations are dated, never each complaint.
"""

from collections import defaultdict
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from ratings.complaints.models import (
    CONCLUDED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
)
from ratings.working_days import current_calendar
from registry.db import db
from registry.statistics.figures import (
    ChartKind,
    Figure,
    Series,
    Unit,
    format_value,
    weighted_median,
)
from registry.statistics.periods import Month, Period
from registry.statistics.sql import count_by, in_period, year_month

OPEN = "open"
OUTCOMES = (
    OPEN,
    ComplaintStatus.NOT_ACCEPTED,
    ComplaintStatus.SUBSTANTIATED,
    ComplaintStatus.UNSUBSTANTIATED,
    ComplaintStatus.WITHDRAWN,
)


# --- complaints --------------------------------------------------------------------------


def _complaint_counts(period: Period, key) -> dict[tuple[int, int, str], int]:
    rows = count_by(
        *year_month(Complaint.filed_on), key, where=[in_period(Complaint.filed_on, period)]
    )
    return {(int(y), int(m), k): count for y, m, k, count in rows}


def _per_month(period: Period, counts: dict, keys, labels, name, title, description) -> Figure:
    months = period.months
    series = [
        Series(str(label), [counts.get((m.year, m.month, key), 0) for m in months])
        for key, label in zip(keys, labels, strict=True)
    ]
    series = [s for s in series if any(s.values)]
    return Figure(
        name=name,
        title=title,
        description=description,
        chart=ChartKind.STACKED_BAR,
        row_heading=_("Month"),
        rows=[m.label() for m in months],
        series=series,
        total=sum(counts.values()),
    )


def complaints_by_category(period: Period, today: date) -> Figure:
    counts = _complaint_counts(period, Complaint.category)
    return _per_month(
        period,
        counts,
        [category.value for category in ComplaintCategory],
        [category.label for category in ComplaintCategory],
        "complaints-by-category",
        _("Complaints by category"),
        _("Complaints filed in each month, by what they are about."),
    )


def complaints_by_outcome(period: Period, today: date) -> Figure:
    outcome = case((Complaint.status.in_(OPEN_STATUSES), OPEN), else_=Complaint.status)
    counts = _complaint_counts(period, outcome)
    labels = [_("Still open")] + [ComplaintStatus(key).label for key in OUTCOMES[1:]]
    return _per_month(
        period,
        counts,
        [str(key) for key in OUTCOMES],
        labels,
        "complaints-by-outcome",
        _("Complaints by outcome"),
        _("Complaints filed in each month, by where they stand today."),
    )


def handling_time(period: Period, today: date) -> Figure:
    """Median working days from filing to conclusion, per month of conclusion."""
    durations, within = _handling_durations(period)
    total = sum(within.values())
    config = current_app.config
    accept, conclude = (
        config["COMPLAINT_ACCEPT_WORKING_DAYS"],
        config["COMPLAINT_CONCLUDE_WORKING_DAYS"],
    )
    everything: dict[int, int] = defaultdict(int)
    for counts in durations.values():
        for days, count in counts.items():
            everything[days] += count
    months = period.months
    figure = Figure(
        name="handling-time",
        title=_("Complaint handling time"),
        description=_(
            "Median working days from filing to conclusion of the complaints concluded in"
            " each month, against the limit: %(accept)d working days to accept and"
            " %(conclude)d to conclude.",
            accept=accept,
            conclude=conclude,
        ),
        chart=ChartKind.LINE,
        row_heading=_("Month concluded"),
        rows=[m.label() for m in months],
        series=[
            Series(
                _("Median working days"),
                [weighted_median(durations.get(m, {})) for m in months],
                Unit.DAYS,
            ),
            Series(
                _("Limit (working days)"),
                [accept + conclude] * len(months),
                Unit.DAYS,
                reference=True,
            ),
            Series(
                _("Complaints concluded"),
                [sum(durations.get(m, {}).values()) for m in months],
                charted=False,
            ),
        ],
        total=total,
    )
    if total:
        figure.summary = _(
            "Median over the period: %(median)s working days (limit %(limit)d);"
            " %(within)d of %(total)d concluded within their own time limit.",
            median=format_value(weighted_median(everything), Unit.DAYS),
            limit=accept + conclude,
            within=within[True],
            total=total,
        )
    return figure


def _handling_durations(period: Period) -> tuple[dict, dict[bool, int]]:
    """For each month of conclusion, how many complaints took how many working days; and how
    many were concluded within (True) or after (False) their own conclusion deadline."""
    limit_days = Complaint.conclude_days + func.coalesce(Complaint.extension_days, 0)
    rows = db.session.execute(
        select(
            Complaint.filed_on,
            Complaint.accepted_on,
            Complaint.concluded_on,
            limit_days,
            func.count(),
        )
        .where(
            Complaint.status.in_(CONCLUDED_STATUSES),
            in_period(Complaint.concluded_on, period),
        )
        .group_by(Complaint.filed_on, Complaint.accepted_on, Complaint.concluded_on, limit_days)
    ).all()
    calendar = current_calendar()
    durations: dict[Month, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    within = {True: 0, False: 0}
    for filed_on, accepted_on, concluded_on, days, count in rows:
        month = Month(concluded_on.year, concluded_on.month)
        durations[month][calendar.working_days_between(filed_on, concluded_on)] += count
        due = calendar.add_working_days(accepted_on or filed_on, days)
        within[concluded_on <= due] += count
    return durations, within


def open_complaints(period: Period, today: date) -> Figure:
    """Regulators only: the complaints open today, by stage."""
    counts = dict(
        db.session.execute(
            select(Complaint.status, func.count())
            .where(Complaint.status.in_(OPEN_STATUSES))
            .group_by(Complaint.status)
        ).all()
    )
    stages = (ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING)
    return Figure(
        name="open-complaints",
        current=True,
        title=_("Open complaints by stage"),
        description=_("Complaints open today, whatever the period: each stage has its deadline."),
        chart=ChartKind.HORIZONTAL_BAR,
        row_heading=_("Stage"),
        rows=[str(stage.label) for stage in stages],
        series=[Series(_("Complaints"), [counts.get(stage.value, 0) for stage in stages])],
        total=sum(counts.values()),
    )
