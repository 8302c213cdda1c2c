"""Two people deciding the same complaint at once: one succeeds, the other is refused with
who decided and when; the record holds one decision (on PostgreSQL the acts overlap)."""

from ratings.complaints import services
from ratings.complaints.models import Complaint, ComplaintStatus
from registry.accounts.models import Account
from registry.db import db
from tests.factories import actions_on, file


def _get(model, row):
    return db.session.get(model, row.id)


def test_accept_and_refuse_at_once_leave_one_decision(app, parties, race):
    complaint = file(parties)

    def accept():
        regulator, row = _get(Account, parties.regulator), _get(Complaint, complaint)
        yield
        services.accept_complaint(regulator, row)

    def refuse():
        regulator, row = _get(Account, parties.other_regulator), _get(Complaint, complaint)
        yield
        services.refuse_complaint(regulator, row, "不属于本部门管辖。")

    outcomes = race(accept, refuse)

    refusals = [o for o in outcomes if isinstance(o, services.ComplaintError)]
    assert len(refusals) == 1, outcomes
    row = db.session.get(Complaint, complaint.id)
    if row.status == ComplaintStatus.ACCEPTED:
        assert row.not_accepted_reason is None
        assert row.accepted_on is not None
        winner = parties.regulator
    else:
        assert row.status == ComplaintStatus.NOT_ACCEPTED
        assert row.accepted_on is None
        winner = parties.other_regulator
    assert winner.display_name in str(refusals[0])
    assert "2026-09-29 10:00" in str(refusals[0])
    decisions = {"complaint.accepted", "complaint.not_accepted"}
    assert len([action for action in actions_on(row) if action in decisions]) == 1
