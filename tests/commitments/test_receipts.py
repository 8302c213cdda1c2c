"""Anyone checks a receipt: by code, by payload and signature, in the API; keys rotate safely."""

import json
from dataclasses import dataclass

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text

from registry.commitments import keys, services
from registry.commitments.models import CommitmentSignature, SigningKey
from registry.commitments.receipts import grouped, normalise_receipt_code
from registry.db import db
from tests.commitments.conftest import sign
from tests.conftest import post_form

ENGLISH = {"Accept-Language": "en"}


@dataclass(frozen=True)
class Signed:
    """What a test needs of a signature, read once (rows detach as requests end)."""

    id: int
    receipt_code: str
    payload: str
    signature: str
    key_id: str
    credit_code: str


@pytest.fixture
def signed(client, clock, publish, signer):
    publish()
    assert sign(client).status_code == 302
    db.session.expire_all()
    row = db.session.scalars(select(CommitmentSignature)).one()
    return Signed(
        row.id, row.receipt_code, row.payload, row.signature, row.key_id, row.agency.credit_code
    )


def test_the_public_receipt_page_says_genuine_and_valid(app, client, signed):
    stranger = app.test_client()
    page = stranger.get(f"/commitments/{signed.receipt_code}", headers=ENGLISH)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-genuine="yes"' in body
    assert 'data-status="valid"' in body
    assert grouped(signed.receipt_code) in body


def test_a_receipt_code_is_found_however_it_is_typed(app, signed):
    typed = grouped(signed.receipt_code).lower().replace("-", " - ")
    response = app.test_client().get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/commitments/{signed.receipt_code}"


@pytest.mark.parametrize("code", ["123", "!!!!-????-****", "X" * 40])
def test_a_malformed_receipt_code_is_explained(app, code):
    response = app.test_client().get("/verify", query_string={"code": code}, headers=ENGLISH)
    assert response.status_code == 400
    assert "A receipt code has 12 letters and digits" in response.get_data(as_text=True)


def test_an_unknown_receipt_code_is_not_found(app):
    assert app.test_client().get("/commitments/0000-0000-0000").status_code == 302
    assert app.test_client().get("/commitments/000000000000").status_code == 404


def test_the_api_answers_400_for_a_malformed_code_and_404_for_an_unknown_one(app):
    client = app.test_client()
    malformed = client.get("/api/v1/commitments/not-a-code")
    assert malformed.status_code == 400
    assert malformed.get_json()["error"]["code"] == "bad_request"
    unknown = client.get("/api/v1/commitments/000000000000")
    assert unknown.status_code == 404
    assert set(unknown.get_json()["error"]) == {"code", "message"}


def test_checking_the_genuine_payload_and_signature_says_genuine(client, signed):
    response = post_form(
        client,
        "/verify",
        {"payload": signed.payload, "signature": signed.signature},
        headers=ENGLISH,
    )
    body = response.get_data(as_text=True)
    assert 'data-genuine="yes"' in body
    assert 'data-status="valid"' in body


@pytest.mark.parametrize(
    "tamper",
    [
        lambda payload, signature: (payload.replace("2027-11-27", "2029-11-27"), signature),
        lambda payload, signature: (
            payload,
            signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:],
        ),
        lambda payload, signature: (payload, "not base64 at all"),
        lambda payload, signature: ("{not json", signature),
        lambda payload, signature: (json.dumps({"key_id": "ffffffffffffffff"}), signature),
    ],
    ids=["payload changed", "signature changed", "signature garbled", "not json", "unknown key"],
)
def test_a_tampered_payload_or_signature_is_reported_not_genuine(client, signed, tamper):
    payload, signature = tamper(signed.payload, signed.signature)
    response = post_form(
        client, "/verify", {"payload": payload, "signature": signature}, headers=ENGLISH
    )
    assert response.status_code == 200
    assert 'data-genuine="no"' in response.get_data(as_text=True)


