"""Commitment actions: regulators write and publish versions, agencies sign, regulators revoke.

Each function checks its actor's permission, validates, changes rows, writes the audit
event and the inbox notices, and leaves the commit to the caller.
"""

import calendar
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.accounts.permissions import PermissionDenied, acts_for_agency, is_regulator, require
from registry.agencies.categories import AgencyStatus
from registry.agencies.listing import is_listed
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.commitments import keys, notices
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.queries import Standing, Versions, current_template, latest_signature
from registry.commitments.receipts import (
    canonical_payload,
    grouped,
    letter_text,
    new_receipt_code,
    text_sha256,
)
from registry.dates import local_today
from registry.db import db, lock, lock_rows, utcnow

describe(
    actions={
        "commitment.template_drafted": _l("Commitment letter drafted"),
        "commitment.template_changed": _l("Commitment letter draft changed"),
        "commitment.template_published": _l("Commitment letter published"),
        "commitment.signed": _l("Commitment letter signed"),
        "commitment.revoked": _l("Commitment signature revoked"),
        "commitment.key_rotated": _l("Receipt signing key rotated"),
    },
    objects={
        "commitment_template": _l("Commitment letter"),
        "commitment_signature": _l("Commitment signature"),
        "signing_key": _l("Signing key"),
    },
)

LANGUAGES = ("zh_CN", "en")


