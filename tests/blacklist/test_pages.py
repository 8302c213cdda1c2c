"""The pages: who sees which case, the forms that drive each transition, and the messages a
refused act shows."""

import io
from datetime import date

from blacklist.models import BlacklistCase
from registry.db import db
from tests.blacklist.conftest import (
    ENGLISH,
    PDF,
    count,
    listed,
    notified,
    objected,
    page_text,
    proposed,
    reread,
    substantiated,
)
from tests.conftest import PASSWORD, post_form


def _sign_in(auth, account):
    assert auth.login(account.email).status_code == 302


def test_a_regulator_proposes_from_the_agency_page(client, auth, parties):
    complaint = substantiated(parties.agency)
    _sign_in(auth, parties.regulator)
    admin_page = page_text(client.get(f"/regulator/agencies/{parties.agency.id}", headers=ENGLISH))
    assert f"/regulator/agencies/{parties.agency.id}/blacklist/propose" in admin_page
    url = f"/regulator/agencies/{parties.agency.id}/blacklist/propose"
    form = page_text(client.get(url, headers=ENGLISH))
    assert complaint.reference in form
    response = post_form(
        client,
        url,
        {
            "ground": "falsified_report",
            "facts": "出具虚假测绘报告。",
            "legal_basis": "《江阴市中介机构信用管理办法》第十八条",
            "complaint_ids": str(complaint.id),
        },
        headers=ENGLISH,
    )
    assert response.status_code == 302
    case = db.session.execute(db.select(BlacklistCase)).scalar_one()
    assert [c.id for c in case.complaints] == [complaint.id]
    page = page_text(client.get(response.headers["Location"], headers=ENGLISH))
    assert "Notify the agency" in page


