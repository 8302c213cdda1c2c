"""API v1 for commitment receipts: look one up, and the public keys that verify them."""

from flask_babel import gettext as _

from registry.accounts.permissions import allow, anyone
from registry.api.protocol import ApiBlueprint, ApiError
from registry.api.records import as_utc
from registry.api.schemas import PublicKeys, Receipt
from registry.commitments import keys, queries
from registry.commitments.receipts import normalise_receipt_code
from registry.dates import local_today

bp = ApiBlueprint(
    "api_commitments",
    __name__,
    url_prefix="/api/v1/commitments",
    description="Commitment letter receipts, verifiable offline with the published keys.",
)


@bp.route("/public-key")
@allow(anyone)
@bp.response(200, PublicKeys)
@bp.conditional
def public_keys():
    """Every key that has signed receipts

    Ed25519 public keys, raw (base64) and PEM, with their ids and dates. A receipt names
    the id of its key; a retired key no longer signs, and its receipts stay verifiable.
    """
    return {
        "keys": [
            {
                "key_id": record.key_id,
                "algorithm": record.algorithm,
                "public_key": record.public_key,
                "public_key_pem": keys.public_key_pem(record),
                "first_used_at": as_utc(record.first_used_at),
                "retired_at": as_utc(record.retired_at),
            }
            for record in keys.published_keys()
        ]
    }


@bp.route("/<receipt_code>")
@allow(anyone)
@bp.response(200, Receipt)
@bp.conditional
@bp.alt_response(400, response="BAD_REQUEST")
@bp.alt_response(404, response="NOT_FOUND")
def show_receipt(receipt_code: str):
    """One receipt: genuine or not, and whether it still counts

    `payload` is the exact text that was signed and `signature` its Ed25519 signature
    (base64) by the key `key_id`: verify them offline with the key from /public-key.
    """
    code = normalise_receipt_code(receipt_code)
    if code is None:
        raise ApiError(400, _("A receipt code has 12 letters and digits, like 7KQ2-M9XD-3FHT."))
    signature = queries.signature_by_receipt(code)
    if signature is None:
        raise ApiError(404, _("No commitment receipt has this code."))
    return {
        "receipt_code": signature.receipt_code,
        "genuine": keys.verify(signature.payload, signature.signature, signature.key_id),
        "status": queries.receipt_status(signature, local_today()).value,
        "agency": {"credit_code": signature.agency.credit_code, "name": signature.agency.name},
        "template_version": signature.template_version,
        "signed_at": as_utc(signature.signed_at),
        "valid_until": signature.valid_until,
        "revoked_at": as_utc(signature.revoked_at),
        "revoke_reason": signature.revoke_reason,
        "key_id": signature.key_id,
        "payload": signature.payload,
        "signature": signature.signature,
    }
