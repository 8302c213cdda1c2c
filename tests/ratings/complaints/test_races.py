"""Two people deciding the same complaint at once: one succeeds, the other is refused with
who decided and when; the record holds one decision (on PostgreSQL the acts overlap)."""

from datetime import date

from ratings.complaints import conflicts, services
from ratings.complaints.models import CommitmentBreach, Complaint, ComplaintStatus, Conflict
from registry.accounts.models import Account
from registry.agencies.models import Agency
from registry.db import db
from tests.factories import accepted, actions_on, count, file, investigating, notices_to
from tests.ratings.races import names, one_refused, winner


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


# --- the other transitions: two people at once, one success, one refusal naming the first ----

WHEN = "2026-09-29 10:00"  # the clock's local time, when each act happens


def _played_by(account, service, complaint, *args):
    """An act: `account` reads the complaint, then (once every act has read) calls service."""

    def act():
        actor, row = _get(Account, account), _get(Complaint, complaint)
        yield
        return service(actor, row, *args)

    return act


def _reread(complaint) -> Complaint:
    return db.session.get(Complaint, complaint.id)


def test_two_regulators_taking_a_complaint_at_once_leave_one_assignee(app, parties, race):
    complaint = file(parties)
    outcomes = race(
        _played_by(parties.regulator, services.take_complaint, complaint),
        _played_by(parties.other_regulator, services.take_complaint, complaint),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    first = winner(outcomes, parties.regulator, parties.other_regulator)
    assert names(refusal, first, WHEN)
    assert _reread(complaint).assignee_id == first.id
    assert actions_on(complaint).count("complaint.assigned") == 1


def test_two_reviewers_assigning_the_same_regulator_at_once_assign_once(
    app, parties, make_account, race
):
    other_reviewer = make_account("reviewer", name="王审核")
    complaint = file(parties)
    assignee = parties.other_regulator

    def assign(reviewer):
        def act():
            actor, row = _get(Account, reviewer), _get(Complaint, complaint)
            chosen = _get(Account, assignee)
            yield
            services.assign_complaint(actor, row, chosen)

        return act

    outcomes = race(assign(parties.reviewer), assign(other_reviewer))
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, winner(outcomes, parties.reviewer, other_reviewer), WHEN)
    assert _reread(complaint).assignee_id == assignee.id
    assert actions_on(complaint).count("complaint.assigned") == 1
    assert len(notices_to(assignee, "complaints.assigned")) == 1


