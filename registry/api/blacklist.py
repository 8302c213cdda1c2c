"""API v1 for the blacklist: listings in force (or past ones), as JSON pages and as CSV."""

import csv
import io

from flask import Response, stream_with_context

from blacklist.queries import listing_record, public_listings
from registry.accounts.permissions import allow, anyone
from registry.api.exports import BATCH_SIZE, BOM, cell, drain
from registry.api.protocol import ApiBlueprint
from registry.api.schemas import ListingArguments, ListingPage, ListingPageArguments
from registry.dates import local_today
from registry.db import db

bp = ApiBlueprint(
    "api_blacklist",
    __name__,
    url_prefix="/api/v1",
    description="The blacklist: agencies listed by a regulator's decision, and past listings.",
)

CSV_RESPONSE = {
    "description": "Every listing, one a row, UTF-8 with a BOM.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}
LISTING_COLUMNS = (
    "credit_code",
    "name",
    "ground",
    "legal_basis",
    "deciding_authority",
    "decision_number",
    "decided_on",
    "listed_from",
    "listed_until",
    "status",
    "ended_on",
)


@bp.route("/blacklist")
@allow(anyone)
@bp.arguments(ListingPageArguments, location="query")
@bp.response(200, ListingPage)
@bp.conditional
@bp.alt_response(400, response="BAD_REQUEST")
def list_listings(arguments: dict):
    """Blacklist listings

    The listings in force today, newest first; with `history=1` the listings that ended
    (term expired, credit repaired, or revoked as wrong), most recently ended first. A
    listing stops counting the day after `listed_until`, whether or not it is recorded yet.
    """
    today = local_today()
    query = public_listings(today, history=arguments["history"], q=arguments["q"])
    page = db.paginate(
        query, page=arguments["page"], per_page=arguments["per_page"], error_out=False
    )
    return {
        "items": [listing_record(case, today) for case in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


@bp.route("/blacklist.csv")
@allow(anyone)
@bp.arguments(ListingArguments, location="query")
@bp.doc(responses={"200": CSV_RESPONSE})
@bp.alt_response(400, response="BAD_REQUEST")
def export_listings(arguments: dict):
    """Export the blacklist as CSV

    The list's rows without pages. Cells that a spreadsheet would read as a formula start
    with a single quote.
    """
    today = local_today()
    query = public_listings(today, history=arguments["history"], q=arguments["q"])
    name = "blacklist-history" if arguments["history"] else "blacklist"
    return Response(
        stream_with_context(_csv(query, today)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}-{today:%Y%m%d}.csv"},
    )


def _csv(query, today):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LISTING_COLUMNS)
    yield BOM + drain(buffer)
    result = db.session.execute(query.execution_options(yield_per=BATCH_SIZE)).scalars()
    for batch in result.partitions():
        for case in batch:
            record = listing_record(case, today)
            values = {**record, **record["agency"]}
            writer.writerow(cell(values[column]) for column in LISTING_COLUMNS)
        yield drain(buffer)
