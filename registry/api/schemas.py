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
            "description": "Only agencies shown with at least this many stars (unrated and "
            "blacklisted agencies have none)."
        },
    )
    include_blacklisted = fields.Boolean(
        load_default=False,
        truthy={"1"},
        falsy={"0"},
        error_messages=ZERO_OR_ONE,
        metadata={
            "description": "1 to include agencies on the blacklist today (left out by default)."
        },
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error=_l("must be one of: {choices}")),
    )


class PageArguments(Schema):
    """`page` and `per_page` of every paged list: a 400 with a message outside their range."""

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


class AgencyListArguments(AgencyFilters, PageArguments):
    pass


class Region(Schema):
    district = fields.String()
    town = fields.String()


class Commitment(Schema):
    signed = fields.Boolean(metadata={"description": "A valid signature of the letter today."})
    valid_until = fields.Date(
        allow_none=True,
        metadata={"description": "The last day the signature counts, when signed."},
    )


class CommitmentDetail(Commitment):
    status = fields.String(
        metadata={"enum": ["valid", "lapsed", "superseded", "revoked", "never_signed"]}
    )
    receipt = fields.String(
        allow_none=True,
        metadata={"description": "The latest signature's receipt code (see /commitments/)."},
    )


class AgencySummary(Schema):
    credit_code = fields.String()
    name = fields.String()
    category = fields.String(metadata={"enum": [c.value for c in AgencyCategory]})
    region = fields.Nested(Region)
    status = fields.String(metadata={"enum": [s.value for s in AgencyStatus]})
    stars = fields.Integer(
        allow_none=True,
        metadata={
            "description": "1-5, as shown (an override's while one is in force); null "
            "when unrated or blacklisted."
        },
    )
    rating_status = fields.String(metadata={"enum": list(RATING_STATUSES)})
    score = fields.Float(allow_none=True, metadata={"description": "0-100, the method's."})
    blacklisted = fields.Boolean(
        metadata={
            "description": "On the blacklist today (then no stars, rating_status blacklisted)."
        }
    )
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


class ReviewComponent(Schema):
    value = fields.Float(
        allow_none=True,
        metadata={"description": "0-100; null with fewer reviews and evaluations than needed."},
    )
    weight = fields.Float(
        metadata={"description": "Reviews counted, recency-weighted, the prior's included."}
    )
    prior = fields.Float(metadata={"description": "The prior mean on the 1-5 scale."})


class Penalties(Schema):
    complaints = fields.Float(metadata={"description": "Substantiated complaints, decayed."})
    overdue = fields.Float(metadata={"description": "The late share of confirmed engagements."})
    overcharges = fields.Float()


class ComplaintCounts(Schema):
    minor = fields.Integer()
    major = fields.Integer()
    serious = fields.Integer()


class EvidenceCounts(Schema):
    reviews = fields.Integer()
    evaluations = fields.Integer()
    complaints = fields.Nested(ComplaintCounts)
    confirmed_engagements = fields.Integer()
    overdue_engagements = fields.Integer()
    overcharges = fields.Integer()


class RatingComponents(Schema):
    reviews = fields.Nested(ReviewComponent)
    inspection = fields.Integer(
        allow_none=True, metadata={"description": "The latest inspection in the window, 0-100."}
    )
    base = fields.Float(allow_none=True, metadata={"description": "Before penalties, 0-100."})
    penalties = fields.Nested(Penalties)
    counts = fields.Nested(EvidenceCounts, metadata={"description": "Within the window."})


class RatingOverride(Schema):
    stars = fields.Integer()
    reason = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "The last day it counts."})


class Rating(Schema):
    stars = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(RATING_STATUSES)})
    score = fields.Float(allow_none=True)
    computed_stars = fields.Integer(
        allow_none=True, metadata={"description": "The method's stars, before any override."}
    )
    method_version = fields.String(
        allow_none=True, metadata={"description": "See the methodology page; null: not rated yet."}
    )
    as_of = fields.Date(
        allow_none=True, metadata={"description": "The day the result was last computed for."}
    )
    override = fields.Nested(
        RatingOverride,
        allow_none=True,
        metadata={"description": "The regulator's adjustment of the stars, if one is in force."},
    )
    caps = fields.List(
        fields.String(),
        metadata={"description": "Caps applied: no_valid_commitment, blacklisted."},
    )
    components = fields.Nested(RatingComponents, allow_none=True)


