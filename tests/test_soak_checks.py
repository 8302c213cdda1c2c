"""The soak's checker (bench/soak/checks.py) on a handcrafted ledger and database, and its
client's reading of answers, without servers: each must find what it claims to find, and
nothing on a clean run."""

from datetime import date

import httpx
import pytest
from sqlalchemy import delete, select

from bench.soak.checks import compare
from bench.soak.clients import Client, Meter
from bench.soak.ledger import Entry, Ledger, Outcome
from bench.soak.pages import parse
from ratings.complaints import services as complaints
from ratings.complaints.models import Complaint
from registry.agencies.models import FeeSchedule
from registry.audit.models import AuditChainHead
from registry.audit.services import record
from registry.db import db
from registry.inbox.models import Notice

ACKNOWLEDGED, REFUSED, UNKNOWN = Outcome.ACKNOWLEDGED, Outcome.REFUSED, Outcome.UNKNOWN


@pytest.fixture
def soak(app, make_account, make_agency):
    """A complainant, a regulator, an agency, and the audit seq before the soak began."""

    class Soak:
        complainant = make_account("public", email="soak-public-1@soak.example")
        regulator = make_account("regulator", email="soak-regulator-1@soak.example")
        agency = make_agency("active")
        since = db.session.execute(select(AuditChainHead.seq)).scalar_one()

        def file(self, marker: str) -> Complaint:
            complaint = complaints.file_complaint(
                self.complainant,
                complaints.ComplaintDetails(
                    agency=self.agency, category="overcharging", text=f"收费过高。[{marker}]"
                ),
            )
            db.session.commit()
            return complaint

        def filed(self, marker: str, outcome=ACKNOWLEDGED, object_id=None) -> Entry:
            return Entry(
                self.complainant.email,
                "complaint.filed",
                outcome,
                marker=marker,
                object_id=object_id,
            )

        def accepted(self, complaint_id: int, outcome=ACKNOWLEDGED) -> Entry:
            return Entry(
                self.regulator.email, "complaint.accepted", outcome, object_id=complaint_id
            )

    return Soak()


def test_a_ledger_that_matches_the_database_has_no_findings(soak):
    first, second = soak.file("SOAK-abc123-1-1"), soak.file("SOAK-abc123-1-2")
    complaints.accept_complaint(soak.regulator, first)
    db.session.commit()
    ledger = Ledger(
        [
            soak.filed("SOAK-abc123-1-1", object_id=first.id),
            soak.filed("SOAK-abc123-1-2", object_id=second.id),
            soak.accepted(first.id),
            soak.accepted(second.id, REFUSED),
        ]
    )

    findings = compare(ledger, soak.since)

    assert (findings.lost, findings.phantom, findings.duplicates) == ([], [], [])
    assert (findings.half_saved, findings.double_decisions) == ([], [])


def test_an_acknowledged_write_missing_from_the_database_is_lost(soak):
    complaint = soak.file("SOAK-abc123-1-1")
    ledger = Ledger(
        [
            soak.filed("SOAK-abc123-1-1"),
            soak.filed("SOAK-abc123-1-2"),  # acknowledged, but no such complaint
            soak.accepted(complaint.id),  # acknowledged, but never recorded
        ]
    )

    findings = compare(ledger, soak.since)

    assert len(findings.lost) == 2
    assert "SOAK-abc123-1-2" in findings.lost[0] or "SOAK-abc123-1-2" in findings.lost[1]


def test_a_row_the_client_was_refused_is_a_phantom_unless_its_answer_never_came(soak):
    soak.file("SOAK-abc123-1-1")
    soak.file("SOAK-abc123-1-2")
    soak.file("SOAK-abc123-1-3")  # never attempted by any client
    ledger = Ledger(
        [soak.filed("SOAK-abc123-1-1", REFUSED), soak.filed("SOAK-abc123-1-2", UNKNOWN)]
    )

    findings = compare(ledger, soak.since)

    assert len(findings.phantom) == 2
    assert not any("SOAK-abc123-1-2" in line for line in findings.phantom)


