"""Each party sees its complaints, with status and timeline, and no more: the agency only
once accepted and never the complainant's account; another agency, nothing (404). Evidence
is served only to those who may read the complaint, always as a download."""

import io
from datetime import date

from ratings.complaints import services
from ratings.complaints.models import Complaint
from registry.db import db
from tests.conftest import post_form
from tests.ratings.complaints.conftest import (
    ENGLISH,
    PDF,
    accepted,
    file,
    investigating,
    page_text,
    upload,
)


def evidence_url(complaint) -> str:
    link = db.session.get(Complaint, complaint.id).files[0]
    return f"/complaints/{complaint.id}/files/{link.id}"


def test_the_complainant_follows_the_status_and_the_timeline(client, auth, parties):
    complaint = investigating(parties)
    auth.login(parties.complainant.email)
    mine = page_text(client.get("/my/complaints", headers=ENGLISH))
    assert complaint.reference in mine
    assert "Under investigation" in mine
    page = page_text(client.get(f"/complaints/{complaint.id}", headers=ENGLISH))
    for step in ("Complaint filed", "Accepted", "The agency responded", "我方按公示标准收费"):
        assert step in page
    assert "The regulator" in page
    assert parties.regulator.display_name not in page  # parties see roles, not officials
    assert "Rebut the response" in page


