"""Agencies sign the current version online; what they signed is provable; bad input is refused."""

import base64
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import force_locale
from sqlalchemy import func, select

from registry.accounts.permissions import PermissionDenied
from registry.audit.models import AuditEvent
from registry.commitments import queries, services
from registry.commitments.models import CommitmentSignature
from registry.commitments.receipts import letter_text, text_sha256
from registry.commitments.services import SigningDetails, add_months
from registry.db import db
from tests.commitments.conftest import BODY_EN, BODY_ZH, HIDDEN, shown_letter, sign
from tests.conftest import PASSWORD


def signatures() -> list[CommitmentSignature]:
    db.session.expire_all()
    return list(db.session.scalars(select(CommitmentSignature).order_by(CommitmentSignature.id)))


def test_an_agency_user_signs_the_current_version_and_gets_a_receipt(
    client, clock, publish, signer
):
    account, agency = signer
    template = publish()
    response = sign(client)
    assert response.status_code == 302
    [signature] = signatures()
    assert response.headers["Location"] == f"/commitments/{signature.receipt_code}"
    assert signature.agency_id == agency.id
    assert signature.signer_id == account.id
    assert signature.template_version == template.version == 1
    assert signature.text_sha256 == text_sha256(letter_text("中介机构服务承诺书", BODY_ZH))
    assert signature.valid_until == date(2027, 11, 27)
    assert signature.ip_address == "127.0.0.1"
    fields = json.loads(signature.payload)
    assert fields == {
        "agency_credit_code": agency.credit_code,
        "agency_name": agency.name,
        "template_version": 1,
        "language": "zh_CN",
        "text_sha256": signature.text_sha256,
        "signer_name": "王承诺",
        "signer_title": "总经理",
        "signed_at": "2026-11-28T02:00:00Z",
        "valid_until": "2027-11-27",
        "receipt_code": signature.receipt_code,
        "key_id": signature.key_id,
    }
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "commitment.signed")
    ).one()
    assert event.details["receipt"] == signature.receipt_code


def test_a_receipt_verifies_with_nothing_but_the_published_public_key(
    client, clock, publish, signer
):
    publish()
    sign(client)
    [signature] = signatures()
    receipt = client.get(f"/api/v1/commitments/{signature.receipt_code}").get_json()
    keys = client.get("/api/v1/commitments/public-key").get_json()["keys"]
    [key] = [key for key in keys if key["key_id"] == receipt["key_id"]]
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public_key.verify(base64.b64decode(receipt["signature"]), receipt["payload"].encode("utf-8"))
    assert receipt["genuine"] is True
    assert receipt["status"] == "valid"
    assert json.loads(receipt["payload"])["receipt_code"] == signature.receipt_code


def test_the_signer_reads_the_letter_in_english_and_signs_that_text(client, clock, publish, signer):
    publish()
    english = {"Accept-Language": "en"}
    page = client.get("/my/agency/commitment", headers=english).get_data(as_text=True)
    assert "We charge no more than the published fees." in page
    fields = dict(HIDDEN.findall(page))
    assert fields["language"] == "en"
    sign(client, **fields)
    [signature] = signatures()
    assert signature.language == "en"
    assert signature.text_sha256 == text_sha256(
        letter_text("Commitment of an intermediary agency", BODY_EN)
    )


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"password": "not the password 2026"}, "The password is not right."),
        ({"consent": ""}, "Tick the box to confirm you sign this letter."),
        ({"signer_name": ""}, "This field is required."),
        ({"text_sha256": "0" * 64}, "The text is not the one published."),
    ],
)
def test_bad_signing_input_is_refused_and_nothing_is_recorded(
    client, clock, publish, signer, changes, field_message
):
    publish()
    response = sign(client, **changes)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert signatures() == []
    signed_events = (
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "commitment.signed")
    )
    assert db.session.scalar(signed_events) == 0


def test_the_typed_name_is_kept_after_a_wrong_password(client, clock, publish, signer):
    publish()
    page = sign(client, password="not the password 2026", signer_name="王承诺人").get_data(
        as_text=True
    )
    assert 'value="王承诺人"' in page