def test_a_proposal_without_facts_keeps_what_was_typed(client, auth, parties):
    _sign_in(auth, parties.regulator)
    response = post_form(
        client,
        f"/regulator/agencies/{parties.agency.id}/blacklist/propose",
        {"ground": "misconduct", "facts": "", "legal_basis": "第十八条（保留）"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "This field is required." in page
    assert "第十八条（保留）" in page
    assert count(BlacklistCase) == 0


def test_notifying_is_confirmed_first(client, auth, parties):
    case = proposed(parties)
    _sign_in(auth, parties.regulator)
    url = f"/regulator/blacklist/{case.id}/notify"
    assert "This cannot be undone." in page_text(client.get(url, headers=ENGLISH))
    assert reread(case).state == "proposed"
    response = post_form(client, url, headers=ENGLISH)
    assert response.status_code == 302
    assert reread(case).state == "notified"


def test_the_agency_objects_through_its_page_with_a_file(client, auth, parties):
    case = notified(parties)
    _sign_in(auth, parties.staff)
    page = page_text(client.get("/my/agency/blacklist", headers=ENGLISH))
    assert f"/my/agency/blacklist/{case.id}" in page
    url = f"/my/agency/blacklist/{case.id}/object"
    unconfirmed = post_form(client, url, {"statement": "我方不同意。"}, headers=ENGLISH)
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm you send the objection." in page_text(unconfirmed)
    response = post_form(
        client,
        url,
        {"statement": "我方不同意。", "final": "y", "files": (io.BytesIO(PDF), "说明.pdf")},
        headers=ENGLISH,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    case = reread(case)
    assert case.state == "objection_filed"
    [link] = case.files
    download = client.get(f"/blacklist/cases/{case.id}/files/{link.id}")
    assert download.status_code == 200
    assert download.data == PDF


def test_an_agency_sees_only_its_own_notified_cases(client, auth, parties):
    hidden = proposed(parties)
    shown = notified(parties, ground="misconduct")
    _sign_in(auth, parties.other_staff)
    assert client.get(f"/my/agency/blacklist/{shown.id}").status_code == 404
    assert client.get(f"/my/agency/blacklist/{shown.id}/object").status_code == 404
    auth.logout()
    _sign_in(auth, parties.staff)
    assert client.get(f"/my/agency/blacklist/{hidden.id}").status_code == 404
    assert client.get(f"/my/agency/blacklist/{shown.id}").status_code == 200
    assert f'/my/agency/blacklist/{hidden.id}"' not in page_text(client.get("/my/agency/blacklist"))


def test_objection_texts_and_files_stay_private(client, auth, parties, make_account):
    case = listed(parties)
    link = reread(case).files[0]
    file_url = f"/blacklist/cases/{case.id}/files/{link.id}"
    assert client.get(file_url).status_code == 302, "anonymous: sign in first"
    _sign_in(auth, parties.other_staff)
    assert client.get(file_url).status_code == 404
    auth.logout()
    _sign_in(auth, make_account("enterprise"))
    assert client.get(file_url).status_code == 404
    assert client.get(f"/regulator/blacklist/{case.id}").status_code == 403
    for public in ("/blacklist", f"/agencies/{parties.agency.credit_code}", "/api/v1/blacklist"):
        assert "报告数据系客户提供" not in page_text(client.get(public))


def test_the_proposer_is_sent_back_with_the_reason(client, auth, parties):
    case = objected(parties, by=parties.proposing_reviewer)
    _sign_in(auth, parties.proposing_reviewer)
    page = page_text(client.get(f"/regulator/blacklist/{case.id}", headers=ENGLISH))
    assert f"/regulator/blacklist/{case.id}/decide" not in page
    assert "A reviewer who did not propose this case decides it." in page
    response = client.get(f"/regulator/blacklist/{case.id}/decide", headers=ENGLISH)
    assert response.status_code == 302
    shown = page_text(client.get(response.headers["Location"], headers=ENGLISH))
    assert "another reviewer must decide it" in shown


def test_a_regulator_cannot_open_the_decision_form(client, auth, parties):
    case = objected(parties)
    _sign_in(auth, parties.regulator)
    assert client.get(f"/regulator/blacklist/{case.id}/decide").status_code == 403


def test_a_second_reviewer_lists_through_the_form_with_the_password(client, auth, parties, clock):
    clock.set(date(2026, 9, 29))
    case = objected(parties)
    _sign_in(auth, parties.reviewer)
    url = f"/regulator/blacklist/{case.id}/decide"
    fields = {
        "outcome": "listed",
        "decision_number": "澄审信黑〔2026〕7号",
        "deciding_authority": "江阴市行政审批局",
        "term_years": "3",
        "reasons": "事实清楚，证据确凿。",
    }
    wrong = post_form(client, url, {**fields, "password": "guess"}, headers=ENGLISH)
    assert wrong.status_code == 400
    assert "The password is not right." in page_text(wrong)
    assert "澄审信黑〔2026〕7号" in page_text(wrong), "what was typed is kept"
    assert reread(case).state == "objection_filed"
    response = post_form(client, url, {**fields, "password": PASSWORD}, headers=ENGLISH)
    assert response.status_code == 302
    case = reread(case)
    assert (case.state, case.listed_until) == ("listed", date(2029, 9, 28))
    assert "澄审信黑〔2026〕7号" in page_text(client.get("/blacklist"))


def test_revocation_through_the_form(client, auth, parties):
    case = listed(parties)
    _sign_in(auth, parties.reviewer)
    url = f"/regulator/blacklist/{case.id}/revoke"
    assert "Revoke the listing" in page_text(client.get(url, headers=ENGLISH))
    response = post_form(
        client, url, {"reason": "所依据投诉被撤销。", "password": PASSWORD}, headers=ENGLISH
    )
    assert response.status_code == 302
    assert reread(case).state == "revoked"
    assert "江阴华澄测绘" not in page_text(client.get("/blacklist"))


def test_the_agency_applies_and_a_reviewer_approves_repair_through_the_pages(
    client, auth, parties, clock
):
    clock.set(date(2026, 9, 29))
    case = listed(parties)
    clock.set(date(2027, 4, 1))
    _sign_in(auth, parties.staff)
    assert "Apply for credit repair" in page_text(
        client.get(f"/my/agency/blacklist/{case.id}", headers=ENGLISH)
    )
    response = post_form(
        client,
        f"/my/agency/blacklist/{case.id}/repair",
        {"statement": "已全面整改。", "files": (io.BytesIO(PDF), "整改报告.pdf")},
        headers=ENGLISH,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    application = reread(case).repairs[0]
    auth.logout()
    _sign_in(auth, parties.reviewer)
    cases = page_text(client.get("/regulator/blacklist", headers=ENGLISH))
    assert "Credit repair applications to decide" in cases
    response = post_form(
        client,
        f"/regulator/blacklist/repairs/{application.id}",
        {"outcome": "approve", "reasons": "整改到位。", "password": PASSWORD},
        headers=ENGLISH,
    )
    assert response.status_code == 302
    assert reread(case).state == "repaired"


def test_the_cases_list_filters_by_state_and_names_who_is_accountable(client, auth, parties):
    waiting = objected(parties, by=parties.proposing_reviewer)
    proposed(parties, ground="misconduct")
    _sign_in(auth, parties.regulator)
    page = page_text(client.get("/regulator/blacklist", headers=ENGLISH))
    assert page.count('data-testid="case-row"') == 2
    assert "Accountable: A reviewer other than 郑审核" in page
    assert "Accountable: 周监管" in page, "the proposer notifies"
    only = page_text(client.get("/regulator/blacklist?state=objection_filed", headers=ENGLISH))
    assert only.count('data-testid="case-row"') == 1
    assert f"/regulator/blacklist/{waiting.id}" in only
    assert client.get("/regulator/blacklist?state=nonsense").status_code == 400