def test_the_agency_sees_a_complaint_only_once_accepted(client, auth, parties):
    complaint = file(parties, files=[upload()])
    auth.login(parties.staff.email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert client.get(evidence_url(complaint)).status_code == 404
    assert complaint.reference not in page_text(client.get("/my/agency/complaints"))
    services.accept_complaint(parties.regulator, db.session.get(Complaint, complaint.id))
    db.session.commit()
    assert complaint.reference in page_text(client.get("/my/agency/complaints"))
    page = page_text(client.get(f"/complaints/{complaint.id}", headers=ENGLISH))
    assert "The complainant" in page
    assert "Respond" in page


def test_the_agency_never_sees_the_complainants_account(client, auth, parties):
    complaint = investigating(parties)
    services.rebut_response(parties.complainant, complaint, "合同未约定加急费。")
    db.session.commit()
    auth.login(parties.staff.email)
    page = page_text(client.get(f"/complaints/{complaint.id}", headers=ENGLISH))
    assert "合同未约定加急费。" in page
    assert parties.complainant.email not in page
    assert parties.complainant.display_name not in page


def test_regulators_see_who_complains_and_who_handles_it(client, auth, parties):
    complaint = accepted(parties)
    auth.login(parties.other_regulator.email)
    page = page_text(client.get(f"/complaints/{complaint.id}", headers=ENGLISH))
    assert parties.complainant.email in page
    assert parties.regulator.display_name in page


def test_an_agency_user_reading_another_agencys_complaint_gets_404(
    client, auth, parties, make_account, make_agency
):
    complaint = accepted(parties, files=[upload()])
    other = make_account("agency")
    make_agency("active", users=[other])
    auth.login(other.email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert client.get(evidence_url(complaint)).status_code == 404
    assert client.get(f"/complaints/{complaint.id}/respond").status_code == 404
    assert complaint.reference not in page_text(client.get("/my/agency/complaints"))


def test_another_complainant_gets_404(client, auth, parties, make_account):
    complaint = file(parties, files=[upload()])
    stranger = make_account("public")
    auth.login(stranger.email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert client.get(evidence_url(complaint)).status_code == 404
    assert client.get(f"/complaints/{complaint.id}/withdraw").status_code == 404


def test_evidence_is_served_as_an_attachment_to_those_allowed(client, auth, parties):
    complaint = accepted(parties, files=[upload(PDF, "发票.pdf")])
    url = evidence_url(complaint)
    assert client.get(url).status_code == 302  # anonymous: sign in first
    for account in (parties.complainant, parties.staff, parties.regulator):
        auth.login(account.email)
        response = client.get(url)
        assert response.status_code == 200, account.role
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "inline" not in disposition
        assert "发票.pdf" in disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == PDF
        auth.logout()


def test_a_file_of_another_complaint_is_not_served_through_this_one(client, auth, parties):
    first = file(parties, files=[upload()])
    second = file(parties)
    auth.login(parties.complainant.email)
    link_id = evidence_url(first).rsplit("/", 1)[1]
    assert client.get(f"/complaints/{second.id}/files/{link_id}").status_code == 404


def test_the_agency_responds_through_its_page_with_a_file(client, auth, parties):
    complaint = accepted(parties)
    auth.login(parties.staff.email)
    page = page_text(client.get(f"/complaints/{complaint.id}/respond", headers=ENGLISH))
    assert "Respond by:" in page
    response = post_form(
        client,
        f"/complaints/{complaint.id}/respond",
        {"text": "加急费经企业书面同意。", "files": [(io.BytesIO(PDF), "同意书.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.status == "investigating"
    assert [(f.party, f.stage) for f in complaint.files] == [("agency", "response")]


def test_the_complainant_withdraws_after_confirming(client, auth, parties):
    complaint = file(parties)
    auth.login(parties.complainant.email)
    page = page_text(client.get(f"/complaints/{complaint.id}/withdraw", headers=ENGLISH))
    assert "cannot be reopened" in page
    assert db.session.get(Complaint, complaint.id).status == "submitted"
    post_form(client, f"/complaints/{complaint.id}/withdraw", {"reason": "已协商解决"})
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == "withdrawn"


def test_a_regulator_action_is_confirmed_on_its_own_page_before_it_happens(client, auth, parties):
    complaint = file(parties)
    auth.login(parties.regulator.email)
    url = f"/regulator/complaints/{complaint.id}/accept"
    page = page_text(client.get(url, headers=ENGLISH))
    assert "This cannot be undone." in page
    assert db.session.get(Complaint, complaint.id).status == "submitted"
    assert post_form(client, url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == "accepted"


def test_a_conclusion_needs_its_confirmation_box(client, auth, parties):
    complaint = investigating(parties)
    auth.login(parties.regulator.email)
    url = f"/regulator/complaints/{complaint.id}/conclude"
    data = {"outcome": "substantiated", "severity": "major", "reasons": "收费超标属实。"}
    response = post_form(client, url, data, headers=ENGLISH)
    assert response.status_code == 400
    assert "Confirm the conclusion." in page_text(response)
    assert post_form(client, url, {**data, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint.id)
    assert (complaint.status, complaint.severity) == ("substantiated", "major")
    assert complaint.breach is not None


def test_not_accepting_without_a_reason_is_refused_on_the_page(client, auth, parties):
    complaint = file(parties)
    auth.login(parties.regulator.email)
    response = post_form(
        client,
        f"/regulator/complaints/{complaint.id}/refuse",
        {"reason": ""},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert db.session.get(Complaint, complaint.id).status == "submitted"


def test_the_queue_filters_by_status_overdue_assignee_and_agency(
    client, auth, parties, clock, make_agency
):
    clock.set(date(2026, 9, 29))
    taken = accepted(parties)
    waiting = file(parties)
    clock.set(date(2026, 10, 14))  # acceptance was due on 12 October
    auth.login(parties.regulator.email)

    def listed(query: str) -> set[str]:
        page = page_text(client.get(f"/regulator/complaints?{query}", headers=ENGLISH))
        return {c.reference for c in (taken, waiting) if c.reference in page}

    assert listed("") == {taken.reference, waiting.reference}
    assert listed("overdue=y") == {waiting.reference}
    assert listed("assignee=none") == {waiting.reference}
    assert listed("assignee=me") == {taken.reference}
    assert listed("status=accepted") == {taken.reference}
    assert listed("agency=华澄") == {taken.reference, waiting.reference}
    assert listed(f"agency={make_agency('active').credit_code}") == set()
    page = page_text(client.get("/regulator/complaints?overdue=y", headers=ENGLISH))
    assert "overdue by 2 working days" in page
    assert "Accountable: the regulators (not yet assigned)" in page
    page = page_text(client.get("/regulator/complaints?status=accepted", headers=ENGLISH))
    assert "Accountable: the agency, 江阴华澄测绘有限公司" in page


def test_an_action_not_available_now_sends_the_regulator_back_to_the_complaint(
    client, auth, parties
):
    complaint = accepted(parties)
    auth.login(parties.regulator.email)
    response = client.get(
        f"/regulator/complaints/{complaint.id}/accept", headers=ENGLISH, follow_redirects=True
    )
    assert "This action is not available for this complaint now." in page_text(response)
    response = post_form(client, f"/regulator/complaints/{complaint.id}/accept", headers=ENGLISH)
    assert "This complaint has already been decided on." in page_text(response)
