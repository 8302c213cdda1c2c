"""A creating form's one-time token, shown on complaint filing: a replay shows the complaint
already filed; a missing, malformed or foreign token is refused with the form kept; the token
survives a validation error and a refusal, so the corrected form can be sent."""

import html

from ratings.complaints.models import Complaint, Conflict
from registry.agents.models import TownAgent
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from registry.submissions.models import FormSubmission
from registry.submissions.services import new_token
from tests.conftest import AuthActions, csrf_token
from tests.submissions.conftest import ENGLISH, count, hidden_fields

TEXT = "收费超过公示标准：公示最高1200元，实际收取2000元。"
NOT_VALID = "This form's one-time code is missing or not valid, so nothing was saved."
ANOTHER_ACCOUNT = "This form was opened by another account, so nothing was saved."


def complaint_form(client, agency) -> tuple[str, dict]:
    """The complaint page's address and what a complainant sends from it (its hidden fields)."""
    url = f"/complaints/new/{agency.credit_code}"
    hidden = hidden_fields(client.get(url))
    return url, {**hidden, "category": "overcharging", "text": TEXT, "confirm": "y"}


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_complaint_sent_twice_is_filed_once_and_the_second_sending_shows_it(
    client, login_as, make_account, make_agency
):
    make_account("regulator")  # told of each new complaint
    login_as("public")
    url, form = complaint_form(client, make_agency())
    first = client.post(url, data=form)
    events, notices = count(AuditEvent), count(Notice)
    second = client.post(url, data=form, headers=ENGLISH)
    assert (count(AuditEvent), count(Notice)) == (events, notices)
    [complaint] = db_rows(Complaint)
    assert first.headers["Location"] == second.headers["Location"] == f"/complaints/{complaint.id}"
    page = page_text(client.get(second.headers["Location"], headers=ENGLISH))
    assert "This was already submitted: here it is." in page
    assert complaint.reference in page
    assert count(AuditEvent, AuditEvent.action == "complaint.filed") == 1
    [submission] = db_rows(FormSubmission)
    assert (submission.object_type, submission.object_id, submission.endpoint) == (
        "complaint",
        str(complaint.id),
        "complaints.new",
    )


def test_a_complaint_without_its_token_is_refused_and_what_was_typed_stays(
    client, login_as, make_agency
):
    login_as("public")
    url, form = complaint_form(client, make_agency())
    del form["submission_token"]
    refused = client.post(url, data=form, headers=ENGLISH)
    assert refused.status_code == 400
    assert NOT_VALID in page_text(refused)
    assert TEXT in page_text(refused)
    assert count(Complaint) == 0
    fresh = hidden_fields(refused)["submission_token"]
    assert client.post(url, data={**form, "submission_token": fresh}).status_code == 302
    assert count(Complaint) == 1


def test_a_malformed_token_is_refused_and_replaced(client, login_as, make_agency):
    login_as("public")
    url, form = complaint_form(client, make_agency())
    refused = client.post(url, data={**form, "submission_token": "<script>"}, headers=ENGLISH)
    assert refused.status_code == 400
    assert NOT_VALID in page_text(refused)
    assert "<script>" not in refused.get_data(as_text=True)
    assert hidden_fields(refused)["submission_token"] != "<script>"
    assert count(Complaint) == 0


def test_the_token_of_another_account_is_refused(app, client, login_as, make_account, make_agency):
    first_account = login_as("public")
    url, form = complaint_form(client, make_agency())
    assert client.post(url, data=form).status_code == 302
    other = app.test_client()
    AuthActions(other).login(make_account("public").email)
    refused = other.post(url, data={**form, "csrf_token": csrf_token(other)}, headers=ENGLISH)
    assert refused.status_code == 400
    assert ANOTHER_ACCOUNT in page_text(refused)
    assert TEXT in page_text(refused), "what the other account typed is kept"
    assert hidden_fields(refused)["submission_token"] != form["submission_token"]
    assert [c.complainant_id for c in db_rows(Complaint)] == [first_account.id]


def test_the_form_shown_again_after_a_validation_error_keeps_its_token(
    client, login_as, make_agency
):
    login_as("public")
    url, form = complaint_form(client, make_agency())
    unconfirmed = client.post(url, data={**form, "confirm": ""})
    assert unconfirmed.status_code == 400
    assert hidden_fields(unconfirmed)["submission_token"] == form["submission_token"]
    first = client.post(url, data=form)
    again = client.post(url, data=form)
    assert first.status_code == again.status_code == 302
    assert count(Complaint) == 1


def test_a_refused_declaration_leaves_its_token_free_for_the_corrected_form(
    client, login_as, make_agency
):
    login_as("regulator")
    agency = make_agency()
    hidden = hidden_fields(client.get("/regulator/conflicts"))
    unknown = client.post(
        "/regulator/conflicts", data={**hidden, "agency": "91350100M000100Y43", "reason": "亲属"}
    )
    assert unknown.status_code == 400
    assert count(Conflict) == 0
    assert hidden_fields(unknown)["submission_token"] == hidden["submission_token"]
    corrected = client.post(
        "/regulator/conflicts", data={**hidden, "agency": agency.credit_code, "reason": "亲属"}
    )
    assert corrected.status_code == 302
    assert count(Conflict) == 1


def test_a_token_sent_to_another_form_is_refused(client, login_as, make_agency):
    login_as("regulator")
    agency = make_agency()
    hidden = hidden_fields(client.get("/regulator/conflicts"))
    client.post(
        "/regulator/conflicts", data={**hidden, "agency": agency.credit_code, "reason": "亲属"}
    )
    elsewhere = client.post(
        "/regulator/agents/new",
        data={
            **hidden,
            "name": "李明",
            "town": "华士镇",
            "village": "华西村",
            "phone": "0510-86001234",
        },
        headers=ENGLISH,
    )
    assert NOT_VALID in page_text(elsewhere)
    assert count(TownAgent) == 0


def test_the_token_is_new_each_time_the_form_is_opened(client, login_as, make_agency):
    login_as("public")
    agency = make_agency()
    first, second = (complaint_form(client, agency)[1]["submission_token"] for _ in range(2))
    assert first != second
    assert new_token() != new_token()


def db_rows(model) -> list:
    return list(db.session.execute(db.select(model).order_by(model.id)).scalars())
