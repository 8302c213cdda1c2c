"""The same submission sent twice at the same moment (a double click reaching two workers):
the second waits for the first and is shown what it created. On PostgreSQL the two really
overlap (the second's insert of the token waits on the unique index); on SQLite they queue."""

import html
import threading
import time

from ratings.complaints import services as complaint_services
from ratings.complaints.models import Complaint
from registry.accounts.models import Account
from registry.agencies.models import Agency
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from registry.submissions import services as submissions
from registry.submissions.models import FormSubmission
from tests.conftest import AuthActions, csrf_token
from tests.submissions.conftest import ENGLISH, count, hidden_fields

TEXT = "收费超过公示标准：公示最高1200元，实际收取2000元。"


def test_a_complaint_sent_from_two_workers_at_once_is_filed_once(
    app, monkeypatch, make_account, make_agency
):
    complainant = make_account("public")
    make_account("regulator")
    agency = make_agency()
    url = f"/complaints/new/{agency.credit_code}"
    first_click, second_click = app.test_client(), app.test_client()
    for client in (first_click, second_click):
        AuthActions(client).login(complainant.email)
    form = {
        **hidden_fields(first_click.get(url)),
        "category": "overcharging",
        "text": TEXT,
        "confirm": "y",
    }
    filing = threading.Event()
    file_complaint = complaint_services.file_complaint

    def slow_filing(*args, **kwargs):
        """The first request files, then holds its transaction open a moment."""
        complaint = file_complaint(*args, **kwargs)
        filing.set()
        time.sleep(0.5)
        return complaint

    monkeypatch.setattr(complaint_services, "file_complaint", slow_filing)
    second_form = {**form, "csrf_token": csrf_token(second_click)}
    responses = {}

    def send(name, client, data, wait=None):
        if wait is not None:
            assert wait.wait(timeout=30)
        responses[name] = client.post(url, data=data, headers=ENGLISH)

    threads = [
        threading.Thread(target=send, args=("first", first_click, form)),
        threading.Thread(target=send, args=("second", second_click, second_form, filing)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    [complaint] = db.session.execute(db.select(Complaint)).scalars().all()
    shown = f"/complaints/{complaint.id}"
    assert [responses[name].status_code for name in ("first", "second")] == [302, 302]
    assert [responses[name].headers["Location"] for name in ("first", "second")] == [shown] * 2
    page = html.unescape(second_click.get(shown, headers=ENGLISH).get_data(as_text=True))
    assert "This was already submitted: here it is." in page
    assert count(AuditEvent, AuditEvent.action == "complaint.filed") == 1
    assert count(FormSubmission) == 1
    assert count(Notice, Notice.kind == "complaints.new") == 1, "the regulator is told once"
    assert count(Notice, Notice.kind == "complaints.filed") == 1, "and the complainant"


def test_two_claims_of_one_token_at_once_create_one_complaint(race, make_account, make_agency):
    complainant = make_account("public")
    agency = make_agency()
    token = submissions.new_token()

    def send():
        account = db.session.get(Account, complainant.id)
        against = db.session.get(Agency, agency.id)
        yield
        submission = submissions.claim(account, token, "complaints.new")
        complaint = complaint_services.file_complaint(
            account,
            complaint_services.ComplaintDetails(agency=against, category="overcharging", text=TEXT),
        )
        submissions.record_result(submission, complaint, f"/complaints/{complaint.id}")
        return complaint.id

    outcomes = race(send, send)
    [filed] = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert [type(o) for o in outcomes if not isinstance(o, int)] == [submissions.AlreadySubmitted]
    [submission] = db.session.execute(db.select(FormSubmission)).scalars().all()
    assert (submission.object_id, submission.url) == (str(filed), f"/complaints/{filed}")
    assert count(Complaint) == 1
    assert count(AuditEvent, AuditEvent.action == "complaint.filed") == 1
