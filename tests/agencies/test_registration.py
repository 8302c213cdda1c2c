"""Agencies and enterprises register themselves; nothing is public until verified."""

import io

from sqlalchemy import func, select

from registry.accounts.models import Account
from registry.agencies.models import Agency, Enterprise, LinkRequest, Qualification
from registry.audit.models import AuditEvent
from registry.db import db
from tests.agencies.conftest import CHECKSUM_FAILING_CODE, PASSWORD, PNG, VALID_CODE, agency_form
from tests.conftest import AuthActions, post_form


def count(model):
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_agency_registers_and_waits_for_verification(english):
    response = post_form(english, "/register/agency", agency_form())
    assert response.headers["Location"] == "/my/agency/"
    agency = db.session.execute(select(Agency)).scalar_one()
    assert (agency.status, agency.credit_code, agency.name_initials) == (
        "pending",
        VALID_CODE,
        "jyhcchyxgs",
    )
    assert agency.qualifications[0].number == "乙测资字32000001"
    account = db.session.execute(select(Account)).scalar_one()
    assert (account.role, account.agency_id) == ("agency", agency.id)
    page = english.get("/my/agency/").get_data(as_text=True)
    assert "waiting for a regulator" in page
    assert english.get(f"/agencies/{VALID_CODE}").status_code == 404, "not public yet"
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert actions == ["account.registered", "agency.registered"]


def test_credit_code_is_trimmed_and_upper_cased(english):
    post_form(english, "/register/agency", agency_form(credit_code=" 91350100m000100y43 "))
    assert db.session.execute(select(Agency.credit_code)).scalar_one() == VALID_CODE


def test_malformed_credit_codes_are_refused_with_the_rule(english):
    cases = {
        "9135010": "has 18 characters; this one has 7",
        "91350100M000100O43": "Character 16 (“O”) cannot appear",
        "9135010AM000100Y43": "first 8 characters",
        CHECKSUM_FAILING_CODE: "should be 3, not 4",
    }
    for code, message in cases.items():
        page = post_form(english, "/register/agency", agency_form(credit_code=code))
        assert page.status_code == 200
        assert message in page.get_data(as_text=True), code
    assert count(Agency) == 0
    assert count(Account) == 0, "nothing saved halfway"


def test_a_genuine_code_failing_the_check_waits_for_a_regulator_exception(english):
    post_form(
        english,
        "/register/agency",
        agency_form(credit_code=CHECKSUM_FAILING_CODE, code_is_genuine="y"),
    )
    agency = db.session.execute(select(Agency)).scalar_one()
    assert agency.status == "pending"
    assert "must accept it with a reason" in english.get("/my/agency/").get_data(as_text=True)


def test_certificate_scan_is_stored_and_served_only_to_its_agency_and_regulators(
    app, english, login_as, make_account
):
    data = agency_form(**{"qualifications-0-certificate": (io.BytesIO(PNG), "证书.png")})
    post_form(english, "/register/agency", data, content_type="multipart/form-data")
    qualification = db.session.execute(select(Qualification)).scalar_one()
    assert qualification.certificate.content_type == "image/png"
    url = f"/files/certificates/{qualification.id}"
    response = english.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == PNG
    other = app.test_client()
    assert other.get(url).status_code == 302, "anonymous: sign in first"
    AuthActions(other).login(make_account("agency").email)
    assert other.get(url).status_code == 404, "staff of no or another agency"
    regulator = app.test_client()
    AuthActions(regulator).login(make_account("regulator").email)
    assert regulator.get(url).status_code == 200


def test_a_disguised_upload_is_refused_and_nothing_saved(english):
    fake = (io.BytesIO(b"MZ\x90\x00 not an image"), "scan.png")
    page = post_form(
        english,
        "/register/agency",
        agency_form(**{"qualifications-0-certificate": fake}),
        content_type="multipart/form-data",
    )
    assert "Only PDF, JPEG and PNG" in page.get_data(as_text=True)
    assert count(Agency) == 0
    assert count(Account) == 0


def test_an_oversized_upload_is_refused(app, english):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    big = (io.BytesIO(PNG + b"\x00" * 2048), "scan.png")
    page = post_form(
        english,
        "/register/agency",
        agency_form(**{"qualifications-0-certificate": big}),
        content_type="multipart/form-data",
    )
    assert "larger than" in page.get_data(as_text=True)
    assert count(Agency) == 0


