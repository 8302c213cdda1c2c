"""Regulators verify, reject, suspend, reinstate and deregister agencies, with reasons."""

import pytest
from sqlalchemy import select

from registry.agencies.models import Agency
from registry.audit.models import AuditEvent
from registry.db import db
from tests.agencies.conftest import CHECKSUM_FAILING_CODE, agency_form
from tests.conftest import AuthActions, post_form


def fresh(agency):
    db.session.rollback()
    return db.session.get(Agency, agency.id)


def last_event():
    return db.session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()


@pytest.fixture
def regulator(app, make_account):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    account = make_account("regulator")
    AuthActions(client).login(account.email)
    client.account = account
    return client


def test_queue_lists_pending_registrations_oldest_first(regulator, make_agency):
    first, second = (
        make_agency("pending", name="甲测绘有限公司"),
        make_agency("pending", name="乙测绘有限公司"),
    )
    make_agency("active", name="丙测绘有限公司")
    page = regulator.get("/regulator/agencies/queue").get_data(as_text=True)
    assert page.index(first.name) < page.index(second.name)
    assert "丙测绘有限公司" not in page


def test_verifying_makes_the_agency_public(regulator, client, make_agency):
    agency = make_agency("pending")
    assert regulator.get(f"/regulator/agencies/{agency.id}/verify").status_code == 200
    assert fresh(agency).status == "pending", "the confirmation page changes nothing"
    post_form(regulator, f"/regulator/agencies/{agency.id}/verify")
    agency = fresh(agency)
    assert agency.status == "active"
    assert agency.verified_by_id == regulator.account.id
    assert last_event().action == "agency.verified"
    assert client.get(f"/agencies/{agency.credit_code}").status_code == 200


def test_rejection_needs_a_reason_which_the_applicant_sees(app, english, regulator):
    post_form(english, "/register/agency", agency_form())
    agency = db.session.execute(select(Agency)).scalar_one()
    page = post_form(regulator, f"/regulator/agencies/{agency.id}/reject", {"reason": ""})
    assert "This field is required" in page.get_data(as_text=True)
    assert fresh(agency).status == "pending"
    post_form(
        regulator,
        f"/regulator/agencies/{agency.id}/reject",
        {"reason": "资质证书已过期，请补充有效证书。"},
    )
    assert fresh(agency).status == "rejected"
    page = english.get("/my/agency/").get_data(as_text=True)
    assert "资质证书已过期" in page

    resubmitted = agency_form(address="江阴市人民东路2号")
    post_form(english, "/my/agency/profile", resubmitted)
    agency = fresh(agency)
    assert (agency.status, agency.address, agency.status_reason) == (
        "pending",
        "江阴市人民东路2号",
        None,
    )


def test_suspension_reason_shows_on_the_public_profile(regulator, client, make_agency):
    agency = make_agency("active")
    post_form(
        regulator,
        f"/regulator/agencies/{agency.id}/suspend",
        {"reason": "未按承诺时限出具报告，责令整改。"},
    )
    assert fresh(agency).status == "suspended"
    page = client.get(
        f"/agencies/{agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Suspended" in page
    assert "未按承诺时限出具报告" in page
    post_form(regulator, f"/regulator/agencies/{agency.id}/reinstate", {"reason": "已整改。"})
    assert fresh(agency).status == "active"


def test_deregistration_is_confirmed_and_final(regulator, make_agency):
    agency = make_agency("active")
    page = regulator.get(f"/regulator/agencies/{agency.id}/deregister").get_data(as_text=True)
    assert "final" in page
    post_form(regulator, f"/regulator/agencies/{agency.id}/deregister", {"reason": "已注销。"})
    assert fresh(agency).status == "deregistered"
    page = post_form(regulator, f"/regulator/agencies/{agency.id}/reinstate", {"reason": "x"})
    assert "cannot be done now" in page.get_data(as_text=True)
    assert fresh(agency).status == "deregistered"


def test_a_code_failing_its_check_needs_an_accepted_reason_before_verification(
    english, regulator, client
):
    post_form(
        english,
        "/register/agency",
        agency_form(credit_code=CHECKSUM_FAILING_CODE, code_is_genuine="y"),
    )
    agency = db.session.execute(select(Agency)).scalar_one()
    page = post_form(regulator, f"/regulator/agencies/{agency.id}/verify")
    assert "Accept it with a recorded reason" in page.get_data(as_text=True)
    assert fresh(agency).status == "pending"

    post_form(
        regulator,
        f"/regulator/agencies/{agency.id}/credit-code-exception",
        {"reason": "经核对营业执照原件，该代码由登记机关赋码，校验位历史原因不符。"},
    )
    assert last_event().action == "agency.credit_code_exception"
    post_form(regulator, f"/regulator/agencies/{agency.id}/verify")
    assert fresh(agency).status == "active"
    page = client.get(f"/agencies/{CHECKSUM_FAILING_CODE}").get_data(as_text=True)
    assert "校验位历史原因不符" in page


def test_a_valid_code_needs_no_exception(regulator, make_agency):
    agency = make_agency("pending")
    post_form(
        regulator, f"/regulator/agencies/{agency.id}/credit-code-exception", {"reason": "no need"}
    )
    assert fresh(agency).credit_code_exception is None


@pytest.mark.parametrize("role", ["agency", "enterprise", "supervisor", "admin"])
def test_only_regulators_decide(client, login_as, make_agency, role):
    agency = make_agency("pending")
    login_as(role)
    assert client.get("/regulator/agencies/").status_code == 403
    assert post_form(client, f"/regulator/agencies/{agency.id}/verify").status_code == 403
    assert fresh(agency).status == "pending"


def test_agency_list_filters_by_status_and_finds_by_name_or_code(regulator, make_agency):
    pending = make_agency("pending", name="澄江环评咨询有限公司")
    make_agency("active", name="华士测绘有限公司")
    page = regulator.get("/regulator/agencies/?status=pending").get_data(as_text=True)
    assert pending.name in page
    assert "华士测绘有限公司" not in page
    page = regulator.get(f"/regulator/agencies/?q={pending.credit_code.lower()}").get_data(
        as_text=True
    )
    assert pending.name in page
    page = regulator.get("/regulator/agencies/?q=环评").get_data(as_text=True)
    assert pending.name in page
    assert "华士测绘有限公司" not in page


def test_deregistration_ends_the_agencys_fees_but_keeps_their_history(
    regulator, client, make_agency, make_service_item
):
    from registry.agencies.models import FeeSchedule
    from registry.dates import local_today

    agency = make_agency("active")
    item = make_service_item(name="房产测绘")
    db.session.add(
        FeeSchedule(
            agency_id=agency.id,
            service_item_id=item.id,
            fee_min_fen=100,
            fee_max_fen=200,
            unit="项",
            basis="x",
            promised_days=5,
            effective_from=local_today(),
        )
    )
    db.session.commit()
    post_form(regulator, f"/regulator/agencies/{agency.id}/deregister", {"reason": "已注销。"})
    db.session.rollback()
    schedule = db.session.execute(select(FeeSchedule)).scalar_one()
    assert schedule.effective_to == local_today()
    page = client.get(
        f"/agencies/{agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "This agency has no fee in force today." in page
    assert "房产测绘" in page, "the history stays"
