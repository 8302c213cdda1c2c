"""Reading commitments: the current version, an agency's standing, receipts, the overview.

A signature's status is computed from its dates at the moment asked, never stored:
- `revoked`: a regulator revoked it;
- `superseded`: the agency signed again since, or a version requiring re-signing was
  published and its grace period is over (its `resign_by` day has passed);
- `lapsed`: its valid-until day has passed;
- `valid`: none of these.
An agency's commitment is its latest signature's status; without one it has `never_signed`.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from operator import attrgetter

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Exists, Select, and_, bindparam, exists, func, or_, select

from registry.agencies.categories import AgencyStatus
from registry.agencies.models import Agency
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.db import IdScope, db


class Standing(StrEnum):
    VALID = "valid"
    LAPSED = "lapsed"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    NEVER_SIGNED = "never_signed"


# The regulator's overview filters on these; `lapsing` is valid but ending soon.
ONE_DAY = timedelta(days=1)
OVERVIEW_FILTERS = ("valid", "lapsing", "lapsed", "superseded", "revoked", "never_signed")
STANDING_LABELS = {
    "valid": _l("Valid"),
    "lapsing": _l("Valid, ending soon"),
    "lapsed": _l("Lapsed"),
    "superseded": _l("Superseded"),
    "revoked": _l("Revoked"),
    "never_signed": _l("Never signed"),
}


@dataclass(frozen=True)
class Commitment:
    """An agency's commitment as of a day: its latest signature and what it amounts to."""

    standing: Standing
    signature: CommitmentSignature | None = None
    # The last day the signature counts, as far as is known today.
    ends_on: date | None = None
    # A newer version asks for re-signing and the grace period is running.
    resign_by: date | None = None

    @property
    def signed(self) -> bool:
        return self.standing == Standing.VALID

    def lapses_within(self, days: int, today: date) -> bool:
        return self.signed and self.ends_on is not None and self.ends_on <= today + timedelta(days)


# Built once: every rating refresh loads the published versions.
PUBLISHED = (
    select(CommitmentTemplate)
    .where(CommitmentTemplate.version.is_not(None))
    .order_by(CommitmentTemplate.version)
)


def published_templates() -> list[CommitmentTemplate]:
    return list(db.session.execute(PUBLISHED).scalars())


