"""Escalating the same overdue item, or evaluating the same handling, twice at once: one
escalation or evaluation, and the second is told who made it and when. On PostgreSQL the
acts overlap; on SQLite they run in turn."""

from sqlalchemy import select

from registry.accounts.permissions import SYSTEM
from registry.dates import local_today
from registry.db import db
from registry.supervision import escalation, evaluations
from registry.supervision.escalation import SupervisionError
from registry.supervision.evaluations import EvaluationError, HandlingScores
from registry.supervision.items import find_item
from registry.supervision.models import Escalation, RegulatorEvaluation
from tests.factories import actions_on, count, notices_to
from tests.races import attached, names, the_refusal
from tests.supervision.conftest import TODAY

WHEN = f"{TODAY.isoformat()} 10:00"


def test_an_item_escalated_twice_at_once_is_escalated_once(world, race):
    def escalate(regulator):
        def act():
            actor = attached(regulator)
            item = find_item("engagement", world.engagement.id, local_today())
            yield
            escalation.escalate(actor, item)

        return act

    outcomes = race(escalate(world.regulator), escalate(world.reviewer))

    refusal = the_refusal(outcomes, SupervisionError)
    row = db.session.execute(select(Escalation)).scalar_one()
    winner = world.regulator if row.escalated_by_id == world.regulator.id else world.reviewer
    names(refusal, winner, WHEN)
    assert actions_on(row) == ["supervision.escalated"]
    assert len(notices_to(world.other_reviewer, "supervision.escalated")) == 1


def test_a_handling_evaluated_twice_at_once_is_evaluated_once(world, race):
    def evaluate(timeliness):
        def act():
            actor, complaint = attached(world.supervisor), attached(world.concluded)
            yield
            evaluations.evaluate_handling(actor, complaint, HandlingScores(timeliness, 4, "及时。"))

        return act

    refusal = the_refusal(race(evaluate(3), evaluate(5)), EvaluationError)

    names(refusal, world.supervisor, WHEN)
    assert count(RegulatorEvaluation) == 1


def test_the_daily_job_skips_an_item_escalated_after_it_read_its_list(world, monkeypatch):
    item = find_item("engagement", world.engagement.id, local_today())
    escalation.escalate(world.regulator, item)  # by hand, while the job runs
    db.session.commit()
    # The job read the recorded escalations before that commit:
    monkeypatch.setattr(escalation, "escalations_for", lambda items: {})

    escalated = escalation.escalate_overdue(SYSTEM, local_today())

    assert "engagement" not in {row.kind for row in escalated}
    assert count(Escalation, Escalation.kind == "engagement") == 1
    assert count(Escalation) == 7  # every overdue kind once (tests/supervision/test_escalation.py)
