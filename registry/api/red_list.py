"""API v1 for the red list (守信红名单): agencies at ★5 throughout the last months, without
a substantiated complaint in that time, not on the blacklist (ratings/public/red_list.py)."""

from flask import current_app
from marshmallow import Schema, fields

from ratings.public.red_list import red_list_since, red_listed
from registry.accounts.permissions import allow, anyone
from registry.api.protocol import ApiBlueprint
from registry.api.records import agency_summaries
from registry.api.schemas import AgencySummary, PageArguments
from registry.dates import local_today
from registry.db import db

bp = ApiBlueprint(
    "api_red_list",
    __name__,
    url_prefix="/api/v1",
    description="The red list: agencies at 5 stars throughout the last months.",
)


class RedListArguments(PageArguments):
    pass


class RedListPage(Schema):
    months = fields.Integer(metadata={"description": "How many months the rule looks back."})
    since = fields.Date(metadata={"description": "The first day of that period."})
    items = fields.List(fields.Nested(AgencySummary))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


@bp.route("/red-list")
@allow(anyone)
@bp.arguments(RedListArguments, location="query")
@bp.response(200, RedListPage)
@bp.conditional
@bp.alt_response(400, response="BAD_REQUEST")
def list_red_list(arguments: dict):
    """Red list

    Active agencies whose stored rating showed 5 stars throughout the last `months` months
    (the grade in force on `since` and every one since), with no complaint concluded
    substantiated on or after `since`, and not on the blacklist today; by name.
    """
    today = local_today()
    months = current_app.config["RED_LIST_MONTHS"]
    page = db.paginate(
        red_listed(today, months),
        page=arguments["page"],
        per_page=arguments["per_page"],
        error_out=False,
    )
    return {
        "months": months,
        "since": red_list_since(today, months),
        "items": agency_summaries(list(page.items), today),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }
