"""The figures, each one SQL aggregate (GROUP BY) over the period; no loop over all rows;
the complaints' are in complaint_figures.

What each counts:
- agencies: active agencies today, by category and by what their profile shows (stars,
  unrated, or blacklisted today);
- complaints: filed in the period, by the month filed, by category and by where they are
  now (open, not accepted, substantiated, unsubstantiated, withdrawn);
- handling time: complaints concluded in the period, working days from filing to the
  conclusion (ratings.working_days), the median per month of conclusion against the limit
  (acceptance + conclusion, config COMPLAINT_*_WORKING_DAYS); the distinct (filed,
  accepted, concluded, limit) combinations are counted in SQL and only those are dated;
- on-time delivery: engagements delivered in the period, by month, on time when delivered
  no later than the due date (late_working_days = 0, fixed at delivery);
- overcharging: engagements starting in the period (cancelled ones left out) by service
  item, overcharged when the agreed fee exceeded the published maximum or the cap;
- blacklist: listings (current or ended) by ground and the year they began;
- open complaints (regulators only): complaints open today, by stage.
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Integer, String, case, cast, extract, func, select

from blacklist.models import LISTING_STATES, BlacklistCase, Ground
from ratings.engagements.models import Engagement, EngagementStatus
from registry.agencies.categories import AgencyCategory, AgencyStatus
from registry.agencies.listing import listed_on
from registry.agencies.models import Agency, ServiceItem, yuan
from registry.db import db
from registry.statistics.complaint_figures import (
    complaints_by_category,
    complaints_by_outcome,
    handling_time,
    open_complaints,
)
from registry.statistics.figures import (
    ChartKind,
    Figure,
    Series,
    Unit,
    format_value,
    share,
)
from registry.statistics.periods import Period
from registry.statistics.sql import count_by, in_period, year_month

BLACKLISTED = "blacklisted"
UNRATED = "unrated"


# --- agencies ----------------------------------------------------------------------------


def agencies_by_category(period: Period, today: date) -> Figure:
    rows = db.session.execute(
        select(Agency.category, func.count())
        .where(Agency.status == AgencyStatus.ACTIVE)
        .group_by(Agency.category)
        .order_by(func.count().desc(), Agency.category)
    ).all()
    return Figure(
        name="agencies-by-category",
        current=True,
        title=_("Agencies by category"),
        description=_("Agencies active in the registry today, by kind of service."),
        chart=ChartKind.HORIZONTAL_BAR,
        row_heading=_("Category"),
        rows=[str(AgencyCategory(category).label) for category, _count in rows],
        series=[Series(_("Agencies"), [count for _category, count in rows])],
        total=sum(count for _category, count in rows),
    )


def agencies_by_stars(period: Period, today: date) -> Figure:
    shown = case(
        (listed_on(today), BLACKLISTED),
        (Agency.stars.is_not(None), cast(Agency.stars, String)),
        else_=UNRATED,
    )
    counts = dict(count_by(shown, where=[Agency.status == AgencyStatus.ACTIVE]))
    keys = [str(stars) for stars in range(5, 0, -1)] + [UNRATED, BLACKLISTED]
    labels = [ngettext("%(num)d star", "%(num)d stars", stars) for stars in range(5, 0, -1)]
    labels += [_("Unrated"), _("Blacklisted")]
    return Figure(
        name="agencies-by-stars",
        current=True,
        title=_("Agencies by star rating"),
        description=_(
            "Active agencies by the rating their profile shows today; a blacklisted agency"
            " has no stars."
        ),
        chart=ChartKind.BAR,
        row_heading=_("Rating"),
        rows=labels,
        series=[Series(_("Agencies"), [counts.get(key, 0) for key in keys])],
        total=sum(counts.values()),
    )


# --- engagements -------------------------------------------------------------------------


def on_time_delivery(period: Period, today: date) -> Figure:
    year, month = year_month(Engagement.delivered_on)
    on_time = func.sum(case((Engagement.late_working_days == 0, 1), else_=0))
    rows = db.session.execute(
        select(year, month, func.count(), on_time)
        .where(
            in_period(Engagement.delivered_on, period),
            Engagement.late_working_days.is_not(None),
        )
        .group_by(year, month)
    ).all()
    counts = {(int(y), int(m)): (count, int(timely or 0)) for y, m, count, timely in rows}
    months = period.months
    delivered = [counts.get((m.year, m.month), (0, 0))[0] for m in months]
    timely = [counts.get((m.year, m.month), (0, 0))[1] for m in months]
    total, total_timely = sum(delivered), sum(timely)
    figure = Figure(
        name="on-time-delivery",
        title=_("Engagements delivered on time"),
        description=_(
            "Share of the engagements delivered in each month that were delivered within"
            " the promised working days (with the extensions the enterprise accepted)."
        ),
        chart=ChartKind.BAR,
        row_heading=_("Month delivered"),
        rows=[m.label() for m in months],
        series=[
            Series(
                _("Delivered on time"),
                [share(t, d) for t, d in zip(timely, delivered, strict=True)],
                Unit.PERCENT,
            ),
            Series(_("Delivered"), delivered, charted=False),
            Series(_("On time"), timely, charted=False),
        ],
        total=total,
    )
    if total:
        figure.summary = _(
            "Over the period: %(timely)d of %(total)d delivered on time (%(share)s).",
            timely=total_timely,
            total=total,
            share=format_value(share(total_timely, total), Unit.PERCENT),
        )
    return figure


def overcharge_by_item(period: Period, today: date) -> Figure:
    overcharged = func.sum(case((Engagement.overcharge_fen > 0, 1), else_=0))
    rows = db.session.execute(
        select(
            ServiceItem.code,
            ServiceItem.name,
            func.count(),
            overcharged,
            func.sum(Engagement.overcharge_fen),
        )
        .join(ServiceItem, ServiceItem.id == Engagement.service_item_id)
        .where(
            in_period(Engagement.start_date, period),
            Engagement.status != EngagementStatus.CANCELLED,
        )
        .group_by(ServiceItem.id, ServiceItem.code, ServiceItem.name)
    ).all()
    # The highest rate first, for reading; ties by code.
    shown = sorted(rows, key=lambda row: (-(row[3] or 0) / row[2], row[0]))
    total = sum(row[2] for row in rows)
    total_over = sum(int(row[3] or 0) for row in rows)
    figure = Figure(
        name="overcharge-by-item",
        title=_("Overcharging by service item"),
        description=_(
            "Share of the engagements starting in the period whose agreed fee exceeded the"
            " agency's published maximum or the government cap (cancelled ones left out)."
        ),
        chart=ChartKind.HORIZONTAL_BAR,
        row_heading=_("Service item"),
        rows=[f"{code} {name}" for code, name, *_rest in shown],
        series=[
            Series(
                _("Overcharged"),
                [share(int(over or 0), count) for _c, _n, count, over, _s in shown],
                Unit.PERCENT,
            ),
            Series(_("Engagements"), [count for _c, _n, count, _o, _s in shown], charted=False),
            Series(
                _("Overcharged engagements"),
                [int(over or 0) for _c, _n, _count, over, _s in shown],
                charted=False,
            ),
            Series(
                _("Amount overcharged (yuan)"),
                [yuan(int(amount or 0)) for *_rest, amount in shown],
                Unit.YUAN,
                charted=False,
            ),
        ],
        total=total,
    )
    if total:
        figure.summary = _(
            "Over the period: %(over)d of %(total)d engagements overcharged (%(share)s).",
            over=total_over,
            total=total,
            share=format_value(share(total_over, total), Unit.PERCENT),
        )
    return figure


# --- blacklist ---------------------------------------------------------------------------


def blacklist_by_ground(period: Period, today: date) -> Figure:
    year = cast(extract("year", BlacklistCase.listed_from), Integer)
    rows = db.session.execute(
        select(year, BlacklistCase.ground, func.count())
        .where(
            BlacklistCase.state.in_(LISTING_STATES),
            in_period(BlacklistCase.listed_from, period),
        )
        .group_by(year, BlacklistCase.ground)
    ).all()
    counts = {(int(y), ground): count for y, ground, count in rows}
    years = period.years
    series = [
        Series(str(ground.label), [counts.get((y, ground.value), 0) for y in years])
        for ground in Ground
    ]
    return Figure(
        name="blacklist-by-ground",
        title=_("Blacklist listings by ground"),
        description=_(
            "Listings that began in the period, by ground and year, including those that"
            " have since ended (by expiry, credit repair or revocation)."
        ),
        chart=ChartKind.STACKED_BAR,
        row_heading=_("Year listed"),
        rows=[str(y) for y in years],
        series=[s for s in series if any(s.values)],
        total=sum(counts.values()),
    )


# --- which figures each page shows --------------------------------------------------------

BUILDERS = {
    "agencies-by-category": agencies_by_category,
    "agencies-by-stars": agencies_by_stars,
    "complaints-by-category": complaints_by_category,
    "complaints-by-outcome": complaints_by_outcome,
    "handling-time": handling_time,
    "on-time-delivery": on_time_delivery,
    "overcharge-by-item": overcharge_by_item,
    "blacklist-by-ground": blacklist_by_ground,
    "open-complaints": open_complaints,
}
PUBLIC_FIGURES = (
    "agencies-by-category",
    "agencies-by-stars",
    "complaints-by-category",
    "complaints-by-outcome",
    "handling-time",
    "on-time-delivery",
    "overcharge-by-item",
    "blacklist-by-ground",
)
REGULATOR_FIGURES = (*PUBLIC_FIGURES, "open-complaints")


def build(name: str, period: Period, today: date) -> Figure:
    """One figure by its name (the chart's address)."""
    return BUILDERS[name](period, today)
