"""What the public profile reads besides the agency and its fees: the evidence about its
conduct, in as few statements as a page read on every visit should take.

One statement reads the review figures, the assessment figures and whether the agency ever
signed a commitment letter or was ever listed; the signature and the listings are then read
only when there are some. Each package still owns its part (the subqueries and what a row
of them means): this module only puts them in one statement.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, select, true

from blacklist.models import BlacklistCase
from blacklist.queries import agency_listings, ever_listed
from ratings.assessments.queries import (
    AssessmentSummary,
    assessment_figures,
    profile_window,
    summary_of_assessments,
)
from ratings.engagements.queries import ReviewSummary, review_figures, summary_of_reviews
from registry.commitments.queries import (
    Commitment,
    Standing,
    agency_commitment,
    ever_signed,
)
from registry.db import db


@dataclass(frozen=True)
class Evidence:
    commitment: Commitment
    assessments: AssessmentSummary
    reviews: ReviewSummary
    listings: list[BlacklistCase]


@cache
def _evidence_statement() -> Select:
    """Built once: only the parameters change from one visit to the next."""
    agency_id = bindparam("agency_id")
    reviews = review_figures(agency_id)
    evaluations, latest = assessment_figures(agency_id, bindparam("since"), bindparam("until"))
    return select(
        reviews,
        evaluations,
        latest,
        ever_signed(agency_id).label("signed"),
        ever_listed(agency_id).label("listed"),
    ).select_from(reviews.join(evaluations, true()).outerjoin(latest, true()))


def profile_evidence(agency_id: int, today: date) -> Evidence:
    """The agency's commitment, assessments in the rating window, review figures and
    listings, as the public profile shows them."""
    since = profile_window(today)
    row = db.session.execute(
        _evidence_statement(), {"agency_id": agency_id, "since": since, "until": today}
    ).one()
    return Evidence(
        commitment=(
            agency_commitment(agency_id, today) if row.signed else Commitment(Standing.NEVER_SIGNED)
        ),
        assessments=summary_of_assessments(row, agency_id, since),
        reviews=summary_of_reviews(row),
        listings=agency_listings(agency_id) if row.listed else [],
    )
