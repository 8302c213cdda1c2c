"""Supervisors evaluate an agency at most once a quarter, and may correct it within it."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from ratings.assessments import services
from ratings.assessments.models import SupervisorEvaluation
from ratings.assessments.services import AssessmentError, EvaluationDetails
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.ratings.assessments.conftest import (
    ENGLISH,
    actions,
    count,
    evaluate_page,
    evaluations,
    last_event,
)


def test_supervisor_evaluates_an_agency_once_per_quarter(client, auth, clock, supervisor, agency):
    auth.login(supervisor.email)
    first = evaluate_page(client, agency, 4, "收费公示清楚，办理及时。")
    assert first.status_code == 302
    [saved] = evaluations()
    assert (saved.year, saved.quarter, saved.score) == (2026, 4, 4)
    assert saved.evaluated_on == clock.today()

    second = evaluate_page(client, agency, 2, "第二次")
    page = second.get_data(as_text=True)
    assert second.status_code == 400
    assert "You have already evaluated 江阴澄信测绘有限公司 for Q4 2026" in page
    assert "you may change that evaluation until the quarter ends" in page
    assert [e.score for e in evaluations()] == [4]

    clock.move(days=40)  # 7 January 2027: the first quarter of 2027
    third = evaluate_page(client, agency, 2, "一季度办理拖延。")
    assert third.status_code == 302
    assert [(e.year, e.quarter, e.score) for e in evaluations()] == [(2026, 4, 4), (2027, 1, 2)]


def test_a_second_evaluation_in_the_quarter_is_refused_by_the_service(
    app, clock, supervisor, agency
):
    services.evaluate_agency(supervisor, agency, EvaluationDetails(5, "很好"))
    db.session.commit()
    with force_locale("en"), pytest.raises(AssessmentError, match="already evaluated"):
        services.evaluate_agency(supervisor, agency, EvaluationDetails(1, "重复"))
    db.session.rollback()
    assert count(SupervisorEvaluation) == 1
    assert actions("evaluation.") == ["evaluation.submitted"]


def test_the_database_holds_one_evaluation_per_supervisor_agency_and_quarter(
    app, clock, supervisor, agency
):
    for _ in range(2):
        db.session.add(
            SupervisorEvaluation(
                supervisor_id=supervisor.id,
                agency_id=agency.id,
                year=2026,
                quarter=4,
                score=3,
                evaluated_on=clock.today(),
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_quarter_is_the_local_one(app, clock, supervisor, agency):
    clock.moment = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2027, 01:00 local
    evaluation = services.evaluate_agency(supervisor, agency, EvaluationDetails(3))
    assert (evaluation.year, evaluation.quarter) == (2027, 1)


def test_supervisor_changes_the_evaluation_within_the_quarter_and_the_log_keeps_both(
    client, auth, clock, supervisor, agency
):
    auth.login(supervisor.email)
    evaluate_page(client, agency, 4, "及时")
    [saved] = evaluations()
    form = client.get(f"/supervisor/agencies/{agency.id}/evaluation", headers=ENGLISH)
    assert "You evaluated this agency for Q4 2026" in form.get_data(as_text=True)
    assert f'value="{saved.id}"' in form.get_data(as_text=True)

    clock.move(days=3)
    response = evaluate_page(client, agency, 2, "收费超标", evaluation_id=str(saved.id))
    assert response.status_code == 302
    [changed] = evaluations()
    assert (changed.id, changed.score, changed.remarks) == (saved.id, 2, "收费超标")
    assert changed.evaluated_on == clock.today()
    event = last_event("evaluation.changed")
    assert event.details["changes"] == {"score": [4, 2], "remarks": ["及时", "收费超标"]}
    assert actions("evaluation.") == ["evaluation.submitted", "evaluation.changed"]


def test_an_evaluation_is_final_once_its_quarter_has_ended(client, auth, clock, supervisor, agency):
    auth.login(supervisor.email)
    evaluate_page(client, agency, 4)
    [saved] = evaluations()
    clock.move(days=40)
    response = evaluate_page(client, agency, 1, "改分", evaluation_id=str(saved.id))
    assert response.status_code == 400
    assert "can no longer be changed" in response.get_data(as_text=True)
    assert [(e.score, e.quarter) for e in evaluations()] == [(4, 4)]
    assert actions("evaluation.") == ["evaluation.submitted"]


def test_another_supervisor_cannot_change_my_evaluation(app, clock, make_account, agency):
    mine = services.evaluate_agency(make_account("supervisor"), agency, EvaluationDetails(5))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.change_evaluation(make_account("supervisor"), mine, EvaluationDetails(1))


@pytest.mark.parametrize("score", ["0", "6", "-1", "", "five"])
def test_a_score_outside_one_to_five_is_refused(client, auth, clock, supervisor, agency, score):
    auth.login(supervisor.email)
    response = evaluate_page(client, agency, score, "备注保留")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "备注保留" in page, "what was typed stays"
    assert count(SupervisorEvaluation) == 0


@pytest.mark.parametrize("score", [0, 6, None, True, 2.5])
def test_the_service_refuses_scores_outside_one_to_five(app, clock, supervisor, agency, score):
    with force_locale("en"), pytest.raises(AssessmentError, match="from 1 to 5") as refused:
        services.evaluate_agency(supervisor, agency, EvaluationDetails(score))
    assert refused.value.field == "score"


@pytest.mark.parametrize("score", [1, 5])
def test_scores_one_and_five_are_accepted(app, clock, supervisor, agency, score):
    assert services.evaluate_agency(supervisor, agency, EvaluationDetails(score)).score == score


@pytest.mark.parametrize("role", ["regulator", "reviewer", "agency", "enterprise", "admin"])
def test_only_supervisors_evaluate(client, login_as, clock, agency, role):
    account = login_as(role)
    assert evaluate_page(client, agency, 4).status_code == 403
    assert client.get(f"/supervisor/agencies/{agency.id}/evaluation").status_code == 403
    with pytest.raises(PermissionDenied):
        services.evaluate_agency(account, agency, EvaluationDetails(4))
    assert count(SupervisorEvaluation) == 0


@pytest.mark.parametrize("status", ["pending", "rejected", "deregistered"])
def test_only_active_and_suspended_agencies_are_evaluated(
    client, auth, clock, supervisor, make_agency, status
):
    other = make_agency(status)
    auth.login(supervisor.email)
    assert client.get(f"/supervisor/agencies/{other.id}/evaluation").status_code == 404
    with force_locale("en"), pytest.raises(AssessmentError, match="only active and suspended"):
        services.evaluate_agency(supervisor, other, EvaluationDetails(3))


def test_a_suspended_agency_can_be_evaluated(app, clock, supervisor, make_agency):
    suspended = make_agency("suspended")
    assert services.evaluate_agency(supervisor, suspended, EvaluationDetails(2)).score == 2


def test_supervisor_finds_agencies_by_name_or_credit_code(
    client, auth, clock, supervisor, make_agency
):
    wanted = make_agency("active", name="江阴长江环评咨询有限公司")
    make_agency("active", name="江阴城东测绘有限公司")
    hidden = make_agency("pending", name="江阴长江安全评价有限公司")
    auth.login(supervisor.email)
    by_name = client.get("/supervisor/agencies?q=长江", headers=ENGLISH).get_data(as_text=True)
    assert wanted.name in by_name
    assert "江阴城东测绘有限公司" not in by_name
    assert hidden.name not in by_name, "pending agencies are not public"
    by_code = client.get(f"/supervisor/agencies?q={wanted.credit_code.lower()}")
    assert wanted.name in by_code.get_data(as_text=True)


def test_search_results_say_which_agencies_i_evaluated_this_quarter(
    client, auth, clock, supervisor, agency
):
    services.evaluate_agency(supervisor, agency, EvaluationDetails(3))
    db.session.commit()
    auth.login(supervisor.email)
    page = client.get("/supervisor/agencies?q=澄信", headers=ENGLISH).get_data(as_text=True)
    assert "Your evaluation for Q4 2026:" in page


def test_my_evaluations_are_listed_newest_first_and_paginated(
    app, client, auth, clock, supervisor, make_agency
):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        services.evaluate_agency(
            supervisor,
            make_agency("active", name=f"江阴列表测绘有限公司{number}"),
            EvaluationDetails(3),
        )
    db.session.commit()
    auth.login(supervisor.email)
    first = client.get("/supervisor/evaluations", headers=ENGLISH).get_data(as_text=True)
    second = client.get("/supervisor/evaluations?page=2", headers=ENGLISH).get_data(as_text=True)
    assert first.count("江阴列表测绘有限公司") == 2
    assert second.count("江阴列表测绘有限公司") == 1
    assert "3 in all, page 1 of 2" in first


def test_other_supervisors_evaluations_are_not_in_my_list(
    client, auth, clock, make_account, agency
):
    services.evaluate_agency(make_account("supervisor"), agency, EvaluationDetails(5))
    db.session.commit()
    me = make_account("supervisor")
    auth.login(me.email)
    page = client.get("/supervisor/evaluations", headers=ENGLISH).get_data(as_text=True)
    assert agency.name not in page
    assert "You have not evaluated any agency yet." in page


def test_the_submission_is_audited_with_agency_quarter_and_score(app, clock, supervisor, agency):
    services.evaluate_agency(supervisor, agency, EvaluationDetails(4, "  办理规范  "))
    db.session.commit()
    event = last_event("evaluation.submitted")
    assert event.actor_id == supervisor.id
    assert event.object_type == "supervisor_evaluation"
    assert event.details == {
        "agency": agency.credit_code,
        "year": 2026,
        "quarter": 4,
        "score": 4,
        "remarks": "办理规范",
    }