def test_a_double_submit_records_one_signature(client, clock, publish, signer):
    publish()
    fields = shown_letter(client)
    assert sign(client, **fields).status_code == 302
    second = sign(client, **fields)
    assert second.status_code == 400
    assert "already signed version 1" in second.get_data(as_text=True)
    assert len(signatures()) == 1


def test_signing_an_outdated_version_is_refused(client, clock, publish, signer):
    publish()
    outdated = shown_letter(client)
    publish(title_zh="中介机构服务承诺书（第二版）")
    response = sign(client, **outdated)
    assert response.status_code == 400
    assert "Version 2 was published since you opened the letter" in response.get_data(as_text=True)
    assert signatures() == []


def test_nothing_to_sign_before_a_version_is_published(client, clock, signer):
    page = client.get("/my/agency/commitment", headers={"Accept-Language": "en"})
    assert "The regulator has not published a commitment letter yet." in page.get_data(as_text=True)


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_an_agency_that_is_not_active_cannot_sign(
    app, clock, publish, make_account, make_agency, status
):
    template = publish()
    account = make_account("agency")
    agency = make_agency(status, users=[account])
    text = letter_text(template.title_zh, template.body_zh)
    details = SigningDetails(
        template_id=template.id,
        language="zh_CN",
        text_sha256=text_sha256(text),
        signer_name="王",
        signer_title="经理",
        consent=True,
        password=PASSWORD,
    )
    with (
        force_locale("en"),
        pytest.raises(services.CommitmentError, match="Only an active agency can sign"),
    ):
        services.sign_commitment(db.session.merge(account), agency, details)


def test_a_user_of_another_agency_cannot_sign_for_it(
    app, clock, publish, make_account, make_agency
):
    template = publish()
    outsider = make_account("agency")
    make_agency("active", users=[outsider])
    victim = make_agency("active")
    details = SigningDetails(template.id, "zh_CN", "0" * 64, "王", "经理", True, PASSWORD)
    with pytest.raises(PermissionDenied):
        services.sign_commitment(db.session.merge(outsider), victim, details)


@pytest.mark.parametrize("role", ["enterprise", "regulator", "supervisor", "admin"])
def test_only_agency_users_open_the_signing_page(client, login_as, role):
    login_as(role)
    assert client.get("/my/agency/commitment").status_code == 403


def test_a_signature_lapses_after_its_valid_until_day(client, clock, publish, signer):
    _, agency = signer
    publish(validity_months=12)
    sign(client)
    clock.move(days=364)  # 2027-11-27, the last valid day
    assert queries.agency_commitment(agency.id, clock.today()).standing == "valid"
    clock.move(days=1)
    commitment = queries.agency_commitment(agency.id, clock.today())
    assert commitment.standing == "lapsed"
    assert not commitment.signed


def test_a_version_requiring_re_signing_supersedes_older_signatures_after_the_grace_period(
    client, clock, publish, signer
):
    _, agency = signer
    publish()
    sign(client)
    [first] = signatures()
    clock.move(days=30)
    publish(requires_resigning=True, grace_days=10)
    clock.move(days=10)
    commitment = queries.agency_commitment(agency.id, clock.today())
    assert commitment.standing == "valid"
    assert commitment.resign_by == clock.today()
    clock.move(days=1)
    assert queries.agency_commitment(agency.id, clock.today()).standing == "superseded"
    assert client.get(f"/api/v1/commitments/{first.receipt_code}").get_json()["status"] == (
        "superseded"
    )
    assert sign(client).status_code == 302
    second = signatures()[-1]
    assert second.template_version == 2
    assert queries.agency_commitment(agency.id, clock.today()).standing == "valid"


def test_a_new_version_without_re_signing_leaves_signatures_counting(
    client, clock, publish, signer
):
    _, agency = signer
    publish()
    sign(client)
    clock.move(days=100)
    publish(requires_resigning=False)
    clock.move(days=100)
    assert queries.agency_commitment(agency.id, clock.today()).standing == "valid"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 28), 12, date(2027, 11, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_are_added_as_calendar_months(day, months, expected):
    assert add_months(day, months) == expected