def test_a_second_account_for_a_registered_agency_asks_to_be_linked(app, english):
    post_form(english, "/register/agency", agency_form())
    second = app.test_client()
    second.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    post_form(
        second, "/register/agency", agency_form(email="li@agency.example", display_name="李四")
    )
    assert count(Agency) == 1
    newcomer = db.session.execute(
        select(Account).where(Account.email == "li@agency.example")
    ).scalar_one()
    assert newcomer.agency_id is None
    assert "must approve the request" in second.get("/my/agency/").get_data(as_text=True)
    assert second.get("/my/agency/fees").status_code == 404

    link = db.session.execute(select(LinkRequest)).scalar_one()
    response = post_form(english, f"/my/agency/links/{link.id}", {"decision": "approve"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Account, newcomer.id).agency_id is not None
    assert second.get("/my/agency/fees").status_code == 200


def test_staff_of_another_agency_cannot_decide_a_link(app, english, make_account, make_agency):
    post_form(english, "/register/agency", agency_form())
    post_form(app.test_client(), "/register/agency", agency_form(email="li@agency.example"))
    link = db.session.execute(select(LinkRequest)).scalar_one()
    stranger = make_account("agency")
    make_agency("active", users=[stranger])
    outsider = app.test_client()
    AuthActions(outsider).login(stranger.email)
    response = post_form(outsider, f"/my/agency/links/{link.id}", {"decision": "approve"})
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(LinkRequest, link.id).status == "pending"


def test_enterprise_registers_with_credit_code_and_name(english):
    response = post_form(
        english,
        "/register/enterprise",
        {
            "display_name": "赵会计",
            "email": "zhao@firm.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "credit_code": VALID_CODE,
            "enterprise_name": "江阴澄星机械有限公司",
        },
    )
    assert response.headers["Location"] == "/my/enterprise/"
    enterprise = db.session.execute(select(Enterprise)).scalar_one()
    assert enterprise.name == "江阴澄星机械有限公司"
    assert "江阴澄星机械有限公司" in english.get("/my/enterprise/").get_data(as_text=True)


def test_enterprise_code_failing_the_check_is_refused(english):
    page = post_form(
        english,
        "/register/enterprise",
        {
            "display_name": "赵会计",
            "email": "zhao@firm.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "credit_code": CHECKSUM_FAILING_CODE,
            "enterprise_name": "某公司",
        },
    )
    assert "check character" in page.get_data(as_text=True)
    assert count(Enterprise) == 0


def test_duplicate_email_is_refused_with_everything_kept(english, make_account):
    make_account("agency", email="wang@agency.example")
    page = post_form(english, "/register/agency", agency_form()).get_data(as_text=True)
    assert "already exists" in page
    assert "江阴华澄测绘有限公司" in page
    assert count(Agency) == 0


def test_signed_in_users_are_not_offered_registration(client, login_as):
    login_as("regulator")
    assert client.get("/register/agency").status_code == 403


def test_an_unlinked_user_asks_to_join_by_credit_code_and_sees_a_rejection_reason(
    app, english, make_account, make_agency
):
    account = make_account("agency")
    agency = make_agency("active", users=[])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(account.email)
    page = post_form(
        client, "/my/agency/link", {"credit_code": "91350100M000100Y43"}, follow_redirects=True
    )
    assert "No registered organisation has this credit code" in page.get_data(as_text=True)
    post_form(client, "/my/agency/link", {"credit_code": agency.credit_code.lower()})
    link = db.session.execute(select(LinkRequest)).scalar_one()
    assert (link.agency_id, link.status) == (agency.id, "pending")

    regulator = app.test_client()
    AuthActions(regulator).login(make_account("regulator").email)
    post_form(
        regulator,
        f"/regulator/agencies/links/{link.id}",
        {"decision": "reject", "reason": "未在本机构任职"},
    )
    page = client.get("/my/agency/").get_data(as_text=True)
    assert "was rejected" in page
    assert "未在本机构任职" in page
    assert "Send the request" in page, "they may ask again"


def test_removing_a_qualification_asks_first_and_is_audited(english):
    post_form(english, "/register/agency", agency_form())
    qualification = db.session.execute(select(Qualification)).scalar_one()
    url = f"/my/agency/qualifications/{qualification.id}/remove"
    page = english.get(url)
    assert "Remove 测绘资质证书?" in page.get_data(as_text=True)
    assert count(Qualification) == 1, "the confirmation page removes nothing"
    assert post_form(english, url).status_code == 302
    assert count(Qualification) == 0
    action = (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()))
        .scalars()
        .first()
    )
    assert action == "agency.qualification_removed"
