"""Escalation of work that stays overdue, and `flask jobs daily` that runs it with the other
nightly steps: once per item and due date however often it runs."""

from datetime import timedelta

from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from registry.supervision.models import Escalation
from tests.conftest import post_form
from tests.supervision.conftest import ENGLISH, TODAY, count, notices_to, page_text

# Overdue by more than 3 working days in the world: every kind but the objection window
# and the signature still running.
ESCALATED_KINDS = {
    "complaint_accept",
    "complaint_response",
    "complaint_conclusion",
    "blacklist_decision",
    "repair_decision",
    "engagement",
    "commitment_lapsed",
}


def escalated() -> set[str]:
    return set(db.session.execute(select(Escalation.kind)).scalars())


def test_daily_job_escalates_once_across_two_runs(world, runner, clock):
    first = runner.invoke(args=["jobs", "daily"])
    assert first.exit_code == 0, first.output
    assert escalated() == ESCALATED_KINDS
    told = len(notices_to(world.reviewer, "supervision.escalated"))
    assert told == len(ESCALATED_KINDS)
    assert len(notices_to(world.other_reviewer, "supervision.escalated")) == told
    assert notices_to(world.regulator, "supervision.escalated") == []

    second = runner.invoke(args=["jobs", "daily"])
    assert second.exit_code == 0, second.output
    assert "escalation: 0 overdue item(s) escalated" in second.output
    assert count(Escalation) == len(ESCALATED_KINDS)
    assert len(notices_to(world.reviewer, "supervision.escalated")) == told

    clock.set(TODAY + timedelta(days=1))
    assert runner.invoke(args=["jobs", "daily"]).exit_code == 0
    assert count(Escalation) == len(ESCALATED_KINDS)


def test_escalation_is_recorded_and_audited(world, runner):
    runner.invoke(args=["jobs", "daily"])
    row = db.session.execute(
        select(Escalation).where(Escalation.kind == "complaint_conclusion")
    ).scalar_one()
    assert row.object_id == world.conclusion.id
    assert row.accountable == "周监管"
    assert row.overdue_working_days > 3
    assert sorted(row.notified) == sorted([world.reviewer.id, world.other_reviewer.id])
    assert row.escalated_by_id is None
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "supervision.escalated", AuditEvent.object_id == str(row.id)
        )
    ).scalar_one()
    assert event.actor_label == "system"


def test_a_reviewer_accountable_is_not_told_of_their_own_lapse(world, runner):
    world.conclusion.assignee_id = world.reviewer.id
    db.session.merge(world.conclusion)
    db.session.commit()
    runner.invoke(args=["jobs", "daily"])
    row = db.session.execute(
        select(Escalation).where(Escalation.kind == "complaint_conclusion")
    ).scalar_one()
    assert row.notified == [world.other_reviewer.id]


def test_a_new_due_date_may_be_escalated_again(world, runner):
    runner.invoke(args=["jobs", "daily"])
    world.conclusion.extension_days = 2
    world.conclusion.extension_reason = "需补充现场核查。"
    db.session.merge(world.conclusion)
    db.session.commit()
    runner.invoke(args=["jobs", "daily"])
    rows = db.session.execute(
        select(Escalation).where(Escalation.kind == "complaint_conclusion")
    ).scalars()
    assert len({row.due for row in rows}) == 2


def test_work_within_the_threshold_waits(world, runner, app):
    app.config["SUPERVISION_ESCALATE_AFTER_WORKING_DAYS"] = 500
    runner.invoke(args=["jobs", "daily"])
    assert count(Escalation) == 0


def test_dashboard_marks_escalated_items(world, runner, login_as, client):
    runner.invoke(args=["jobs", "daily"])
    login_as("regulator")
    text = page_text(client.get("/supervision/?kind=engagement", headers=ENGLISH))
    assert '<span class="badge text-bg-warning">Escalated</span>' in text
    assert "Escalate now" not in text


def test_a_regulator_escalates_by_hand_once(world, login_as, client, runner):
    regulator = login_as("regulator")
    url = f"/supervision/escalate/engagement/{world.engagement.id}"
    confirm = client.get(url, headers=ENGLISH)
    assert confirm.status_code == 200
    assert "This cannot be undone" in page_text(confirm)
    response = post_form(client, url, headers=ENGLISH)
    assert response.status_code == 302
    row = db.session.execute(select(Escalation)).scalar_one()
    assert (row.kind, row.escalated_by_id) == ("engagement", regulator.id)
    again = post_form(client, url, headers=ENGLISH, follow_redirects=True)
    assert "already escalated" in page_text(again)
    runner.invoke(args=["jobs", "daily"])
    assert count(Escalation, Escalation.kind == "engagement") == 1


def test_escalating_what_is_not_overdue_is_refused(world, login_as, client):
    login_as("regulator")
    url = f"/supervision/escalate/objection_window/{world.window.id}"
    response = post_form(client, url, headers=ENGLISH, follow_redirects=True)
    assert "not overdue" in page_text(response)
    assert count(Escalation) == 0
    assert client.get("/supervision/escalate/nonsense/1").status_code == 404
    assert client.get("/supervision/escalate/engagement/99999").status_code == 404


def test_daily_job_prints_each_step_and_runs_them_all(world, runner):
    result = runner.invoke(args=["jobs", "daily"])
    lines = result.output.splitlines()
    assert lines[0] == f"Daily jobs for {TODAY.isoformat()}:"
    steps = [line.split(":", 1)[0] for line in lines[1:-1]]
    assert steps == [
        "escalation",
        "commitment lapse notices",
        "blacklist expiries",
        "engagement overdue notices",
        "rating recompute",
    ]
    assert f"escalation: {len(ESCALATED_KINDS)} overdue item(s) escalated" in result.output
    assert "commitment lapse notices: lapse notices sent to 1 agencies" in result.output
    assert "engagement overdue notices: overdue notices sent for 1 engagement(s)" in result.output
    assert lines[-1] == "All steps done."
    again = runner.invoke(args=["jobs", "daily"]).output
    assert "lapse notices sent to 0 agencies" in again
    assert "overdue notices sent for 0 engagement(s)" in again


def test_a_failing_step_is_reported_and_the_others_still_run(world, runner, monkeypatch):
    from registry import jobs

    def broken(today):
        raise RuntimeError("disk full")

    steps = list(jobs.DAILY)
    steps[1] = ("commitment lapse notices", broken)
    monkeypatch.setattr(jobs, "DAILY", steps)
    result = runner.invoke(args=["jobs", "daily"])
    assert result.exit_code == 1
    assert "commitment lapse notices: FAILED: RuntimeError: disk full" in result.output
    assert "engagement overdue notices: overdue notices sent for 1" in result.output
    assert count(Notice, Notice.kind == "supervision.escalated") > 0
