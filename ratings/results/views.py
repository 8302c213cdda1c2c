"""The public rating history chart: an SVG image of its own, so the profile stays fast."""

from flask import Blueprint, abort, make_response, render_template

from ratings.results.chart import history_chart
from ratings.results.models import result_day
from ratings.results.queries import latest_run_day, rating_history
from registry.accounts.permissions import allow, anyone
from registry.agencies.queries import public_agency

bp = Blueprint("ratings_results", __name__)

# An image: nothing in it may load or run anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.route("/agencies/<credit_code>/rating-history.svg")
@allow(anyone)
def history_chart_svg(credit_code: str):
    """The agency's stars over time, as a step chart."""
    agency = public_agency(credit_code)
    if agency is None:
        abort(404)
    chart = history_chart(
        rating_history(agency.id), result_day(agency.rating_as_of, latest_run_day())
    )
    response = make_response(
        render_template("ratings/rating_history.svg", chart=chart, agency=agency)
    )
    response.mimetype = "image/svg+xml"
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