class CommitmentError(ValueError):
    """A refused commitment action; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class TemplateDetails:
    """What a regulator writes in a version of the letter."""

    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    validity_months: int
    requires_resigning: bool
    grace_days: int


@dataclass
class SigningDetails:
    """What the signer confirms, and what the server saw of the request."""

    template_id: int
    language: str
    text_sha256: str
    signer_name: str
    signer_title: str
    consent: bool
    password: str
    ip_address: str | None = None
    user_agent: str | None = None


# --- templates -----------------------------------------------------------------------------


def draft_template(actor, details: TemplateDetails) -> CommitmentTemplate:
    require(is_regulator, actor)
    template = CommitmentTemplate(created_by_id=actor.id, **_clean(details))
    db.session.add(template)
    db.session.flush()
    record("commitment.template_drafted", actor=actor, obj=template)
    return template


def change_draft(actor, template: CommitmentTemplate, details: TemplateDetails) -> None:
    require(is_regulator, actor)
    lock(template)
    if template.is_published:
        raise CommitmentError(
            with_last_change(
                _("A published version cannot be changed; write a new draft."), template
            )
        )
    for name, value in _clean(details).items():
        setattr(template, name, value)
    record("commitment.template_changed", actor=actor, obj=template)


def publish_template(actor, template: CommitmentTemplate) -> CommitmentTemplate:
    """Number the draft as the next version; it replaces the current one for new signatures.

    When it requires re-signing, signatures of older versions count until `resign_by`
    (publication day + grace days) and every agency holding one is told. Of two regulators
    publishing the same draft at once, the second is told who did; two drafts published at
    once take the next two numbers, as they would one after the other.
    """
    require(is_regulator, actor)
    lock(template)
    if template.is_published:
        raise CommitmentError(
            with_last_change(
                _("Version %(version)d is already published.", version=template.version),
                template,
            )
        )
    today = local_today()
    latest = _lock_latest_version()
    number = (latest.version if latest else 0) + 1
    try:
        with db.session.begin_nested():
            template.version = number
            template.published_at = utcnow()
            template.published_on = today
            template.published_by_id = actor.id
            if template.requires_resigning and latest:
                template.resign_by = today + timedelta(days=template.grace_days)
    except IntegrityError:
        # The very first version, from two drafts at once (there was no version to lock):
        # the unique number waited for the other's commit, which is there to name.
        message = _("Another version was published at the same moment; publish this draft again.")
        holder = _template_numbered(number)
        raise CommitmentError(with_last_change(message, holder) if holder else message) from None
    record(
        "commitment.template_published",
        actor=actor,
        obj=template,
        details={"version": template.version, "resign_by": _iso(template.resign_by)},
    )
    notices.version_published(template)
    return template


def _lock_latest_version() -> CommitmentTemplate | None:
    """The latest published version, held until the transaction ends, so publications take
    their numbers one at a time. A publisher who waited for the lock finds a newer version
    once it has it, and locks that one in turn."""
    held = None
    while True:
        newest = lock_rows(
            select(CommitmentTemplate)
            .where(CommitmentTemplate.version.is_not(None))
            .order_by(CommitmentTemplate.version.desc())
            .limit(1)
        ).scalar_one_or_none()
        if newest is None or newest is held:
            return newest
        held = newest


def _template_numbered(version: int) -> CommitmentTemplate | None:
    return db.session.execute(
        select(CommitmentTemplate).where(CommitmentTemplate.version == version)
    ).scalar_one_or_none()


def _clean(details: TemplateDetails) -> dict:
    values = asdict(details)
    for name in ("title_zh", "title_en", "body_zh", "body_en"):
        values[name] = values[name].strip()
        if not values[name]:
            raise CommitmentError(_("This field is required."), name)
    return values


# --- signing -------------------------------------------------------------------------------


def sign_commitment(actor, agency: Agency, details: SigningDetails) -> CommitmentSignature:
    """Sign the current version for the agency, if everything the signer saw still holds.

    Refused: another agency's user; an agency that is not active; a wrong password; no
    consent; a version that is no longer current; a text other than the one shown; a
    version the agency already holds a valid signature of (a double submit).
    """
    if not acts_for_agency(actor, agency):
        raise PermissionDenied("only the agency's own staff sign its commitment")
    # One signer at a time per agency: a double submit finds the first signature.
    lock(agency)
    _check_signer(actor, agency, details)
    template = _current_version_shown(details)
    previous = latest_signature(agency.id)
    today = local_today()
    if (
        previous is not None
        and previous.template_id == template.id
        and Versions().status(previous, today) == Standing.VALID
    ):
        raise CommitmentError(
            with_last_change(
                _(
                    "Your agency already signed version %(version)d; receipt %(receipt)s.",
                    version=template.version,
                    receipt=grouped(previous.receipt_code),
                ),
                previous,
            )
        )
    signature = _signed(actor, agency, template, details, today)
    db.session.add(signature)
    db.session.flush()
    record(
        "commitment.signed",
        actor=actor,
        obj=signature,
        details={
            "agency": agency.credit_code,
            "version": template.version,
            "receipt": signature.receipt_code,
            "text_sha256": signature.text_sha256,
        },
    )
    return signature


def _check_signer(actor, agency: Agency, details: SigningDetails) -> None:
    if agency.status != AgencyStatus.ACTIVE:
        raise CommitmentError(
            _(
                "Only an active agency can sign. Your agency's state: %(status)s.",
                status=AgencyStatus(agency.status).label,
            )
        )
    if is_listed(agency, local_today()):
        raise CommitmentError(
            _(
                "Your agency is on the blacklist until %(day)s; a listed agency cannot sign "
                "a commitment letter.",
                day=format_date(agency.listed_until, "medium"),
            )
        )
    if not details.consent:
        raise CommitmentError(_("Tick the box to confirm you sign this letter."), "consent")
    if not actor.check_password(details.password):
        raise CommitmentError(_("The password is not right."), "password")
    for field in ("signer_name", "signer_title"):
        if not getattr(details, field).strip():
            raise CommitmentError(_("This field is required."), field)


def _current_version_shown(details: SigningDetails) -> CommitmentTemplate:
    template = db.session.get(CommitmentTemplate, details.template_id)
    current = current_template()
    if current is None:
        raise CommitmentError(_("No commitment letter is published yet."))
    if template is None or template.id != current.id:
        raise CommitmentError(
            _(
                "Version %(version)d was published since you opened the letter. "
                "Read it and sign that one.",
                version=current.version,
            )
        )
    if details.language not in LANGUAGES:
        raise CommitmentError(_("Choose the language of the text you sign."))
    shown = letter_text(template.title(details.language), template.body(details.language))
    if text_sha256(shown) != details.text_sha256:
        raise CommitmentError(_("The text is not the one published. Open the letter again."))
    return template


def _signed(actor, agency, template, details: SigningDetails, today: date) -> CommitmentSignature:
    key, key_record = keys.current_signing_key()
    signed_at = utcnow().replace(microsecond=0)
    signature = CommitmentSignature(
        receipt_code=unused_receipt_code(),
        agency_id=agency.id,
        template_id=template.id,
        template_version=template.version,
        language=details.language,
        text_sha256=details.text_sha256,
        signer_id=actor.id,
        signer_name=details.signer_name.strip(),
        signer_title=details.signer_title.strip(),
        signed_at=signed_at,
        ip_address=details.ip_address,
        user_agent=(details.user_agent or "")[:300] or None,
        valid_until=add_months(today, template.validity_months) - timedelta(days=1),
        key_id=key_record.key_id,
    )
    signature.payload = canonical_payload(receipt_fields(signature, agency))
    signature.signature = keys.sign(key, signature.payload)
    return signature


def receipt_fields(signature: CommitmentSignature, agency: Agency) -> dict:
    """What a receipt states, as signed: who promised what, when, until when, under which key."""
    return {
        "agency_credit_code": agency.credit_code,
        "agency_name": agency.name,
        "template_version": signature.template_version,
        "language": signature.language,
        "text_sha256": signature.text_sha256,
        "signer_name": signature.signer_name,
        "signer_title": signature.signer_title,
        "signed_at": signature.signed_at.isoformat() + "Z",
        "valid_until": signature.valid_until.isoformat(),
        "receipt_code": signature.receipt_code,
        "key_id": signature.key_id,
    }


def unused_receipt_code() -> str:
    while True:
        code = new_receipt_code()
        taken = db.session.execute(
            select(CommitmentSignature.id).where(CommitmentSignature.receipt_code == code)
        ).first()
        if taken is None:
            return code


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 January + 1 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- revocation and notices ----------------------------------------------------------------


def revoke_signature(actor, signature: CommitmentSignature, reason: str) -> None:
    """A regulator withdraws a signature (say, signed by someone without authority)."""
    require(is_regulator, actor)
    lock(signature)
    if signature.revoked_at is not None:
        raise CommitmentError(with_last_change(_("This signature is already revoked."), signature))
    if not reason.strip():
        raise CommitmentError(_("Give the reason; the agency and the public read it."), "reason")
    signature.revoked_at = utcnow()
    signature.revoked_by_id = actor.id
    signature.revoke_reason = reason.strip()
    record(
        "commitment.revoked",
        actor=actor,
        obj=signature,
        details={"receipt": signature.receipt_code, "reason": signature.revoke_reason},
    )
    notices.signature_revoked(signature)


def rotate_signing_key(actor) -> str:
    """Sign new receipts with a new key; the old public key stays published."""
    record_ = keys.rotate()
    record("commitment.key_rotated", actor=actor, obj=record_, details={"key_id": record_.key_id})
    return record_.key_id


def send_lapse_notices(today: date) -> int:
    """Tell agencies whose signature stops counting within the notice period; once each."""
    return notices.lapsing_soon(today, current_app.config["COMMITMENT_LAPSE_NOTICE_DAYS"])


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
