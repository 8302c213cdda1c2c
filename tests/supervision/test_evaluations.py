"""Supervisors evaluate how regulators handled concluded complaints; the figures per regulator
are the evaluation of the regulator's own service."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from registry.accounts.permissions import PermissionDenied
from registry.audit.models import AuditEvent
from registry.db import db
from registry.supervision import evaluations
from registry.supervision.evaluations import EvaluationError, HandlingScores
from registry.supervision.models import RegulatorEvaluation
from tests.conftest import post_form
from tests.races import attached
from tests.supervision.conftest import ENGLISH, TODAY, count, page_text


def evaluate(client, complaint, **fields):
    data = {"timeliness": "4", "fairness": "5", "remarks": "办结及时，理由清楚。", **fields}
    return post_form(
        client, f"/supervision/complaints/{complaint.id}/evaluate", data, headers=ENGLISH
    )


def test_a_supervisor_evaluates_a_concluded_complaint(world, client, auth):
    auth.login(world.supervisor.email)
    page = client.get(f"/supervision/complaints/{world.concluded.id}/evaluate", headers=ENGLISH)
    assert page.status_code == 200
    text = page_text(page)
    assert "周监管" in text
    assert "经核查，收费在公示标准之内。" in text
    assert "钱投诉" not in text  # the complainant stays private
    assert evaluate(client, world.concluded).status_code == 302
    row = db.session.execute(select(RegulatorEvaluation)).scalar_one()
    assert (row.regulator_id, row.timeliness, row.fairness) == (world.regulator.id, 4, 5)
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "regulator_evaluation")
    ).scalars()
    assert list(actions) == ["regulator_evaluation.submitted"]


def test_figures_per_regulator(world, client, auth, make_account):
    auth.login(world.supervisor.email)
    evaluate(client, world.concluded, timeliness="2", fairness="4")
    auth.logout()
    other = make_account("supervisor")
    auth.login(other.email)
    evaluate(client, world.concluded, timeliness="5", fairness="5")
    auth.logout()
    auth.login(world.regulator.email)
    text = page_text(client.get("/supervision/regulators", headers=ENGLISH))
    row = text.split('data-testid="regulator-row">', 1)[1].split("</tr>", 1)[0]
    cells = [part.split("</td>")[0].strip() for part in row.split(">", 1)[1].split("<td")]
    assert "周监管" in cells[0]
    assert [c.split(">")[-1] for c in cells[1:]] == ["2", "3.5", "4.5"]


def test_once_per_supervisor_per_complaint_then_changed_not_repeated(world, client, auth):
    auth.login(world.supervisor.email)
    evaluate(client, world.concluded)
    with force_locale("en"), pytest.raises(EvaluationError, match="already evaluated"):
        evaluations.evaluate_handling(
            world.supervisor, attached(world.concluded), HandlingScores(3, 3, "")
        )
    db.session.rollback()
    assert evaluate(client, world.concluded, timeliness="1").status_code == 302
    assert count(RegulatorEvaluation) == 1
    assert db.session.execute(select(RegulatorEvaluation.timeliness)).scalar_one() == 1


def test_an_evaluation_stands_after_the_change_period(world, client, auth, clock):
    auth.login(world.supervisor.email)
    evaluate(client, world.concluded)
    clock.set(TODAY + timedelta(days=31))
    response = evaluate(client, world.concluded, timeliness="1")
    assert response.status_code == 200
    assert 'data-testid="evaluation-fixed"' in page_text(response)
    assert db.session.execute(select(RegulatorEvaluation.timeliness)).scalar_one() == 4
    with force_locale("en"), pytest.raises(EvaluationError, match="stands"):
        evaluations.change_evaluation(
            world.supervisor,
            db.session.execute(select(RegulatorEvaluation)).scalar_one(),
            HandlingScores(1, 1, ""),
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timeliness": "6"}, "Choose a score from 1 to 5."),
        ({"fairness": "0"}, "Choose a score from 1 to 5."),
        ({"fairness": ""}, "Choose a score from 1 to 5."),
        ({"remarks": "字" * 2001}, "2000"),
    ],
)
def test_bad_scores_are_refused(world, client, auth, fields, message):
    auth.login(world.supervisor.email)
    response = evaluate(client, world.concluded, **fields)
    assert response.status_code == 400
    assert message in page_text(response)
    assert count(RegulatorEvaluation) == 0


def test_only_concluded_complaints_are_evaluated(world, client, auth):
    auth.login(world.supervisor.email)
    assert client.get(f"/supervision/complaints/{world.conclusion.id}/evaluate").status_code == 404
    with force_locale("en"), pytest.raises(EvaluationError, match="concluded"):
        evaluations.evaluate_handling(
            world.supervisor, attached(world.conclusion), HandlingScores(3, 3)
        )


@pytest.mark.parametrize("role", ["regulator", "reviewer", "agency", "admin"])
def test_only_supervisors_evaluate(world, client, login_as, role):
    account = login_as(role)
    assert evaluate(client, world.concluded).status_code == 403
    with pytest.raises(PermissionDenied):
        evaluations.evaluate_handling(account, world.concluded, HandlingScores(3, 3))
    assert count(RegulatorEvaluation) == 0


def test_supervisors_find_complaints_to_evaluate_from_the_dashboard(world, client, auth):
    auth.login(world.supervisor.email)
    assert "/supervision/regulators" in page_text(client.get("/supervision/"))
    text = page_text(client.get("/supervision/regulators", headers=ENGLISH))
    assert f"/supervision/complaints/{world.concluded.id}/evaluate" in text
    assert f"/supervision/complaints/{world.conclusion.id}/evaluate" not in text
    bad = client.get("/supervision/regulators?regulator=999999", headers=ENGLISH)
    assert bad.status_code == 400