def test_two_agency_users_responding_at_once_give_one_response(app, parties, make_account, race):
    colleague = make_account("agency", name="陈机构")
    _get(Account, colleague).agency_id = parties.agency.id
    db.session.commit()
    complaint = accepted(parties)
    outcomes = race(
        _played_by(parties.staff, services.respond_to_complaint, complaint, "按公示标准收费。"),
        _played_by(colleague, services.respond_to_complaint, complaint, "另收的是加急费。"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    first = winner(outcomes, parties.staff, colleague)
    assert names(refusal, first, WHEN)
    row = _reread(complaint)
    assert row.status == ComplaintStatus.INVESTIGATING
    assert row.responded_by_id == first.id
    assert actions_on(row).count("complaint.responded") == 1
    assert len(notices_to(parties.complainant, "complaints.response_received")) == 1
    assert len(notices_to(parties.regulator, "complaints.responded")) == 1


def test_a_rebuttal_sent_twice_at_once_is_kept_once(app, parties, race):
    complaint = investigating(parties)
    outcomes = race(
        _played_by(parties.complainant, services.rebut_response, complaint, "加急费从未约定。"),
        _played_by(parties.complainant, services.rebut_response, complaint, "加急费从未约定！"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.complainant, WHEN)
    assert actions_on(complaint).count("complaint.rebutted") == 1
    assert len(notices_to(parties.regulator, "complaints.rebutted")) == 1


def test_going_on_without_the_response_twice_at_once_starts_one_investigation(
    app, parties, clock, race
):
    complaint = accepted(parties)
    clock.set(date(2026, 10, 21))  # the agency's response was due on 20 October
    outcomes = race(
        _played_by(parties.regulator, services.proceed_without_response, complaint),
        _played_by(parties.regulator, services.proceed_without_response, complaint),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.regulator, "2026-10-21 10:00")
    assert _reread(complaint).status == ComplaintStatus.INVESTIGATING
    assert actions_on(complaint).count("complaint.proceeded") == 1
    assert len(notices_to(parties.staff, "complaints.proceeded")) == 1
    assert len(notices_to(parties.complainant, "complaints.proceeded")) == 1


def test_two_reviewers_extending_a_deadline_at_once_extend_it_once(
    app, parties, make_account, race
):
    other_reviewer = make_account("reviewer", name="王审核")
    complaint = accepted(parties)
    extend = services.extend_conclusion_deadline
    outcomes = race(
        _played_by(parties.reviewer, extend, complaint, 10, "需要现场勘验。"),
        _played_by(other_reviewer, extend, complaint, 20, "需补充鉴定。"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    first = winner(outcomes, parties.reviewer, other_reviewer)
    assert names(refusal, first, WHEN)
    row = _reread(complaint)
    assert row.extended_by_id == first.id
    assert row.extension_days == (10 if first is parties.reviewer else 20)
    assert actions_on(row).count("complaint.extended") == 1
    assert len(notices_to(parties.complainant, "complaints.extended")) == 1


def test_a_conclusion_sent_twice_at_once_concludes_once_with_one_breach(app, parties, race):
    complaint = investigating(parties)  # overcharging: a substantiated one breaks the letter
    conclude = services.conclude_complaint
    outcomes = race(
        _played_by(parties.regulator, conclude, complaint, "substantiated", "major", "属实。"),
        _played_by(parties.regulator, conclude, complaint, "substantiated", "major", "属实。"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.regulator, WHEN)
    assert _reread(complaint).status == ComplaintStatus.SUBSTANTIATED
    assert count(CommitmentBreach, CommitmentBreach.complaint_id == complaint.id) == 1
    assert actions_on(complaint).count("complaint.concluded") == 1
    assert len(notices_to(parties.complainant, "complaints.substantiated")) == 1
    assert len(notices_to(parties.staff, "complaints.breach")) == 1


def test_concluding_and_withdrawing_at_once_leave_one_outcome(app, parties, race):
    complaint = investigating(parties)
    outcomes = race(
        _played_by(
            parties.regulator,
            services.conclude_complaint,
            complaint,
            "unsubstantiated",
            None,
            "证据不足。",
        ),
        _played_by(parties.complainant, services.withdraw_complaint, complaint, "已协商解决。"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    first = winner(outcomes, parties.regulator, parties.complainant)
    assert names(refusal, first, WHEN)
    row = _reread(complaint)
    ends = ("complaint.concluded", "complaint.withdrawn")
    outcome_events = [action for action in actions_on(row) if action in ends]
    if first is parties.regulator:
        assert row.status == ComplaintStatus.UNSUBSTANTIATED
        assert row.withdrawn_at is None
        assert outcome_events == ["complaint.concluded"]
        assert len(notices_to(parties.complainant, "complaints.unsubstantiated")) == 1
        assert notices_to(parties.regulator, "complaints.withdrawn") == []
    else:
        assert row.status == ComplaintStatus.WITHDRAWN
        assert row.concluded_at is None
        assert outcome_events == ["complaint.withdrawn"]
        assert len(notices_to(parties.regulator, "complaints.withdrawn")) == 1
        assert notices_to(parties.complainant, "complaints.unsubstantiated") == []


def test_a_withdrawal_sent_twice_at_once_is_recorded_once(app, parties, race):
    complaint = accepted(parties)
    outcomes = race(
        _played_by(parties.complainant, services.withdraw_complaint, complaint, "已解决。"),
        _played_by(parties.complainant, services.withdraw_complaint, complaint, "已解决。"),
    )
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.complainant, WHEN)
    assert actions_on(complaint).count("complaint.withdrawn") == 1
    assert len(notices_to(parties.staff, "complaints.withdrawn")) == 1


# --- conflicts of interest ---------------------------------------------------------------------


def test_a_conflict_declared_twice_at_once_is_declared_once(app, parties, race):
    complaint = accepted(parties)  # assigned to parties.regulator, who then declares

    def declare():
        actor, agency = _get(Account, parties.regulator), _get(Agency, parties.agency)
        yield
        return conflicts.declare_conflict(actor, agency, "本人配偶在该机构任职。")

    outcomes = race(declare, declare)
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.regulator, WHEN)
    assert count(Conflict, Conflict.regulator_id == parties.regulator.id) == 1
    assert _reread(complaint).assignee_id is None
    assert actions_on(complaint).count("complaint.unassigned") == 1


def test_a_conflict_ended_twice_at_once_ends_once(app, parties, race):
    conflict = conflicts.declare_conflict(parties.regulator, parties.agency, "配偶任职。")
    db.session.commit()

    def end():
        actor, row = _get(Account, parties.regulator), _get(Conflict, conflict)
        yield
        conflicts.end_conflict(actor, row, "配偶已离职。")

    outcomes = race(end, end)
    refusal = one_refused(outcomes, services.ComplaintError)
    assert names(refusal, parties.regulator, WHEN)
    assert actions_on(conflict).count("conflict.ended") == 1
