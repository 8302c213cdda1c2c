"""Regulators record inspections, the agency is told and reads them; an inspection entered in
error is withdrawn with a reason, kept, and no longer counts."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from ratings.assessments import services
from ratings.assessments.models import Inspection
from ratings.assessments.queries import latest_inspection_by_agency
from ratings.assessments.services import AssessmentError, InspectionDetails
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from registry.uploads.models import StoredFile
from tests.conftest import post_form
from tests.ratings.assessments.conftest import (
    ENGLISH,
    PDF,
    actions,
    all_inspections,
    count,
    inspection,
    inspection_form,
    last_event,
    notices_of,
    record_page,
    recorded,
)


def test_regulator_records_an_inspection_and_the_agency_is_told(
    client, auth, clock, regulator, make_account, make_agency
):
    staff = make_account("agency")
    agency = make_agency("active", name="江阴澄信测绘有限公司", users=[staff])
    auth.login(regulator.email)
    response = record_page(
        client, agency, inspection_form(date(2026, 11, 20), 86, report=("报告.pdf", PDF))
    )
    assert response.status_code == 302
    [saved] = all_inspections()
    assert (saved.inspected_on, saved.score, saved.entered_by_id) == (
        date(2026, 11, 20),
        86,
        regulator.id,
    )
    assert saved.report.filename == "报告.pdf"
    event = last_event("inspection.recorded")
    assert event.actor_id == regulator.id
    assert event.details["score"] == 86
    assert event.details["inspected_on"] == "2026-11-20"
    assert event.details["report_sha256"] == saved.report.sha256
    [notice] = notices_of(staff)
    assert notice.kind == "inspection.recorded"
    assert notice.link == {"endpoint": "assessments.my_inspections", "args": {}}


def test_the_inspection_day_cannot_be_in_the_future(client, auth, clock, regulator, agency):
    auth.login(regulator.email)
    tomorrow = clock.today() + timedelta(days=1)
    response = record_page(client, agency, inspection_form(tomorrow, 80, findings="明日检查"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "it cannot be in the future" in page
    assert "明日检查" in page, "what was typed stays"
    assert count(Inspection) == 0
    assert record_page(client, agency, inspection_form(clock.today(), 80)).status_code == 302


def test_a_typo_year_is_refused(app, clock, regulator, agency):
    with force_locale("en"), pytest.raises(AssessmentError, match="or later") as refused:
        services.record_inspection(
            regulator, agency, InspectionDetails(date(26, 11, 20), 80, "检查")
        )
    assert refused.value.field == "inspected_on"


@pytest.mark.parametrize("score", ["-1", "101", "", "eighty"])
def test_a_score_outside_zero_to_hundred_is_refused(client, auth, clock, regulator, agency, score):
    auth.login(regulator.email)
    response = record_page(client, agency, inspection_form(clock.today(), score))
    assert response.status_code == 400
    assert count(Inspection) == 0


@pytest.mark.parametrize("score", [-1, 101, None, 50.5])
def test_the_service_refuses_scores_outside_zero_to_hundred(app, clock, regulator, agency, score):
    with force_locale("en"), pytest.raises(AssessmentError, match="from 0 to 100"):
        services.record_inspection(regulator, agency, InspectionDetails(clock.today(), score, "x"))


@pytest.mark.parametrize("score", [0, 100])
def test_zero_and_hundred_are_scores(app, clock, regulator, agency, score):
    assert recorded(regulator, agency, clock.today(), score).score == score


def test_findings_are_required(app, clock, regulator, agency):
    with force_locale("en"), pytest.raises(AssessmentError, match="findings") as refused:
        services.record_inspection(regulator, agency, InspectionDetails(clock.today(), 70, "  "))
    assert refused.value.field == "findings"


@pytest.mark.parametrize("role", ["supervisor", "agency", "enterprise", "admin"])
def test_only_regulators_record_inspections(client, login_as, clock, agency, role):
    account = login_as(role)
    assert client.get(f"/regulator/agencies/{agency.id}/inspections/new").status_code == 403
    assert record_page(client, agency, inspection_form(clock.today(), 80)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_inspection(account, agency, InspectionDetails(clock.today(), 80, "x"))
    assert count(Inspection) == 0


def test_a_reviewer_records_inspections_too(app, clock, make_account, agency):
    assert recorded(make_account("reviewer"), agency, clock.today(), 75).score == 75


def test_a_pending_agency_is_not_inspected(client, auth, clock, regulator, make_agency):
    pending = make_agency("pending")
    auth.login(regulator.email)
    form = client.get(f"/regulator/agencies/{pending.id}/inspections/new", headers=ENGLISH)
    assert "Only active and suspended agencies are inspected" in form.get_data(as_text=True)
    response = record_page(client, pending, inspection_form(clock.today(), 80))
    assert response.status_code == 400
    assert "Only active and suspended agencies are inspected" in response.get_data(as_text=True)
    assert count(Inspection) == 0


def test_a_report_that_is_not_a_pdf_jpeg_or_png_is_refused_and_nothing_is_kept(
    client, auth, clock, regulator, agency
):
    auth.login(regulator.email)
    data = inspection_form(clock.today(), 80, report=("report.pdf", b"MZ\x90\x00 not a pdf"))
    response = record_page(client, agency, data)
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in response.get_data(as_text=True)
    assert count(Inspection) == 0
    assert count(StoredFile) == 0
    assert actions("inspection.") == []


def test_withdrawal_keeps_the_record_and_stops_it_counting(
    client, auth, clock, regulator, make_account, make_agency
):
    staff = make_account("agency")
    agency = make_agency("active", users=[staff])
    earlier = recorded(regulator, agency, date(2026, 5, 10), 72)
    wrong = recorded(regulator, agency, date(2026, 11, 2), 15, findings="录入错误")
    assert latest_inspection_by_agency([agency.id], clock.today(), 24)[agency.id].score == 15

    auth.login(regulator.email)
    confirm = client.get(f"/regulator/inspections/{wrong.id}/withdraw", headers=ENGLISH)
    assert "Withdraw the inspection of" in confirm.get_data(as_text=True)
    response = post_form(
        client,
        f"/regulator/inspections/{wrong.id}/withdraw",
        {"reason": "分数录入错误，应为85分"},
        headers=ENGLISH,
    )
    assert response.status_code == 302

    kept = inspection(wrong.id)
    assert kept is not None, "a withdrawn inspection is kept"
    assert (kept.score, kept.findings) == (15, "录入错误")
    assert kept.withdraw_reason == "分数录入错误，应为85分"
    assert kept.withdrawn_by_id == regulator.id
    assert not kept.counts
    assert latest_inspection_by_agency([agency.id], clock.today(), 24)[agency.id].inspection_id == (
        earlier.id
    )
    assert last_event("inspection.withdrawn").details["reason"] == "分数录入错误，应为85分"
    assert [n.kind for n in notices_of(staff)] == [
        "inspection.recorded",
        "inspection.recorded",
        "inspection.withdrawn",
    ]
    shown = client.get(f"/regulator/inspections/{wrong.id}", headers=ENGLISH)
    assert 'data-state="withdrawn"' in shown.get_data(as_text=True)


def test_a_withdrawal_needs_a_reason(client, auth, clock, regulator, agency):
    wrong = recorded(regulator, agency, clock.today(), 15)
    auth.login(regulator.email)
    response = post_form(
        client, f"/regulator/inspections/{wrong.id}/withdraw", {"reason": "  "}, headers=ENGLISH
    )
    assert response.status_code == 400
    assert inspection(wrong.id).withdrawn_at is None
    with force_locale("en"), pytest.raises(AssessmentError, match="reason"):
        services.withdraw_inspection(regulator, inspection(wrong.id), "")


def test_an_inspection_is_withdrawn_once(app, clock, regulator, agency):
    wrong = recorded(regulator, agency, clock.today(), 15)
    services.withdraw_inspection(regulator, wrong, "录入错误")
    db.session.commit()
    with force_locale("en"), pytest.raises(AssessmentError, match="already withdrawn"):
        services.withdraw_inspection(regulator, inspection(wrong.id), "再次")
    db.session.rollback()
    assert actions("inspection.withdrawn") == ["inspection.withdrawn"]


@pytest.mark.parametrize("role", ["supervisor", "agency", "enterprise"])
def test_only_regulators_withdraw(client, login_as, clock, regulator, agency, role):
    wrong = recorded(regulator, agency, clock.today(), 15)
    account = login_as(role)
    response = post_form(client, f"/regulator/inspections/{wrong.id}/withdraw", {"reason": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.withdraw_inspection(account, inspection(wrong.id), "x")
    assert inspection(wrong.id).withdrawn_at is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("regulator", 200),
        ("reviewer", 200),
        ("own staff", 200),
        ("other agency's staff", 404),
        ("enterprise", 404),
        ("supervisor", 404),
        ("admin", 404),
    ],
)
def test_the_report_is_served_only_to_regulators_and_the_agencys_staff(
    client, auth, clock, regulator, make_account, make_agency, who, status
):
    staff, stranger = make_account("agency"), make_account("agency")
    agency = make_agency("active", users=[staff])
    make_agency("active", users=[stranger])
    auth.login(regulator.email)
    record_page(client, agency, inspection_form(clock.today(), 90, report=("检查报告.pdf", PDF)))
    auth.logout()
    [saved] = all_inspections()
    reader = {"own staff": staff, "other agency's staff": stranger}.get(who) or make_account(who)
    auth.login(reader.email)
    response = client.get(f"/files/inspections/{saved.id}/report")
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_anonymous_visitors_are_sent_to_sign_in_for_a_report(client, clock, regulator, agency):
    saved = recorded(regulator, agency, clock.today(), 90)
    response = client.get(f"/files/inspections/{saved.id}/report")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_agency_staff_read_their_own_inspections_only(
    client, auth, clock, regulator, make_account, make_agency
):
    staff = make_account("agency")
    agency = make_agency("active", users=[staff])
    other = make_agency("active")
    recorded(regulator, agency, date(2026, 9, 1), 88, findings="收费公示规范")
    recorded(regulator, other, date(2026, 9, 2), 41, findings="别家机构的检查结论")
    withdrawn = recorded(regulator, agency, date(2026, 10, 1), 12, findings="误录")
    services.withdraw_inspection(regulator, withdrawn, "录错机构")
    db.session.commit()
    auth.login(staff.email)
    page = client.get("/my/agency/inspections", headers=ENGLISH).get_data(as_text=True)
    assert "收费公示规范" in page
    assert "录错机构" in page, "a withdrawal is shown with its reason"
    assert 'data-state="withdrawn"' in page
    assert "别家机构的检查结论" not in page


def test_an_unlinked_agency_account_is_sent_to_link_its_agency(client, login_as):
    login_as("agency")
    response = client.get("/my/agency/inspections")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/agency/")


def test_regulators_filter_the_list_of_inspections(
    app, client, auth, clock, regulator, make_agency
):
    first = make_agency("active", name="江阴筛选测绘有限公司")
    second = make_agency("active", name="江阴另一环评有限公司")
    recorded(regulator, first, date(2026, 3, 1), 81)
    wrong = recorded(regulator, second, date(2026, 9, 1), 33)
    services.withdraw_inspection(regulator, wrong, "录入错误")
    db.session.commit()
    auth.login(regulator.email)

    def listed(query: str) -> set[str]:
        response = client.get(f"/regulator/inspections{query}", headers=ENGLISH)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return {agency.name for agency in (first, second) if agency.name in page}

    assert listed("") == {first.name, second.name}
    assert listed("?q=筛选") == {first.name}
    assert listed(f"?q={second.credit_code}") == {second.name}
    assert listed("?state=withdrawn") == {second.name}
    assert listed("?state=counted") == {first.name}
    assert listed("?since=2026-06-01") == {second.name}
    assert listed("?until=2026-06-01") == {first.name}
    assert client.get("/regulator/inspections?since=not-a-day").status_code == 400


def test_the_agency_page_of_a_regulator_links_to_its_inspections(
    client, auth, clock, regulator, agency
):
    auth.login(regulator.email)
    page = client.get(f"/regulator/agencies/{agency.id}", headers=ENGLISH).get_data(as_text=True)
    assert f"/regulator/agencies/{agency.id}/inspections" in page
    listing = client.get(f"/regulator/agencies/{agency.id}/inspections", headers=ENGLISH)
    assert "Record an inspection" in listing.get_data(as_text=True)
