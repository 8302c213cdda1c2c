"""Checking a receipt someone holds, and the QR code that leads to its verification page."""

import io
import json
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from markupsafe import Markup

from registry.commitments import keys, queries
from registry.commitments.models import CommitmentSignature
from registry.dates import local_today


@dataclass(frozen=True)
class CheckResult:
    """Whether a payload and signature are genuine, and what the register says of them."""

    genuine: bool
    problem: str | None = None
    fields: dict | None = None
    signature: CommitmentSignature | None = None
    status: queries.Standing | None = None


def check_receipt(payload: str, signature: str) -> CheckResult:
    """Genuine when a published key signed exactly this payload; a changed character fails."""
    try:
        fields = json.loads(payload)
    except ValueError:
        return CheckResult(False, _("The payload is not the JSON text of a receipt."))
    if not isinstance(fields, dict) or not isinstance(fields.get("key_id"), str):
        return CheckResult(False, _("The payload does not name the key that signed it."))
    if not keys.verify(payload, signature, fields["key_id"]):
        return CheckResult(
            False,
            _("The signature does not match this payload: it was changed, or not made here."),
            fields,
        )
    stored = queries.signature_by_receipt(str(fields.get("receipt_code", "")))
    if stored is None:
        return CheckResult(True, fields=fields)
    return CheckResult(
        True, fields=fields, signature=stored, status=queries.receipt_status(stored, local_today())
    )


def qr_svg(url: str) -> Markup:
    """The URL as an inline SVG QR code, drawn here (no image service)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=url, nl=False
    )
    return Markup(buffer.getvalue().decode("utf-8"))  # noqa: S704 - segno's own SVG, URL escaped
