"""Statistics pages: the public's, the regulators' with every figure, the printable monthly
report, and each chart as its own SVG image (the pages' CSP forbids inline styles)."""

import hashlib

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from registry.accounts.permissions import allow, anyone
from registry.dates import local_today
from registry.i18n import current_language
from registry.statistics import queries
from registry.statistics.charts import chart_size, render_svg
from registry.statistics.periods import PeriodForm, previous_month
from registry.statistics.permissions import can_read_statistics

bp = Blueprint("statistics", __name__)

CHART_MAX_AGE = 600  # seconds: the figures move slowly, and the address names the period
# The chart is a standalone image: its own <style> may apply, nothing may run or load.
CHART_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)


def _figures(names, form: PeriodForm) -> list:
    if not form.validate():
        return []
    period, today = form.period(), form.today
    return [queries.build(name, period, today) for name in names]


@bp.route("/statistics")
@allow(anyone)
def public():
    """Aggregate figures for everyone: no name of a complainant, enterprise or person."""
    form = PeriodForm(request.args, today=local_today())
    figures = _figures(queries.PUBLIC_FIGURES, form)
    return _page("statistics/public.html", form, figures, "statistics.public_chart")


@bp.route("/regulator/statistics")
@allow(can_read_statistics)
def regulator():
    """Every figure, with the open complaints, and the way to the monthly report."""
    form = PeriodForm(request.args, today=local_today())
    figures = _figures(queries.REGULATOR_FIGURES, form)
    return _page("statistics/regulator.html", form, figures, "statistics.regulator_chart")


@bp.route("/regulator/statistics/report")
@allow(can_read_statistics)
def report():
    """One month's figures on a page made for printing (last month unless chosen)."""
    today = local_today()
    args = request.args
    if "year" not in args and "month" not in args:
        last = previous_month(today)
        args = MultiDict({"year": str(last.year), "month": str(last.month)})
    form = PeriodForm(args, today=today, require_month=True)
    figures = _figures(queries.REGULATOR_FIGURES, form)
    return _page("statistics/report.html", form, figures, "statistics.regulator_chart")


def _page(template: str, form: PeriodForm, figures: list, chart_endpoint: str):
    status = 200 if not form.errors else 400
    period = form.period() if not form.errors else None
    return (
        render_template(
            template,
            form=form,
            figures=figures,
            period=period,
            chart_endpoint=chart_endpoint,
            language=current_language(),
            today=form.today,
            chart_size=chart_size,
        ),
        status,
    )


@bp.route("/statistics/charts/<name>.svg")
@allow(anyone)
def public_chart(name: str):
    if name not in queries.PUBLIC_FIGURES:
        abort(404)
    return _chart(name, cache="public")


@bp.route("/regulator/statistics/charts/<name>.svg")
@allow(can_read_statistics)
def regulator_chart(name: str):
    if name not in queries.REGULATOR_FIGURES:
        abort(404)
    return _chart(name, cache="private")


def _chart(name: str, cache: str) -> Response:
    """The chart as SVG, in the language the address names (so caches keep one per language)."""
    language = request.args.get("lang") or current_language()
    if language not in current_app.config["LANGUAGES"]:
        return _refuse(_("Unknown language."))
    with force_locale(language):
        form = PeriodForm(request.args, today=local_today())
        if not form.validate():
            return _refuse(" ".join(error for errors in form.errors.values() for error in errors))
        figure = queries.build(name, form.period(), form.today)
        svg = render_svg(figure)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = f"{cache}, max-age={CHART_MAX_AGE}"
    response.headers["Content-Language"] = language.replace("_", "-")
    response.vary.update(("Accept-Language", "Cookie"))
    response.set_etag(hashlib.sha256(svg).hexdigest()[:32])
    return response.make_conditional(request)


def _refuse(message: str) -> Response:
    response = Response(message, status=400, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
