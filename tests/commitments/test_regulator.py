"""Regulators write, publish and watch the letter; agencies are told what to do and when."""

import pytest
from sqlalchemy import func, select

from registry.commitments import services
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.db import db
from registry.inbox.models import Notice
from tests.commitments.conftest import BODY_EN, BODY_ZH, sign
from tests.conftest import post_form

ENGLISH = {"Accept-Language": "en"}
DRAFT = {
    "title_zh": "中介机构服务承诺书",
    "title_en": "Commitment of an intermediary agency",
    "body_zh": BODY_ZH,
    "body_en": BODY_EN,
    "validity_months": "12",
    "grace_days": "30",
}


def notices(kind: str) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.kind == kind)))


def test_a_regulator_drafts_then_publishes_after_confirming(client, login_as, clock):
    login_as("regulator")
    response = post_form(client, "/regulator/commitments/templates/new", DRAFT)
    assert response.status_code == 302
    template = db.session.scalars(select(CommitmentTemplate)).one()
    assert template.version is None
    publish_url = f"/regulator/commitments/templates/{template.id}/publish"
    confirm = client.get(publish_url, headers=ENGLISH).get_data(as_text=True)
    assert "Publish this draft as version 1?" in confirm
    assert post_form(client, publish_url).status_code == 302
    db.session.expire_all()
    template = db.session.get(CommitmentTemplate, template.id)
    assert template.version == 1
    assert template.published_on == clock.today()


