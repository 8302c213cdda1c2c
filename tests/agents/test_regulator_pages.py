"""Regulators keep the roster of town agents and their training records."""

from sqlalchemy import select

from registry.agents.models import TrainingRecord
from registry.audit.models import AuditEvent
from registry.db import db
from tests.agents.conftest import ENGLISH, actions_on, agents_named, count, fresh, months_ago
from tests.conftest import post_form

NEW_AGENT = {"name": "李明", "town": "华士镇", "village": "华西村", "phone": "0510-86001234"}


def training(**changes) -> dict:
    return {
        "course": "代办员业务培训",
        "completed_on": months_ago(3).isoformat(),
        "hours": "16",
        "passed": "y",
        **changes,
    }


def test_regulator_creates_an_agent_and_adds_training(client, login_as):
    regulator = login_as("regulator")
    response = post_form(client, "/regulator/agents/new", NEW_AGENT)
    [agent] = agents_named("李明")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/regulator/agents/{agent.id}"
    assert (agent.town, agent.village, agent.phone, agent.active) == (
        "华士镇",
        "华西村",
        "0510-86001234",
        True,
    )

    response = post_form(client, f"/regulator/agents/{agent.id}/trainings", training())
    assert response.status_code == 302
    [record] = fresh(agent).trainings
    assert (record.course, record.completed_on, record.hours, record.passed) == (
        "代办员业务培训",
        months_ago(3),
        16,
        True,
    )
    page = client.get(f"/regulator/agents/{agent.id}", headers=ENGLISH).get_data(as_text=True)
    assert "代办员业务培训" in page
    assert "Training current" in page

    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "town_agent")
    ).scalars()
    assert [(e.action, e.actor_id) for e in events] == [
        ("agent.created", regulator.id),
        ("agent.training_added", regulator.id),
    ]


def test_reviewer_may_keep_agents_too(client, login_as):
    login_as("reviewer")
    assert post_form(client, "/regulator/agents/new", NEW_AGENT).status_code == 302
    assert len(agents_named("李明")) == 1


def test_editing_an_agent_records_what_changed(client, login_as, make_agent):
    agent = make_agent("王芳", village="城中社区")
    login_as("regulator")
    assert client.get(f"/regulator/agents/{agent.id}/edit").status_code == 200
    changes = {"name": "王芳", "town": "澄江街道", "village": "澄南社区", "phone": "13800000001"}
    response = post_form(client, f"/regulator/agents/{agent.id}/edit", changes)
    assert response.status_code == 302
    assert fresh(agent).village == "澄南社区"
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "agent.updated")
    ).scalar_one()
    assert event.details == {"village": ["城中社区", "澄南社区"]}


def test_saving_an_unchanged_agent_records_nothing(client, login_as, make_agent):
    agent = make_agent("王芳")
    login_as("regulator")
    unchanged = {"name": "王芳", "town": "澄江街道", "village": "城中社区", "phone": "13800000001"}
    post_form(client, f"/regulator/agents/{agent.id}/edit", unchanged)
    assert actions_on(agent) == ["agent.created"]


def test_deactivation_asks_for_confirmation_and_reactivation_restores(client, login_as, make_agent):
    agent = make_agent("王芳")
    login_as("regulator")
    page = client.get(f"/regulator/agents/{agent.id}/deactivate", headers=ENGLISH)
    assert "Deactivate 王芳?" in page.get_data(as_text=True)
    assert fresh(agent).active, "opening the confirmation changes nothing"

    assert post_form(client, f"/regulator/agents/{agent.id}/deactivate").status_code == 302
    assert not fresh(agent).active
    assert post_form(client, f"/regulator/agents/{agent.id}/reactivate").status_code == 302
    assert fresh(agent).active
    assert actions_on(agent) == ["agent.created", "agent.deactivated", "agent.reactivated"]


def test_deactivating_an_inactive_agent_is_refused_with_a_message(client, login_as, make_agent):
    agent = make_agent("王芳", active=False)
    login_as("regulator")
    response = post_form(
        client,
        f"/regulator/agents/{agent.id}/deactivate",
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "This agent is already inactive." in response.get_data(as_text=True)
    assert actions_on(agent) == ["agent.created", "agent.deactivated"]


def test_removing_a_training_asks_for_confirmation(client, login_as, make_agent):
    agent = make_agent("王芳", trained=3)
    [record] = agent.trainings
    login_as("regulator")
    url = f"/regulator/agents/{agent.id}/trainings/{record.id}/remove"
    assert "代办业务培训" in client.get(url).get_data(as_text=True)
    assert count(TrainingRecord) == 1

    assert post_form(client, url).status_code == 302
    assert count(TrainingRecord) == 0
    assert actions_on(agent)[-1] == "agent.training_removed"
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "agent.training_removed")
    ).scalar_one()
    assert event.details["course"] == "代办业务培训"


def test_regulator_list_filters_by_town_state_and_name(client, login_as, make_agent):
    make_agent("王芳", town="澄江街道")
    make_agent("王小明", town="华士镇", active=False)
    make_agent("陈静", town="华士镇")
    login_as("regulator")

    def names(query: str) -> set[str]:
        page = client.get(f"/regulator/agents?{query}").get_data(as_text=True)
        return {name for name in ("王芳", "王小明", "陈静") if name in page}

    assert names("") == {"王芳", "王小明", "陈静"}
    assert names("town=华士镇") == {"王小明", "陈静"}
    assert names("active=inactive") == {"王小明"}
    assert names("active=active&town=华士镇") == {"陈静"}
    assert names("name=王") == {"王芳", "王小明"}
    assert client.get("/regulator/agents?town=上海市").status_code == 400


def test_regulator_list_is_paginated(app, client, login_as, make_agent):
    app.config["PAGE_SIZE"] = 2
    for number in range(5):
        make_agent(f"代办员{number}")
    login_as("regulator")
    page = client.get("/regulator/agents?page=3").get_data(as_text=True)
    assert "代办员4" in page
    assert "代办员0" not in page
    assert 'aria-current="page">3<' in page


def test_unknown_agents_and_other_agents_trainings_are_not_found(client, login_as, make_agent):
    trained = make_agent("王芳", trained=3)
    other = make_agent("陈静")
    [record] = trained.trainings
    login_as("regulator")
    assert client.get("/regulator/agents/999").status_code == 404
    assert client.get("/regulator/agents/999/edit").status_code == 404
    assert post_form(client, "/regulator/agents/999/trainings", training()).status_code == 404
    wrong_agent = f"/regulator/agents/{other.id}/trainings/{record.id}/remove"
    assert post_form(client, wrong_agent).status_code == 404
    assert count(TrainingRecord) == 1


def test_agent_actions_are_named_in_the_audit_log(client, login_as, make_agent):
    agent = make_agent("王芳", trained=3)
    login_as("regulator")
    page = client.get(
        f"/audit/?object_type=town_agent&object_id={agent.id}", headers=ENGLISH
    ).get_data(as_text=True)
    assert "Town agent added" in page
    assert "Agent training recorded" in page