class AgencyProfile(AgencySummary):
    commitment = fields.Nested(CommitmentDetail)
    rating = fields.Nested(Rating, metadata={"description": "The rating with its breakdown."})
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
    blacklist_history = fields.List(
        fields.Nested("Listing"),
        metadata={"description": "Every listing of the agency, current or past, newest first."},
    )


class ListingAgency(Schema):
    credit_code = fields.String()
    name = fields.String()


LISTING_STATUSES = ("listed", "expired", "repaired", "revoked")
GROUNDS = (
    "falsified_report",
    "serious_overcharging",
    "repeated_delays",
    "misconduct",
    "commitment_breach",
    "repeated_complaints",
    "other",
)


class Listing(Schema):
    """A blacklist listing as published: the decision and its dates, never the facts."""

    agency = fields.Nested(ListingAgency)
    ground = fields.String(metadata={"enum": list(GROUNDS)})
    legal_basis = fields.String()
    deciding_authority = fields.String()
    decision_number = fields.String()
    decided_on = fields.Date()
    listed_from = fields.Date(metadata={"description": "The first day the listing counts."})
    listed_until = fields.Date(metadata={"description": "The last day it counts, if not ended."})
    status = fields.String(
        metadata={
            "enum": list(LISTING_STATUSES),
            "description": "listed: in force today; expired: the term ran out; repaired: ended "
            "by approved credit repair; revoked: the listing was wrong.",
        }
    )
    ended_on = fields.Date(
        allow_none=True, metadata={"description": "The first day it no longer counted."}
    )


class ListingArguments(Schema):
    history = fields.Boolean(
        load_default=False,
        truthy={"1"},
        falsy={"0"},
        error_messages=ZERO_OR_ONE,
        metadata={"description": "1 for past listings (how and when each ended) instead."},
    )
    q = fields.String(
        load_default="",
        validate=[
            validate.Length(max=MAX_QUERY, error=_l("must be at most {max} characters")),
            plain_text,
        ],
        metadata={"description": "A fragment of the agency's name, or its credit code."},
    )


class ListingPageArguments(ListingArguments, PageArguments):
    pass


class ListingPage(Schema):
    items = fields.List(fields.Nested(Listing))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class PublicKey(Schema):
    key_id = fields.String(metadata={"example": "3f2a9c0d41b7e865"})
    algorithm = fields.String(metadata={"example": "Ed25519"})
    public_key = fields.String(metadata={"description": "The raw 32-byte key, base64."})
    public_key_pem = fields.String(metadata={"description": "The same key as PEM."})
    first_used_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)


class PublicKeys(Schema):
    keys = fields.List(fields.Nested(PublicKey))


class ReceiptAgency(Schema):
    credit_code = fields.String()
    name = fields.String()


class Receipt(Schema):
    receipt_code = fields.String(metadata={"example": "7KQ2M9XD3FHT"})
    genuine = fields.Boolean(
        metadata={"description": "The signature verifies against the payload with key_id."}
    )
    status = fields.String(metadata={"enum": ["valid", "lapsed", "superseded", "revoked"]})
    agency = fields.Nested(ReceiptAgency)
    template_version = fields.Integer()
    signed_at = fields.DateTime()
    valid_until = fields.Date()
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    key_id = fields.String()
    payload = fields.String(metadata={"description": "Canonical JSON, exactly as signed."})
    signature = fields.String(metadata={"description": "Ed25519 signature of the payload, base64."})


class ErrorDetail(Schema):
    code = fields.String(metadata={"example": "bad_request"})
    message = fields.String()


class Error(Schema):
    error = fields.Nested(ErrorDetail)