def test_a_published_version_cannot_be_changed(client, login_as, publish):
    template = publish()
    regulator = login_as("regulator")
    response = post_form(
        client, f"/regulator/commitments/templates/{template.id}/edit", {**DRAFT, "title_zh": "改"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CommitmentTemplate, template.id).title_zh == "中介机构服务承诺书"
    with pytest.raises(services.CommitmentError):
        services.change_draft(
            db.session.merge(regulator),
            db.session.get(CommitmentTemplate, template.id),
            services.TemplateDetails(
                **{
                    **{key: DRAFT[key] for key in ("title_zh", "title_en", "body_zh", "body_en")},
                    "validity_months": 12,
                    "requires_resigning": False,
                    "grace_days": 0,
                }
            ),
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_zh": ""}, "This field is required."),
        ({"validity_months": "0"}, "Number must be between 1 and 60."),
        ({"grace_days": "abc"}, "Not a valid integer value."),
    ],
)
def test_a_bad_draft_is_refused_and_what_was_typed_is_kept(client, login_as, changes, message):
    login_as("regulator")
    response = post_form(
        client, "/regulator/commitments/templates/new", {**DRAFT, **changes}, headers=ENGLISH
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body
    assert "We charge no more than the published fees." in body
    assert db.session.scalar(select(func.count()).select_from(CommitmentTemplate)) == 0


@pytest.mark.parametrize("role", ["agency", "enterprise", "supervisor", "admin"])
def test_only_regulators_publish(client, login_as, publish, role):
    template = publish()
    login_as(role)
    assert client.get("/regulator/commitments/templates").status_code == 403
    assert (
        post_form(client, f"/regulator/commitments/templates/{template.id}/publish").status_code
        == 403
    )


def test_publishing_tells_every_active_agency(client, clock, publish, make_account, make_agency):
    staff = make_account("agency")
    make_agency("active", users=[staff])
    make_agency("pending", users=[make_account("agency")])
    publish()
    [notice] = notices("commitment.published")
    assert notice.recipient_id == staff.id


def test_a_version_requiring_re_signing_tells_holders_by_when(client, clock, publish, signer):
    account, _ = signer
    publish()
    sign(client)
    publish(requires_resigning=True, grace_days=15)
    [notice] = notices("commitment.resign_required")
    assert notice.recipient_id == account.id
    inbox = client.get("/inbox/", headers=ENGLISH).get_data(as_text=True)
    assert "Sign commitment letter version 2 by" in inbox


def test_lapse_notices_go_once_within_the_notice_period(client, runner, clock, publish, signer):
    publish(validity_months=12)
    sign(client)
    clock.move(days=300)  # 65 days before the end
    assert "sent to 0 agencies" in runner.invoke(args=["commitments", "notify"]).output
    clock.move(days=40)  # 25 days before
    assert "sent to 1 agencies" in runner.invoke(args=["commitments", "notify"]).output
    assert "sent to 0 agencies" in runner.invoke(args=["commitments", "notify"]).output
    assert len(notices("commitment.lapsing")) == 1


def test_the_overview_filters_by_standing_and_exports_csv(
    client, login_as, clock, publish, make_account, make_agency
):
    publish(validity_months=12)
    signed_agency = make_agency("active", name="江阴已签测绘有限公司")
    make_agency("active", name="江阴未签测绘有限公司")
    _sign_for(signed_agency, make_account)
    login_as("regulator")
    valid = client.get("/regulator/commitments/?standing=valid").get_data(as_text=True)
    assert "江阴已签测绘有限公司" in valid
    assert "江阴未签测绘有限公司" not in valid
    never = client.get("/regulator/commitments/?standing=never_signed").get_data(as_text=True)
    assert "江阴未签测绘有限公司" in never
    assert "江阴已签测绘有限公司" not in never
    clock.move(days=340)
    lapsing = client.get("/regulator/commitments/?standing=lapsing").get_data(as_text=True)
    assert "江阴已签测绘有限公司" in lapsing
    clock.move(days=30)
    lapsed = client.get("/regulator/commitments/?standing=lapsed").get_data(as_text=True)
    assert "江阴已签测绘有限公司" in lapsed
    export = client.get("/regulator/commitments/export.csv?standing=lapsed", buffered=True)
    assert export.headers["Content-Disposition"].startswith("attachment; filename=commitments-")
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert "江阴已签测绘有限公司" in text
    assert "江阴未签测绘有限公司" not in text
    assert client.get("/regulator/commitments/?standing=bogus").status_code == 400
    bogus = client.get("/regulator/commitments/export.csv?standing=bogus", buffered=True)
    assert bogus.status_code == 400


def test_a_regulator_revokes_a_signature_with_a_reason_after_confirming(
    client, login_as, clock, publish, make_account, make_agency
):
    publish()
    agency = make_agency("active")
    signature_id = _sign_for(agency, make_account)
    login_as("regulator")
    url = f"/regulator/commitments/signatures/{signature_id}/revoke"
    assert client.get(url).status_code == 200
    refused = post_form(client, url, {"reason": ""}, headers=ENGLISH)
    assert "This field is required." in refused.get_data(as_text=True)
    assert post_form(client, url, {"reason": "签署人无授权"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CommitmentSignature, signature_id).revoke_reason == "签署人无授权"
    assert len(notices("commitment.revoked")) == 1


def test_the_public_profile_and_the_api_show_the_commitment(
    app, clock, publish, make_account, make_agency
):
    publish()
    agency = make_agency("active", name="江阴已签测绘有限公司")
    _sign_for(agency, make_account)
    stranger = app.test_client()
    profile = stranger.get(f"/agencies/{agency.credit_code}").get_data(as_text=True)
    assert 'data-testid="commitment-panel"' in profile
    assert 'data-status="valid"' in profile
    detail = stranger.get(f"/api/v1/agencies/{agency.credit_code}").get_json()["commitment"]
    assert detail["signed"] is True
    assert detail["valid_until"] == "2027-11-27"
    assert len(detail["receipt"]) == 12
    listed = stranger.get("/api/v1/agencies", query_string={"q": agency.credit_code}).get_json()
    assert listed["items"][0]["commitment"] == {"signed": True, "valid_until": "2027-11-27"}
    csv_text = stranger.get("/api/v1/agencies.csv", buffered=True).get_data(as_text=True)
    assert ",true,2027-11-27" in csv_text


def test_the_openapi_spec_describes_the_commitment_endpoints(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/commitments/{receipt_code}" in spec["paths"]
    assert "/api/v1/commitments/public-key" in spec["paths"]
    assert "Receipt" in spec["components"]["schemas"]


def _sign_for(agency, make_account) -> int:
    """A signature made through the service by a fresh user of the agency."""
    from registry.commitments.queries import current_template
    from registry.commitments.receipts import letter_text, text_sha256
    from tests.conftest import PASSWORD

    staff = make_account("agency")
    staff = db.session.merge(staff)
    staff.agency_id = agency.id
    template = current_template()
    signature = services.sign_commitment(
        staff,
        db.session.merge(agency),
        services.SigningDetails(
            template.id,
            "zh_CN",
            text_sha256(letter_text(template.title_zh, template.body_zh)),
            "王承诺",
            "总经理",
            True,
            PASSWORD,
        ),
    )
    db.session.commit()
    return signature.id
