"""Agencies as the API and the CSV export publish them."""

from datetime import UTC, date, datetime
from decimal import Decimal

from blacklist.queries import agency_listings, listing_record
from ratings.results.queries import latest_result
from registry.agencies import queries
from registry.agencies.categories import AgencyStatus
from registry.agencies.listing import is_listed
from registry.agencies.models import Agency, FeeSchedule
from registry.commitments.queries import Commitment, agency_commitment, commitments_of
from registry.dates import local_today

# The reason is public only for the states it explains (as on the profile page).
STATES_WITH_REASON = (AgencyStatus.SUSPENDED, AgencyStatus.DEREGISTERED)


def reputation(agency: Agency, commitment: Commitment) -> dict:
    """Stars, rating, blacklisting and commitment, the one place the API reads them.

    The rating is the latest result mirrored on the agency row (ratings.results). A listing
    counts from its dates today, even before the result records it: a listed agency has no
    stars and no score.
    """
    listed = is_listed(agency, local_today())
    return {
        "stars": None if listed else agency.stars,
        "rating_status": "blacklisted" if listed else agency.rating_status,
        "score": None if listed else agency.score,
        "blacklisted": listed,
        "commitment": {
            "signed": commitment.signed,
            "valid_until": commitment.ends_on if commitment.signed else None,
        },
    }


def at_least_stars(min_stars: int | None) -> tuple:
    """Search conditions keeping agencies shown with at least min_stars stars."""
    if min_stars is None:
        return ()
    return (Agency.stars >= min_stars,)


def rating_record(agency: Agency, summary: dict) -> dict:
    """The rating with its breakdown: the latest stored result, as of the day it holds as of
    (ratings.results.models.result_day); stars, status and score as the summary gives them
    (a listing counts today)."""
    result = latest_result(agency.id)
    override = result.override if result is not None else None
    return {
        "stars": summary["stars"],
        "status": summary["rating_status"],
        "score": summary["score"],
        "computed_stars": result.computed_stars if result else None,
        "method_version": result.method_version if result else None,
        "as_of": result.holds_as_of if result else None,
        "override": None
        if override is None
        else {
            "stars": override.stars,
            "reason": override.reason,
            "starts_on": override.starts_on,
            "ends_on": override.ends_on,
        },
        "caps": list(result.caps) if result else [],
        "components": result.components if result else None,
    }


def agency_summaries(agencies: list[Agency], today: date) -> list[dict]:
    """Agencies as list items, their commitments read together."""
    commitments = commitments_of([agency.id for agency in agencies], today)
    return [agency_summary(agency, commitments[agency.id]) for agency in agencies]


def agency_summary(agency: Agency, commitment: Commitment) -> dict:
    """An agency as a list item."""
    return {
        "credit_code": agency.credit_code,
        "name": agency.name,
        "category": agency.category,
        "region": {"district": agency.district, "town": agency.town},
        "status": agency.status,
        **reputation(agency, commitment),
    }


def agency_profile(agency: Agency, today: date) -> dict:
    """An agency's public profile: identity, qualifications, fees in force and their history."""
    offers = queries.fees_in_force(agency.id, today)
    commitment = agency_commitment(agency.id, today)
    summary = agency_summary(agency, commitment)
    summary["commitment"].update(
        status=commitment.standing.value,
        receipt=commitment.signature.receipt_code if commitment.signature else None,
    )
    return {
        **summary,
        "rating": rating_record(agency, summary),
        "credit_code_exception": agency.credit_code_exception,
        "address": agency.address,
        "legal_representative": agency.legal_representative,
        "contact_person": agency.contact_person,
        "phone": agency.phone,
        "email": agency.email,
        "business_scope": agency.business_scope,
        "status_reason": agency.status_reason if agency.status in STATES_WITH_REASON else None,
        "status_changed_at": as_utc(agency.status_changed_at),
        "verified_at": as_utc(agency.verified_at),
        "qualifications": [
            {
                "name": qualification.name,
                "level": qualification.level,
                "number": qualification.number,
                "issuer": qualification.issuer,
                "valid_from": qualification.valid_from,
                "valid_until": qualification.valid_until,
                "valid_today": qualification.valid_on(today),
            }
            for qualification in agency.qualifications
        ],
        "services": [
            {
                "item_code": offer.service_item.code,
                "item_name": offer.service_item.name,
                "pricing_type": offer.service_item.pricing_type,
                "statutory_days": offer.service_item.statutory_days,
                **_fee(offer),
            }
            for offer in offers
        ],
        "fee_history": [
            {
                "item_code": schedules[0].service_item.code,
                "item_name": schedules[0].service_item.name,
                "schedules": [_fee(schedule) for schedule in schedules],
            }
            for schedules in queries.fee_history_by_item(agency.id).values()
        ],
        "blacklist_history": [listing_record(case, today) for case in agency_listings(agency.id)],
    }


def _fee(schedule: FeeSchedule) -> dict:
    return {
        "fee_min": _yuan_text(schedule.fee_min),
        "fee_max": _yuan_text(schedule.fee_max),
        "unit": schedule.unit,
        "basis": schedule.basis,
        "promised_days": schedule.promised_days,
        "effective_from": schedule.effective_from,
        "effective_to": schedule.effective_to,
    }


def _yuan_text(amount: Decimal) -> str:
    """Yuan as a string with two decimals, so no client reads money as a float."""
    return f"{amount:.2f}"


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) timestamp, marked as UTC so clients do not guess."""
    return None if moment is None else moment.replace(tzinfo=UTC)
