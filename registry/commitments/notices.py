"""What agencies are told about their commitment, in their inbox."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.agencies.categories import AgencyStatus
from registry.agencies.models import Agency
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.queries import Versions, commitments_of, overview
from registry.commitments.receipts import grouped
from registry.db import db
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify_agency

MY_COMMITMENT = ("commitments.my_commitment", {})

register_kind(
    "commitment.published",
    _l("Commitment letter version %(version)s is published"),
    _l("Read version %(version)s of the commitment letter and sign it online."),
)
register_kind(
    "commitment.resign_required",
    _l("Sign commitment letter version %(version)s by %(resign_by)s"),
    _l(
        "Version %(version)s of the commitment letter requires every agency to sign again. "
        "Your current signature counts until %(resign_by)s."
    ),
)
register_kind(
    "commitment.lapsing",
    _l("Your commitment signature ends on %(ends_on)s"),
    _l(
        "Receipt %(receipt)s stops counting after %(ends_on)s. Sign the current version "
        "before then, or your agency is shown without a valid commitment."
    ),
)
register_kind(
    "commitment.revoked",
    _l("Your commitment signature was revoked"),
    _l("The regulator revoked receipt %(receipt)s: %(reason)s. Sign the letter again."),
)


def version_published(template: CommitmentTemplate) -> None:
    """Every active agency hears of a new version; those holding an older one, by when."""
    versions = Versions()
    latest = (
        select(CommitmentSignature)
        .join(Agency, Agency.id == CommitmentSignature.agency_id)
        .where(Agency.status == AgencyStatus.ACTIVE.value)
        .order_by(CommitmentSignature.agency_id, CommitmentSignature.id)
    )
    holders = {signature.agency_id: signature for signature in db.session.scalars(latest)}
    active = db.session.scalars(select(Agency.id).where(Agency.status == AgencyStatus.ACTIVE.value))
    today = template.published_on
    for agency_id in active:
        signature = holders.get(agency_id)
        holds_valid = signature is not None and versions.commitment(signature, today).signed
        if template.resign_by is not None and holds_valid:
            notify_agency(
                agency_id,
                "commitment.resign_required",
                params={"version": template.version, "resign_by": template.resign_by},
                link=MY_COMMITMENT,
                dedupe_key=f"commitment-published:{template.version}",
            )
        else:
            notify_agency(
                agency_id,
                "commitment.published",
                params={"version": template.version},
                link=MY_COMMITMENT,
                dedupe_key=f"commitment-published:{template.version}",
            )


def signature_revoked(signature: CommitmentSignature) -> None:
    notify_agency(
        signature.agency_id,
        "commitment.revoked",
        params={"receipt": grouped(signature.receipt_code), "reason": signature.revoke_reason},
        link=MY_COMMITMENT,
        dedupe_key=f"commitment-revoked:{signature.id}",
    )


def lapsing_soon(today: date, days: int) -> int:
    """Notices for signatures ending within `days`; a signature is told once per end date."""
    sent = 0
    agencies = db.session.execute(
        overview("lapsing", today).execution_options(yield_per=500)
    ).scalars()
    for batch in agencies.partitions():
        for agency_id, commitment in commitments_of([a.id for a in batch], today).items():
            if not commitment.lapses_within(days, today):
                continue
            signature = commitment.signature
            sent += bool(
                notify_agency(
                    agency_id,
                    "commitment.lapsing",
                    params={
                        "receipt": grouped(signature.receipt_code),
                        "ends_on": commitment.ends_on,
                    },
                    link=MY_COMMITMENT,
                    dedupe_key=f"commitment-lapse:{signature.id}:{commitment.ends_on.isoformat()}",
                )
            )
    return sent
