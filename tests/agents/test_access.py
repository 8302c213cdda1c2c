"""Only regulators and reviewers reach the agent pages; the directory is open to anyone."""

import pytest

from registry.accounts.permissions import PermissionDenied
from registry.agents import services
from registry.agents.models import TownAgent, TrainingRecord
from tests.agents.conftest import count, fresh
from tests.conftest import post_form

OUTSIDERS = ["agency", "enterprise", "supervisor", "admin"]


def regulator_pages(agent, training) -> list[str]:
    base = f"/regulator/agents/{agent.id}"
    return [
        "/regulator/agents",
        "/regulator/agents/new",
        base,
        f"{base}/edit",
        f"{base}/deactivate",
        f"{base}/reactivate",
        f"{base}/trainings/{training.id}/remove",
    ]


def regulator_posts(agent, training) -> dict[str, dict]:
    base = f"/regulator/agents/{agent.id}"
    details = {"name": "冒名", "town": "华士镇", "village": "华西村", "phone": "13800000009"}
    course = {"course": "冒名培训", "completed_on": "2025-01-01", "hours": "8", "passed": "y"}
    return {
        "/regulator/agents/new": details,
        f"{base}/edit": details,
        f"{base}/deactivate": {},
        f"{base}/trainings": course,
        f"{base}/trainings/{training.id}/remove": {},
    }


@pytest.fixture
def trained_agent(make_agent):
    agent = make_agent("王芳", trained=3)
    return agent, agent.trainings[0]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_cannot_open_regulator_pages(client, login_as, trained_agent, role):
    login_as(role)
    for path in regulator_pages(*trained_agent):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_sign_in(client, trained_agent):
    for path in regulator_pages(*trained_agent):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def assert_nothing_changed(agent):
    now = fresh(agent)
    assert (now.name, now.village, now.active) == ("王芳", "城中社区", True)
    assert count(TownAgent) == 1
    assert count(TrainingRecord) == 1


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_cannot_post_changes(client, login_as, trained_agent, role):
    login_as(role)
    for path, data in regulator_posts(*trained_agent).items():
        assert post_form(client, path, data).status_code == 403, path
    assert_nothing_changed(trained_agent[0])


def test_anonymous_visitors_cannot_post_changes(client, trained_agent):
    for path, data in regulator_posts(*trained_agent).items():
        response = post_form(client, path, data)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    assert_nothing_changed(trained_agent[0])


@pytest.mark.parametrize("role", [*OUTSIDERS, "regulator", "reviewer", None])
def test_the_directory_is_open_to_anyone(client, login_as, role):
    if role:
        login_as(role)
    assert client.get("/agents").status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_services_refuse_other_roles(make_account, trained_agent, role):
    agent, training = trained_agent
    outsider = make_account(role)
    details = services.AgentDetails(name="冒名", town="华士镇", village="华西村", phone="1380")
    with pytest.raises(PermissionDenied):
        services.create_agent(outsider, details)
    with pytest.raises(PermissionDenied):
        services.set_agent_active(outsider, agent, False)
    with pytest.raises(PermissionDenied):
        services.remove_training(outsider, training)