def test_a_decision_recorded_but_refused_to_the_client_is_a_phantom(soak):
    complaint = soak.file("SOAK-abc123-1-1")
    complaints.accept_complaint(soak.regulator, complaint)
    db.session.commit()
    ledger = Ledger([soak.filed("SOAK-abc123-1-1"), soak.accepted(complaint.id, REFUSED)])

    assert len(compare(ledger, soak.since).phantom) == 1


def test_a_retried_decision_refused_as_already_made_is_explained_by_its_first_copy(soak):
    complaint = soak.file("SOAK-abc123-1-1")
    complaints.accept_complaint(soak.regulator, complaint)
    db.session.commit()
    retried = soak.accepted(complaint.id, REFUSED)  # the first POST landed, its answer was lost
    retried.retried = True

    findings = compare(Ledger([soak.filed("SOAK-abc123-1-1"), retried]), soak.since)

    assert (findings.phantom, findings.lost) == ([], [])


def test_two_rows_from_one_retried_attempt_are_a_duplicate(soak):
    soak.file("SOAK-abc123-1-1")
    soak.file("SOAK-abc123-1-1")
    entry = soak.filed("SOAK-abc123-1-1")
    entry.retried = True

    findings = compare(Ledger([entry]), soak.since)

    assert len(findings.duplicates) == 1
    assert findings.phantom == []


def test_a_complaint_without_its_notice_or_its_audit_event_is_half_saved(soak):
    complaint = soak.file("SOAK-abc123-1-1")
    db.session.execute(
        delete(Notice).where(Notice.dedupe_key == f"complaints.filed:{complaint.id}")
    )
    bare = Complaint(
        complainant_id=soak.complainant.id,
        agency_id=soak.agency.id,
        category="overcharging",
        text="无审计记录。[SOAK-abc123-1-2]",
        status="submitted",
        filed_on=date(2026, 12, 1),
        accept_days=5,
        response_days=10,
        conclude_days=30,
    )
    db.session.add(bare)
    db.session.commit()
    ledger = Ledger([soak.filed("SOAK-abc123-1-1"), soak.filed("SOAK-abc123-1-2")])

    half_saved = compare(ledger, soak.since).half_saved

    assert any(f"{complaint.id}: no complaints.filed notice" in line for line in half_saved)
    assert any(f"{bare.id} (SOAK-abc123-1-2): no audit event" in line for line in half_saved)


def test_a_complaint_accepted_and_refused_is_decided_twice(soak, make_account):
    complaint = soak.file("SOAK-abc123-1-1")
    complaints.accept_complaint(soak.regulator, complaint)
    # What a race without a row lock leaves: the second decision on top of the first.
    other = make_account("regulator", email="soak-regulator-2@soak.example")
    complaint.status, complaint.not_accepted_reason = "not_accepted", "不属于受理范围。"
    record("complaint.not_accepted", actor=other, obj=complaint, details={"reason": "x"})
    db.session.commit()
    ledger = Ledger(
        [
            soak.filed("SOAK-abc123-1-1"),
            soak.accepted(complaint.id),
            Entry(other.email, "complaint.not_accepted", ACKNOWLEDGED, object_id=complaint.id),
        ]
    )

    doubles = compare(ledger, soak.since).double_decisions

    assert f"complaint decided 2 times: {complaint.id}" in doubles
    assert f"complaint {complaint.id}: not accepted, accepted_on set" in doubles


def test_two_fees_in_force_at_once_and_one_fee_superseded_twice_are_double_decisions(
    soak, make_service_item
):
    item = make_service_item()
    for start in (date(2026, 1, 1), date(2026, 6, 1)):  # two open-ended offers would overlap
        db.session.add(
            FeeSchedule(
                agency_id=soak.agency.id,
                service_item_id=item.id,
                fee_min_fen=100,
                fee_max_fen=200,
                unit="项",
                basis="市场调节价",
                promised_days=5,
                effective_from=start,
                effective_to=date(2026, 12, 31) if start.month == 1 else None,
            )
        )
    for _ in range(2):
        record("fee.published", obj=soak.agency, details={"fee_schedule_id": 1, "replaces": 7})
    db.session.commit()

    doubles = compare(Ledger(), soak.since).double_decisions

    assert "fee superseded 2 times: 7" in doubles
    assert any("two fees in force from 2026-06-01" in line for line in doubles)