def test_a_receipt_altered_in_the_database_shows_as_not_genuine(app, signed):
    forged = signed.payload.replace("王承诺", "李冒名")
    db.session.execute(
        text("UPDATE commitment_signature SET payload = :payload WHERE id = :id"),
        {"payload": forged, "id": signed.id},
    )
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/api/v1/commitments/{signed.receipt_code}").get_json()["genuine"] is False
    page = client.get(f"/commitments/{signed.receipt_code}").get_data(as_text=True)
    assert 'data-genuine="no"' in page


def test_the_printable_letter_carries_the_text_the_receipt_and_a_qr_code(app, signed):
    page = (
        app.test_client().get(f"/commitments/{signed.receipt_code}/letter").get_data(as_text=True)
    )
    assert "严格执行公示的收费标准" in page
    assert grouped(signed.receipt_code) in page
    assert "<svg" in page
    assert 'class="segno"' in page
    assert f"http://localhost/commitments/{signed.receipt_code}" in page


def test_a_rotated_key_signs_new_receipts_and_old_ones_stay_verifiable(
    app, client, runner, signed, clock
):
    old_key = signed.key_id
    result = runner.invoke(args=["commitments", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "New signing key" in result.output
    db.session.expire_all()
    published = {key.key_id: key for key in db.session.scalars(select(SigningKey))}
    assert published[old_key].retired_at is not None
    [new_key] = [key_id for key_id in published if key_id != old_key]
    assert published[new_key].retired_at is None
    listed = app.test_client().get("/api/v1/commitments/public-key").get_json()["keys"]
    assert {key["key_id"] for key in listed} == {old_key, new_key}
    assert all(key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----") for key in listed)
    assert keys.verify(signed.payload, signed.signature, old_key)
    clock.move(days=400)  # the first signature lapsed: sign again
    assert sign(client).status_code == 302
    latest = db.session.scalars(
        select(CommitmentSignature).order_by(CommitmentSignature.id.desc())
    ).first()
    assert latest.key_id == new_key
    assert keys.verify(latest.payload, latest.signature, new_key)


def test_a_configured_key_file_that_is_missing_is_an_error_not_a_new_key(app, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "absent.pem")
    with pytest.raises(keys.SigningKeyMissing):
        keys.private_key()
    assert not (tmp_path / "absent.pem").exists()


def test_the_instance_key_is_created_once_and_readable_by_its_owner_only(app):
    first = keys.key_id_of(keys.private_key().public_key())
    second = keys.key_id_of(keys.private_key().public_key())
    assert first == second
    assert keys.key_file().stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("7kq2-m9xd-3fht", "7KQ2M9XD3FHT"),
        (" 7KQ2 M9XD 3FHT ", "7KQ2M9XD3FHT"),
        ("OIL2-M9XD-3FHT", "0112M9XD3FHT"),
        ("7KQ2-M9XD-3FH", None),
        ("7KQ2-M9XD-3FHU", None),
    ],
)
def test_receipt_codes_forgive_case_spaces_and_lookalikes(typed, code):
    assert normalise_receipt_code(typed) == code


def test_a_revoked_signature_says_so_everywhere(app, client, signed, make_account):
    regulator = make_account("regulator")
    row = db.session.get(CommitmentSignature, signed.id)
    with pytest.raises(services.CommitmentError):
        services.revoke_signature(regulator, row, "  ")
    services.revoke_signature(regulator, row, "签署人无授权")
    db.session.commit()
    stranger = app.test_client()
    receipt = stranger.get(f"/api/v1/commitments/{signed.receipt_code}").get_json()
    assert receipt["status"] == "revoked"
    assert receipt["revoke_reason"] == "签署人无授权"
    assert receipt["genuine"] is True
    detail = stranger.get(f"/api/v1/agencies/{signed.credit_code}").get_json()
    assert detail["commitment"]["signed"] is False
    assert detail["commitment"]["status"] == "revoked"
    row = db.session.get(CommitmentSignature, signed.id)  # the requests closed the session
    with force_locale("en"), pytest.raises(services.CommitmentError, match="already revoked"):
        services.revoke_signature(regulator, row, "again")