def current_template() -> CommitmentTemplate | None:
    """The latest published version: the one agencies sign now."""
    return db.session.execute(
        select(CommitmentTemplate)
        .where(CommitmentTemplate.version.is_not(None))
        .order_by(CommitmentTemplate.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def drafts() -> list[CommitmentTemplate]:
    return list(
        db.session.execute(
            select(CommitmentTemplate)
            .where(CommitmentTemplate.version.is_(None))
            .order_by(CommitmentTemplate.created_at.desc())
        ).scalars()
    )


class Versions:
    """The published versions, loaded once, answering date questions about signatures."""

    def __init__(self, templates: list[CommitmentTemplate] | None = None):
        self.templates = published_templates() if templates is None else templates

    def resign_by(self, version: int) -> date | None:
        """The last day a signature of this version counts, set by a later version."""
        days = [
            template.resign_by
            for template in self.templates
            if template.version > version and template.resign_by is not None
        ]
        return min(days, default=None)

    def newest_superseding(self, today: date) -> int:
        """Signatures of versions below this one are superseded today (0: none are)."""
        return max(
            (
                template.version
                for template in self.templates
                if template.resign_by is not None and template.resign_by < today
            ),
            default=0,
        )

    def status(
        self, signature: CommitmentSignature, today: date, *, signed_again: bool = False
    ) -> Standing:
        if signature.revoked_at is not None:
            return Standing.REVOKED
        resign_by = self.resign_by(signature.template_version)
        if signed_again or (resign_by is not None and resign_by < today):
            return Standing.SUPERSEDED
        if signature.valid_until < today:
            return Standing.LAPSED
        return Standing.VALID

    def commitment(self, signature: CommitmentSignature | None, today: date) -> Commitment:
        if signature is None:
            return Commitment(Standing.NEVER_SIGNED)
        resign_by = self.resign_by(signature.template_version)
        ends_on = min(filter(None, (signature.valid_until, resign_by)))
        return Commitment(
            self.status(signature, today),
            signature,
            ends_on=ends_on,
            resign_by=resign_by if resign_by is not None and resign_by >= today else None,
        )


@cache
def _latest_signature_statement() -> Select:
    """Built once (the public profile runs it on every visit): only its parameter changes."""
    return (
        select(CommitmentSignature)
        .where(CommitmentSignature.agency_id == bindparam("agency_id"))
        .order_by(CommitmentSignature.id.desc())
        .limit(1)
    )


def latest_signature(agency_id: int) -> CommitmentSignature | None:
    return db.session.execute(
        _latest_signature_statement(), {"agency_id": agency_id}
    ).scalar_one_or_none()


def ever_signed(agency_id) -> Exists:
    """SQL: the agency signed some version once (else its commitment is never_signed)."""
    return exists().where(CommitmentSignature.agency_id == agency_id)


def agency_commitment(agency_id: int, today: date) -> Commitment:
    """The agency's commitment today; the published versions are read only when it signed."""
    signature = latest_signature(agency_id)
    if signature is None:
        return Commitment(Standing.NEVER_SIGNED)
    return Versions().commitment(signature, today)


def commitments_of(agency_ids: list[int], today: date) -> dict[int, Commitment]:
    """Each agency's commitment, in two queries whatever the number of agencies."""
    if not agency_ids:
        return {}
    scope = IdScope(agency_ids)
    signatures = {
        signature.agency_id: signature
        for signature in scope.keep(
            db.session.execute(_latest_signatures(scope.by_range), scope.params).scalars(),
            attrgetter("agency_id"),
        )
    }
    versions = Versions()
    return {
        agency_id: versions.commitment(signatures.get(agency_id), today) for agency_id in agency_ids
    }


@lru_cache(maxsize=2)
def _latest_signatures(by_range: bool) -> Select:
    """Each agency's latest signature (built once: a rating refresh asks for every change)."""
    latest = (
        select(func.max(CommitmentSignature.id))
        .where(IdScope.condition(CommitmentSignature.agency_id, by_range))
        .group_by(CommitmentSignature.agency_id)
    )
    return select(CommitmentSignature).where(CommitmentSignature.id.in_(latest))


def signatures_of(agency_id: int) -> list[CommitmentSignature]:
    """Every signature of the agency, newest first."""
    return list(
        db.session.execute(
            select(CommitmentSignature)
            .where(CommitmentSignature.agency_id == agency_id)
            .order_by(CommitmentSignature.id.desc())
        ).scalars()
    )


def signature_by_receipt(code: str) -> CommitmentSignature | None:
    return db.session.execute(
        select(CommitmentSignature).where(CommitmentSignature.receipt_code == code)
    ).scalar_one_or_none()


def receipt_status(signature: CommitmentSignature, today: date) -> Standing:
    """A receipt's status: as its signature's, superseded too when the agency signed again."""
    signed_again = db.session.execute(
        select(CommitmentSignature.id)
        .where(
            CommitmentSignature.agency_id == signature.agency_id,
            CommitmentSignature.id > signature.id,
        )
        .limit(1)
    ).first()
    return Versions().status(signature, today, signed_again=signed_again is not None)


def overview(standing: str | None, today: date) -> Select:
    """Active agencies, filtered by the standing of their latest signature.

    The same rules as Versions.status, in SQL, so the filter pages through any number of
    agencies: superseded means a version below the newest one whose grace period is over.
    """
    latest = (
        select(
            CommitmentSignature.agency_id,
            func.max(CommitmentSignature.id).label("signature_id"),
        )
        .group_by(CommitmentSignature.agency_id)
        .subquery()
    )
    query = (
        select(Agency)
        .outerjoin(latest, latest.c.agency_id == Agency.id)
        .outerjoin(CommitmentSignature, CommitmentSignature.id == latest.c.signature_id)
        .where(Agency.status == AgencyStatus.ACTIVE.value)
        .order_by(Agency.name_pinyin, Agency.id)
    )
    if not standing:
        return query
    versions = Versions()
    soon = today + timedelta(days=current_app.config["COMMITMENT_LAPSE_NOTICE_DAYS"])
    signed = CommitmentSignature.id.is_not(None)
    not_revoked = CommitmentSignature.revoked_at.is_(None)
    superseded = CommitmentSignature.template_version < versions.newest_superseding(today)
    counting = and_(signed, not_revoked, ~superseded, CommitmentSignature.valid_until >= today)
    conditions = {
        "never_signed": CommitmentSignature.id.is_(None),
        "revoked": and_(signed, ~not_revoked),
        "superseded": and_(signed, not_revoked, superseded),
        "lapsed": and_(signed, not_revoked, ~superseded, CommitmentSignature.valid_until < today),
        "valid": counting,
        "lapsing": and_(
            counting,
            or_(
                CommitmentSignature.valid_until <= soon,
                CommitmentSignature.template_version < versions.newest_superseding(soon + ONE_DAY),
            ),
        ),
    }
    return query.where(conditions[standing])
