"""API v1 for agencies: the search as a list, one agency's profile, and the CSV export."""

from flask import Response, current_app, stream_with_context
from flask_babel import gettext as _

from registry.accounts.permissions import allow, anyone
from registry.agencies.credit_code import CreditCodeError, check_credit_code
from registry.agencies.queries import public_agency
from registry.agencies.search import AgencySearch, search_agencies
from registry.agencies.search_pages import find_agencies
from registry.api.exports import agency_csv
from registry.api.protocol import ApiBlueprint, ApiError
from registry.api.records import agency_profile, agency_summaries, at_least_stars
from registry.api.schemas import AgencyFilters, AgencyListArguments, AgencyPage, AgencyProfile
from registry.dates import local_today

bp = ApiBlueprint(
    "api_agencies",
    __name__,
    url_prefix="/api/v1",
    description="Agencies on the public register: search, profiles and a CSV export.",
)

CSV_RESPONSE = {
    "description": "Every matching agency, one a row, UTF-8 with a BOM.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@bp.route("/agencies")
@allow(anyone)
@bp.arguments(AgencyListArguments, location="query")
@bp.response(200, AgencyPage)
@bp.conditional
@bp.alt_response(400, response="BAD_REQUEST")
def list_agencies(arguments: dict):
    """Search agencies

    The same search as the home page: verified agencies that are active or suspended. A
    page past the end has no items and still carries the total.
    """
    page = find_agencies(
        agency_search(arguments),
        local_today(),
        page=arguments["page"],
        per_page=arguments["per_page"],
        limit=current_app.config["SEARCH_COUNT_LIMIT"],
        exact_total=True,
    )
    return {
        "items": agency_summaries(page.items, local_today()),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


@bp.route("/agencies.csv")
@allow(anyone)
@bp.arguments(AgencyFilters, location="query")
@bp.doc(responses={"200": CSV_RESPONSE})
@bp.alt_response(400, response="BAD_REQUEST")
def export_agencies(arguments: dict):
    """Export agencies as CSV

    The list's filters, without pages: every match. Cells that a spreadsheet would read as
    a formula start with a single quote.
    """
    today = local_today()
    return Response(
        stream_with_context(agency_csv(search_agencies(agency_search(arguments), today))),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=agencies-{today:%Y%m%d}.csv"},
    )


@bp.route("/agencies/<credit_code>")
@allow(anyone)
@bp.response(200, AgencyProfile)
@bp.conditional
@bp.alt_response(400, response="BAD_REQUEST")
@bp.alt_response(404, response="NOT_FOUND")
def show_agency(credit_code: str):
    """One agency's profile

    Identity, qualifications, services with the fees in force today, and fee history.
    """
    problem = None
    try:
        check_credit_code(credit_code)
    except CreditCodeError as error:
        problem = error
    # A code failing the check may still be on the register: a regulator accepted it.
    agency = None if problem and not problem.claimable else public_agency(credit_code)
    if agency is None and problem:
        raise ApiError(400, str(problem))
    if agency is None:
        raise ApiError(404, _("No agency on the public register has this credit code."))
    return agency_profile(agency, local_today())


def agency_search(arguments: dict) -> AgencySearch:
    """The search the list's and the export's parameters ask for."""
    district, town = _region(arguments.get("region"))
    return AgencySearch(
        q=arguments["q"],
        category=arguments.get("category"),
        district=district,
        town=town,
        service_item=arguments.get("service_item"),
        sort=arguments["sort"],
        include_blacklisted=arguments["include_blacklisted"],
        conditions=at_least_stars(arguments.get("min_stars")),
    )


def _region(region: str | None) -> tuple[str | None, str | None]:
    """(district, town) of a region parameter: a district name, or a town name."""
    if region is None:
        return None, None
    if region in current_app.config["REGION_TOWNS"]:
        return region, None
    return None, region
