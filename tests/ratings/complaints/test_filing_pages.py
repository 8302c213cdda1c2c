"""Filing a complaint through the pages: finding the agency, evidence checked by content and
by name, refusals that keep what was typed and write nothing."""

import hashlib
import io
import random
from datetime import date
from decimal import Decimal

from ratings.complaints.models import Complaint, ComplaintFile
from ratings.engagements import services as engagement_services
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Agency, Enterprise, FeeSchedule
from registry.db import db
from registry.uploads.models import StoredFile
from tests.conftest import post_form
from tests.ratings.complaints.conftest import ENGLISH, JPEG, PDF, count, notices_to, page_text

TEXT = "公示最高收费1200元，实际收取2000元，未开具发票。"


def complaint_form(**changes) -> dict:
    return {"category": "overcharging", "text": TEXT, "confirm": "y", **changes}


def submit(client, agency, data, files=()):
    return post_form(
        client,
        f"/complaints/new/{agency.credit_code}",
        {**data, "files": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )


def test_an_enterprise_finds_the_agency_by_name_and_files_with_evidence(client, auth, parties):
    auth.login(parties.complainant.email)
    found = client.get("/complaints/new?q=华澄", headers=ENGLISH).get_data(as_text=True)
    assert "江阴华澄测绘有限公司" in found
    assert f"/complaints/new/{parties.agency.credit_code}" in found

    response = submit(
        client, parties.agency, complaint_form(), [(PDF, "发票.pdf"), (JPEG, "现场.jpg")]
    )
    assert response.status_code == 302
    complaint = db.session.execute(db.select(Complaint)).scalar_one()
    assert complaint.reference == f"TS-2026-{complaint.id:05d}"
    assert complaint.status == "submitted"
    assert [link.file.filename for link in complaint.files] == ["发票.pdf", "现场.jpg"]
    assert {link.party for link in complaint.files} == {"complainant"}
    assert complaint.files[0].file.sha256 == hashlib.sha256(PDF).hexdigest()
    assert notices_to(parties.complainant, "complaints.filed")
    assert notices_to(parties.regulator, "complaints.new")

    page = client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    assert complaint.reference in page
    assert "Submitted" in page
    assert TEXT in page


def test_a_credit_code_finds_the_agency_even_typed_in_lower_case(client, auth, parties):
    auth.login(parties.complainant.email)
    page = client.get(f"/complaints/new?q={parties.agency.credit_code.lower()}")
    assert f"/complaints/new/{parties.agency.credit_code}" in page.get_data(as_text=True)


def test_the_form_says_who_will_read_the_complaint(client, auth, parties):
    auth.login(parties.complainant.email)
    page = client.get(f"/complaints/new/{parties.agency.credit_code}", headers=ENGLISH)
    text = page.get_data(as_text=True)
    assert "Who will read your complaint" in text
    assert "It never sees your account or your email." in text


def test_a_complaint_against_an_unknown_agency_is_refused(client, auth, parties, make_agency):
    auth.login(parties.complainant.email)
    response = client.get("/complaints/new/91350100M000100Y43", headers=ENGLISH)
    assert response.status_code == 404
    assert "No agency with this credit code is listed" in response.get_data(as_text=True)
    pending = make_agency("pending")
    assert client.get(f"/complaints/new/{pending.credit_code}").status_code == 404
    response = submit(client, pending, complaint_form())
    assert response.status_code == 404
    assert count(Complaint) == 0


def test_a_pdf_named_png_is_refused_and_the_text_is_kept(client, auth, parties):
    auth.login(parties.complainant.email)
    response = submit(client, parties.agency, complaint_form(), [(PDF, "photo.png")])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "photo.png is not what its name says: its content is a PDF file" in page
    assert TEXT in page
    assert count(Complaint) == 0
    assert count(StoredFile) == 0


def test_a_file_that_is_no_pdf_jpeg_or_png_is_refused_by_its_content(client, auth, parties):
    auth.login(parties.complainant.email)
    response = submit(client, parties.agency, complaint_form(), [(b"MZ\x90\x00" * 10, "a.pdf")])
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in response.get_data(as_text=True)
    assert count(Complaint) == 0


def test_a_file_too_big_is_refused_and_nothing_is_half_written(app, client, auth, parties):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    auth.login(parties.complainant.email)
    big = PDF + b"0" * (1024 * 1024)
    response = submit(client, parties.agency, complaint_form(), [(PDF, "ok.pdf"), (big, "big.pdf")])
    assert response.status_code == 400
    assert "big.pdf: The file is larger than 1 MB." in response.get_data(as_text=True)
    assert count(Complaint) == 0
    assert count(StoredFile) == 0
    assert count(ComplaintFile) == 0


def test_more_files_than_allowed_are_refused(app, client, auth, parties):
    app.config["COMPLAINT_MAX_FILES"] = 2
    auth.login(parties.complainant.email)
    files = [(PDF, f"{n}.pdf") for n in range(3)]
    response = submit(client, parties.agency, complaint_form(), files)
    assert "Attach at most 2 files at a time." in response.get_data(as_text=True)
    assert count(Complaint) == 0


def test_the_complainant_must_confirm_and_choose_a_category(client, auth, parties):
    auth.login(parties.complainant.email)
    response = submit(client, parties.agency, complaint_form(confirm="", category=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Confirm before you submit." in page
    assert count(Complaint) == 0


def test_agency_staff_and_regulators_have_no_filing_page(client, auth, parties):
    for account in (parties.staff, parties.regulator):
        auth.login(account.email)
        assert client.get(f"/complaints/new/{parties.agency.credit_code}").status_code == 403
        assert client.get("/my/complaints").status_code == 403
        auth.logout()


def test_the_complaint_names_an_engagement_only_of_the_complainants_enterprise(
    client, auth, parties, make_account, make_service_item
):
    item = make_service_item(name="地形图测绘")
    agency = db.session.get(Agency, parties.agency.id)
    db.session.add(
        FeeSchedule(
            agency=agency,
            service_item=item,
            fee_min_fen=80000,
            fee_max_fen=120000,
            unit="项",
            basis="按定额计费",
            promised_days=10,
            effective_from=date(2026, 1, 1),
        )
    )
    other = make_account("enterprise")
    other.enterprise_id = _other_enterprise()
    db.session.commit()
    ours, theirs = (
        engagement_services.record_engagement(
            account,
            db.session.get(Enterprise, account.enterprise_id),
            engagement_services.EngagementDetails(
                agency_id=agency.id,
                service_item_id=item.id,
                agreed_fee=Decimal("2000"),
                start_date=date(2026, 9, 1),
                project="新厂房地形测绘",
            ),
        )
        for account in (db.session.merge(parties.complainant), db.session.merge(other))
    )
    db.session.commit()
    auth.login(parties.complainant.email)
    form = client.get(f"/complaints/new/{agency.credit_code}").get_data(as_text=True)
    assert f'value="{ours.id}"' in form
    assert f'value="{theirs.id}"' not in form
    response = submit(client, agency, complaint_form(engagement=str(theirs.id)))
    assert "Choose one of your enterprise's engagements" in page_text(response)
    assert count(Complaint) == 0
    assert submit(client, agency, complaint_form(engagement=str(ours.id))).status_code == 302
    assert db.session.execute(db.select(Complaint.engagement_id)).scalar_one() == ours.id


def _other_enterprise() -> int:
    enterprise = Enterprise(credit_code=generate_credit_code(random.Random(99)))
    enterprise.set_name("江阴另一家企业有限公司")
    db.session.add(enterprise)
    db.session.flush()
    return enterprise.id
