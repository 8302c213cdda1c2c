"""The API's parameters and documents: marshmallow schemas that validate and document them."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from registry.agencies.categories import AgencyCategory, AgencyStatus, PricingType
from registry.agencies.models import ServiceItem
from registry.agencies.search import MAX_QUERY, SORTS
from registry.db import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Far beyond any real list; keeps OFFSET within the databases' integers.
MAX_PAGE = 1_000_000
SERVICE_CODE_LENGTH = ServiceItem.code.type.length
RATING_STATUSES = ("rated", "unrated", "blacklisted")

WHOLE_NUMBER = {"invalid": _l("must be a whole number")}
IN_RANGE = _l("must be a whole number from {min} to {max}")
ZERO_OR_ONE = {"invalid": _l("must be 0 or 1")}


def plain_text(value: str) -> None:
    """No control characters (the search page's rule)."""
    if any(ord(char) < 32 for char in value):
        raise ValidationError(_("contains control characters"))


def known_region(value: str) -> None:
    """A district, or a town, of the region the registry serves (config REGION_TOWNS)."""
    regions = current_app.config["REGION_TOWNS"]
    if value in regions or any(value in towns for towns in regions.values()):
        return
    raise ValidationError(_("is not a district or town of the registry's region"))


def catalogued(code: str) -> None:
    """The code of an item in the service catalogue."""
    plain_text(code)
    if (
        len(code) > SERVICE_CODE_LENGTH
        or not db.session.execute(select(ServiceItem.id).where(ServiceItem.code == code)).first()
    ):
        raise ValidationError(_("is not the code of a service item in the catalogue"))


class AgencyFilters(Schema):
    q = fields.String(
        load_default="",
        validate=[
            validate.Length(max=MAX_QUERY, error=_l("must be at most {max} characters")),
            plain_text,
        ],
        metadata={
            "description": "A fragment of the name (1+ Chinese characters), pinyin, pinyin "
            "initials, or a credit code."
        },
    )
    category = fields.String(
        validate=validate.OneOf([c.value for c in AgencyCategory], error=_l("is not a category")),
    )
    region = fields.String(
        validate=known_region,
        metadata={"description": "A district or a town of the registry's region."},
    )
    service_item = fields.String(
        validate=catalogued,
        metadata={"description": "A catalogue item code: agencies with a fee in force today."},
    )
    min_stars = fields.Integer(
        validate=validate.Range(min=1, max=5, error=IN_RANGE),
        error_messages=WHOLE_NUMBER,
        metadata={
            "description": "Only agencies rated at least this many stars. Ratings are not "
            "published yet, so any value yields no agencies."
        },
    )
    include_blacklisted = fields.Boolean(
        load_default=False,
        truthy={"1"},
        falsy={"0"},
        error_messages=ZERO_OR_ONE,
        metadata={
            "description": "1 to include blacklisted agencies. No listing is recorded yet, "
            "so it changes nothing for now."
        },
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error=_l("must be one of: {choices}")),
    )


class AgencyListArguments(AgencyFilters):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE, error=IN_RANGE),
        error_messages=WHOLE_NUMBER,
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE, error=IN_RANGE),
        error_messages=WHOLE_NUMBER,
    )


class Region(Schema):
    district = fields.String()
    town = fields.String()


class Commitment(Schema):
    signed = fields.Boolean()
    valid_until = fields.Date(allow_none=True)


class AgencySummary(Schema):
    credit_code = fields.String()
    name = fields.String()
    category = fields.String(metadata={"enum": [c.value for c in AgencyCategory]})
    region = fields.Nested(Region)
    status = fields.String(metadata={"enum": [s.value for s in AgencyStatus]})
    stars = fields.Integer(
        allow_none=True, metadata={"description": "1-5; null until ratings are published."}
    )
    rating_status = fields.String(metadata={"enum": list(RATING_STATUSES)})
    score = fields.Float(allow_none=True)
    blacklisted = fields.Boolean(metadata={"description": "No listing is recorded yet."})
    commitment = fields.Nested(Commitment)


class AgencyPage(Schema):
    items = fields.List(fields.Nested(AgencySummary))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class Qualification(Schema):
    name = fields.String()
    level = fields.String()
    number = fields.String()
    issuer = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    valid_today = fields.Boolean()


class Fee(Schema):
    fee_min = fields.String(metadata={"description": "Yuan, two decimals.", "example": "800.00"})
    fee_max = fields.String(metadata={"description": "Yuan, two decimals.", "example": "1200.00"})
    unit = fields.String()
    basis = fields.String()
    promised_days = fields.Integer(metadata={"description": "Working days."})
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True, metadata={"description": "Exclusive."})


class ServiceOffer(Fee):
    item_code = fields.String()
    item_name = fields.String()
    pricing_type = fields.String(metadata={"enum": [p.value for p in PricingType]})
    statutory_days = fields.Integer()


class FeeHistory(Schema):
    item_code = fields.String()
    item_name = fields.String()
    schedules = fields.List(fields.Nested(Fee), metadata={"description": "Newest first."})


class AgencyProfile(AgencySummary):
    credit_code_exception = fields.String(
        allow_none=True,
        metadata={"description": "Why the regulator accepted a code that fails the check."},
    )
    address = fields.String()
    legal_representative = fields.String()
    contact_person = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    business_scope = fields.String()
    status_reason = fields.String(
        allow_none=True, metadata={"description": "Why it is suspended or deregistered."}
    )
    status_changed_at = fields.DateTime()
    verified_at = fields.DateTime(allow_none=True)
    qualifications = fields.List(fields.Nested(Qualification))
    services = fields.List(
        fields.Nested(ServiceOffer), metadata={"description": "Offers with a fee in force today."}
    )
    fee_history = fields.List(fields.Nested(FeeHistory))


class ErrorDetail(Schema):
    code = fields.String(metadata={"example": "bad_request"})
    message = fields.String()


class Error(Schema):
    error = fields.Nested(ErrorDetail)
