"""Bad input is refused with a message, the typed data kept, and nothing saved."""

from datetime import timedelta

import pytest

from registry.accounts.permissions import SYSTEM
from registry.agents import services
from registry.agents.models import TownAgent, TrainingRecord
from registry.audit.models import AuditEvent
from registry.dates import local_today
from tests.agents.conftest import ENGLISH, count, months_ago
from tests.conftest import post_form

NEW_AGENT = {"name": "李明", "town": "华士镇", "village": "华西村", "phone": "0510-86001234"}
TRAINING = {"course": "代办员业务培训", "hours": "16", "passed": "y"}


def test_unknown_town_is_refused_and_nothing_saved(client, login_as):
    login_as("regulator")
    events = count(AuditEvent)
    response = post_form(
        client, "/regulator/agents/new", {**NEW_AGENT, "town": "上海市"}, headers=ENGLISH
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a town of this region." in page
    assert "华西村" in page, "what the regulator typed is still there"
    assert count(TownAgent) == 0
    assert count(AuditEvent) == events


def test_editing_to_an_unknown_town_is_refused(client, login_as, make_agent):
    agent = make_agent("王芳")
    login_as("regulator")
    response = post_form(
        client,
        f"/regulator/agents/{agent.id}/edit",
        {**NEW_AGENT, "town": "上海市"},
        headers=ENGLISH,
    )
    assert response.status_code == 200
    assert "Choose a town of this region." in response.get_data(as_text=True)
    assert client.get(f"/regulator/agents/{agent.id}").status_code == 200
    assert count(TownAgent) == 1


def test_malformed_phone_is_refused(client, login_as):
    login_as("regulator")
    response = post_form(client, "/regulator/agents/new", {**NEW_AGENT, "phone": "call me"})
    assert response.status_code == 200
    assert count(TownAgent) == 0


def tomorrow() -> str:
    return (local_today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (lambda: {"hours": "0"}, "a whole number from 1 to 1000"),
        (lambda: {"hours": "-4"}, "a whole number from 1 to 1000"),
        (lambda: {"completed_on": tomorrow()}, "not in the future"),
    ],
    ids=["zero hours", "negative hours", "future date"],
)
def test_bad_training_is_refused_and_nothing_saved(client, login_as, make_agent, changes, message):
    agent = make_agent("王芳")
    login_as("regulator")
    data = {**TRAINING, "completed_on": months_ago(3).isoformat(), **changes()}
    response = post_form(client, f"/regulator/agents/{agent.id}/trainings", data, headers=ENGLISH)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "代办员业务培训" in page, "what the regulator typed is still there"
    assert count(TrainingRecord) == 0


def test_training_without_a_date_is_refused(client, login_as, make_agent):
    agent = make_agent("王芳")
    login_as("regulator")
    response = post_form(client, f"/regulator/agents/{agent.id}/trainings", TRAINING)
    assert response.status_code == 200
    assert count(TrainingRecord) == 0


def test_services_refuse_bad_input_from_any_caller(app, make_agent):
    agent = make_agent("王芳")
    with pytest.raises(services.AgentError) as refused:
        services.create_agent(
            SYSTEM, services.AgentDetails(name="李明", town="上海市", village="村", phone="1")
        )
    assert refused.value.field == "town"
    blank = services.AgentDetails(name="  ", town="华士镇", village="村", phone="1")
    with pytest.raises(services.AgentError) as refused:
        services.update_agent(SYSTEM, agent, blank)
    assert refused.value.field == "name"
    course = services.TrainingDetails(
        course="培训", completed_on=local_today(), hours=0, passed=True
    )
    with pytest.raises(services.AgentError) as refused:
        services.add_training(SYSTEM, agent, course)
    assert refused.value.field == "hours"
