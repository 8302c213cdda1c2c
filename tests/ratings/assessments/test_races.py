"""Two submits of the same evaluation or withdrawal at once: one is kept, the other refused
with who acted first and when; two changes at once are recorded one after the other (on
PostgreSQL the acts overlap; on SQLite they run in turn)."""

from sqlalchemy import select

from ratings.assessments import services
from ratings.assessments.models import Inspection
from ratings.assessments.services import EvaluationDetails
from registry.accounts.models import Account
from registry.audit.models import AuditEvent
from registry.db import db
from tests.ratings.assessments.conftest import actions, evaluations, recorded
from tests.ratings.races import names, one_refused, winner

WHEN = "2026-11-28 10:00"  # the clock's local time, when each act happens


def _get(model, row):
    return db.session.get(model, row.id)


def _played_by(account, service, row, *args):
    """An act: `account` reads the row, then (once every act has read) calls the service."""

    def act():
        actor, target = _get(Account, account), _get(type(row), row)
        yield
        return service(actor, target, *args)

    return act


def test_an_evaluation_submitted_twice_at_once_is_kept_once(app, clock, supervisor, agency, race):
    outcomes = race(
        _played_by(supervisor, services.evaluate_agency, agency, EvaluationDetails(4, "及时")),
        _played_by(supervisor, services.evaluate_agency, agency, EvaluationDetails(2, "超标")),
    )
    refusal = one_refused(outcomes, services.AssessmentError)
    assert names(refusal, supervisor, WHEN)
    [kept] = evaluations()
    assert (kept.supervisor_id, kept.agency_id) == (supervisor.id, agency.id)
    assert actions("evaluation.") == ["evaluation.submitted"]


def test_two_changes_of_an_evaluation_at_once_are_recorded_one_after_the_other(
    app, clock, supervisor, agency, race
):
    evaluation = services.evaluate_agency(supervisor, agency, EvaluationDetails(4, "及时"))
    db.session.commit()
    change = services.change_evaluation
    outcomes = race(
        _played_by(supervisor, change, evaluation, EvaluationDetails(2, "超标")),
        _played_by(supervisor, change, evaluation, EvaluationDetails(3, "一般")),
    )
    assert outcomes == [True, True]
    first, second = (
        event.details["changes"]
        for event in db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action == "evaluation.changed")
            .order_by(AuditEvent.seq)
        ).scalars()
    )
    assert first["score"][0] == 4
    assert second["score"][0] == first["score"][1], "the second change starts from the first"
    [kept] = evaluations()
    assert kept.score == second["score"][1]


def test_an_inspection_withdrawn_twice_at_once_is_withdrawn_once(
    app, clock, regulator, make_account, agency, race
):
    inspection = recorded(regulator, agency, clock.today(), 85)
    other = make_account("reviewer", name="吴审核")
    withdraw = services.withdraw_inspection
    outcomes = race(
        _played_by(regulator, withdraw, inspection, "录错了机构。"),
        _played_by(other, withdraw, inspection, "分数录入错误。"),
    )
    refusal = one_refused(outcomes, services.AssessmentError)
    first = winner(outcomes, regulator, other)
    assert names(refusal, first, WHEN)
    assert db.session.get(Inspection, inspection.id).withdrawn_by_id == first.id
    assert actions("inspection.withdrawn") == ["inspection.withdrawn"]
