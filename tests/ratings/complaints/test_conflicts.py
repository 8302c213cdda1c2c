"""Regulators declare conflicts of interest with agencies: they are never assigned those
agencies' complaints, cannot act on them, and do not see them."""

from ratings.complaints import conflicts, services
from ratings.complaints.models import Complaint, Conflict
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.conftest import post_form
from tests.ratings.complaints.conftest import (
    ENGLISH,
    accepted,
    count,
    file,
    page_text,
    refused,
)


def declare(parties, regulator=None):
    conflict = conflicts.declare_conflict(
        regulator or parties.regulator, parties.agency, "配偶在该机构任职。"
    )
    db.session.commit()
    return conflict


def test_a_regulator_in_conflict_cannot_act_on_the_agencys_complaints(parties):
    complaint = file(parties)
    declare(parties)
    refused(
        lambda: services.accept_complaint(parties.regulator, complaint),
        "declared a conflict of interest with 江阴华澄测绘有限公司",
    )
    refused(lambda: services.take_complaint(parties.regulator, complaint), "conflict of interest")
    assert db.session.get(Complaint, complaint.id).status == "submitted"


def test_a_regulator_in_conflict_is_never_assigned(parties):
    complaint = file(parties)
    declare(parties, parties.other_regulator)
    refused(
        lambda: services.assign_complaint(parties.reviewer, complaint, parties.other_regulator),
        "cannot be assigned its complaints",
    )
    assert db.session.get(Complaint, complaint.id).assignee_id is None


def test_declaring_a_conflict_puts_the_regulators_open_complaints_back_in_the_queue(parties):
    complaint = accepted(parties)
    declare(parties)
    assert db.session.get(Complaint, complaint.id).assignee_id is None


def test_a_regulator_in_conflict_does_not_see_the_complaints(client, auth, parties):
    complaint = file(parties)
    declare(parties)
    auth.login(parties.regulator.email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert client.get(f"/regulator/complaints/{complaint.id}/accept").status_code == 404
    assert complaint.reference not in page_text(client.get("/regulator/complaints"))
    assert client.get(f"/complaints/{complaint.id}/files/1").status_code == 404
    auth.logout()
    auth.login(parties.reviewer.email)
    assign = page_text(client.get(f"/regulator/complaints/{complaint.id}/assign"))
    assert parties.other_regulator.display_name in assign
    assert parties.regulator.display_name not in assign


def test_a_conflict_is_declared_once_and_ended_by_its_regulator(parties):
    conflict = declare(parties)
    refused(lambda: declare(parties), "already declared a conflict")
    refused(
        lambda: conflicts.end_conflict(parties.other_regulator, conflict),
        "own_conflict",
        PermissionDenied,
    )
    conflicts.end_conflict(parties.regulator, db.session.get(Conflict, conflict.id), "已离职")
    db.session.commit()
    complaint = file(parties)
    services.accept_complaint(parties.regulator, complaint)  # no conflict any more
    db.session.commit()
    assert db.session.get(Complaint, complaint.id).status == "accepted"


def test_the_conflicts_page_declares_and_ends_a_conflict(client, auth, parties):
    auth.login(parties.regulator.email)
    response = post_form(
        client,
        "/regulator/conflicts",
        {"agency": parties.agency.credit_code.lower(), "reason": "曾在该机构任职"},
    )
    assert response.status_code == 302
    conflict = db.session.execute(db.select(Conflict)).scalar_one()
    assert (conflict.regulator_id, conflict.agency_id) == (parties.regulator.id, parties.agency.id)
    page = page_text(client.get("/regulator/conflicts", headers=ENGLISH))
    assert "江阴华澄测绘有限公司" in page
    assert "In force" in page
    url = f"/regulator/conflicts/{conflict.id}/end"
    assert "End your conflict of interest" in page_text(client.get(url, headers=ENGLISH))
    post_form(client, url, {"reason": ""})
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).ended_at is not None


def test_the_conflicts_page_refuses_an_unknown_agency(client, auth, parties):
    auth.login(parties.regulator.email)
    response = post_form(
        client,
        "/regulator/conflicts",
        {"agency": "91350100M000100Y43", "reason": "理由"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    assert "Choose an agency listed in the registry." in page_text(response)
    assert count(Conflict) == 0


def test_a_regulator_cannot_end_anothers_conflict_through_the_page(client, auth, parties):
    conflict = declare(parties)
    auth.login(parties.other_regulator.email)
    assert client.get(f"/regulator/conflicts/{conflict.id}/end").status_code == 404