def test_a_page_gives_its_hidden_inputs_flashes_and_form_errors():
    page = parse(
        """<div class="alert alert-success alert-dismissible" role="status">Saved <b>it</b>.</div>
        <form method="post" action="/x"><input type="hidden" name="csrf_token" value="t1">
        <input type="hidden" name="form_token" value="once">
        <select name="category"><option value="">Choose</option><option value="a" selected>A
        </option></select><textarea name="text">
line</textarea><div class="invalid-feedback d-block">Enter the text.</div></form>"""
    )

    form = page.form_to("/x")

    assert form.filled(text="new") == {
        "csrf_token": "t1",
        "form_token": "once",
        "category": "a",
        "text": "new",
    }
    assert form.values["text"] == "line"
    assert page.flashes == [("success", "Saved it.")]
    assert page.errors == ["Enter the text."]


# --- what the client counts as acknowledged, refused, an error or unknown ----------------------

FORM = parse(
    '<form method="post" action="/complaints/new/X"><input type="hidden" name="csrf_token" '
    'value="t"><textarea name="text"></textarea></form>'
).forms[0]
SUCCESS = '<div class="alert alert-success alert-dismissible">Your complaint TS-1 was sent.</div>'
WARNING = '<div class="alert alert-danger alert-dismissible">This fee has already ended.</div>'


def soak_client(*answers):
    """A Client whose server gives `answers` in turn (a response, or an exception to raise)."""
    queue, posted = list(answers), []

    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(request.content)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = Client("http://soak.test", "soak-public-1@soak.example", "pw", Meter())
    client.http = httpx.Client(base_url="http://soak.test", transport=httpx.MockTransport(serve))
    return client, posted


def html(status: int, body: str = "", **headers) -> httpx.Response:
    return httpx.Response(status, text=body, headers={"content-type": "text/html", **headers})


def test_a_redirect_to_a_success_flash_is_acknowledged_with_the_created_id():
    client, posted = soak_client(html(302, location="/complaints/41"), html(200, SUCCESS))

    entry = client.submit(FORM, "complaint.filed", created=r"/complaints/(\d+)", text="收费过高")

    assert (entry.outcome, entry.object_id, entry.retried) == (ACKNOWLEDGED, 41, False)
    assert b"csrf_token=t" in posted[0]


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ((html(400, '<div class="invalid-feedback">Enter the text.</div>'),), REFUSED),
        ((html(200, '<div class="alert alert-danger">Already decided.</div>'),), REFUSED),
        ((html(302, location="/my/agency/fees"), html(200, WARNING)), REFUSED),
        ((html(409, "Someone else changed this"),), REFUSED),
        ((html(500, "Internal Server Error"),), Outcome.ERROR),
        ((httpx.ReadTimeout("slow"), httpx.ConnectError("down")), UNKNOWN),
    ],
)
def test_refusals_errors_and_silence_are_never_counted_as_acknowledged(answers, outcome):
    client, _posted = soak_client(*answers)

    assert client.submit(FORM, "complaint.filed").outcome == outcome


def test_a_post_without_an_answer_is_sent_once_more_with_the_same_tokens():
    client, posted = soak_client(
        httpx.ReadTimeout("slow"), html(302, location="/complaints/7"), html(200, SUCCESS)
    )

    entry = client.submit(FORM, "complaint.filed", text="收费过高")

    assert (entry.outcome, entry.retried) == (ACKNOWLEDGED, True)
    assert len(posted) == 2
    assert posted[0] == posted[1]
