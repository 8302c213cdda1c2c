"""Factories for town agents and their training, and the dates the tests speak of."""

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.accounts.permissions import SYSTEM
from registry.agents import services
from registry.agents.models import TownAgent
from registry.audit.models import AuditEvent
from registry.dates import local_today
from registry.db import db

ENGLISH = {"Accept-Language": "en"}


def months_ago(months: int) -> date:
    """The same day of the month, `months` months before today (at most the 28th)."""
    today = local_today()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, min(today.day, 28))


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def agents_named(name: str) -> list[TownAgent]:
    return list(db.session.execute(select(TownAgent).where(TownAgent.name == name)).scalars())


def fresh(agent: TownAgent) -> TownAgent:
    """The agent as the database has it now, after a request changed it."""
    db.session.expire_all()
    return db.session.get(TownAgent, agent.id)


def actions_on(agent: TownAgent) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "town_agent", AuditEvent.object_id == str(agent.id))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


@pytest.fixture
def make_agent(app):
    """Create a committed agent: make_agent("王芳", town=..., active=..., trained=months ago)."""

    def make(
        name: str = "王芳",
        *,
        town: str = "澄江街道",
        village: str = "城中社区",
        phone: str = "13800000001",
        active: bool = True,
        trained: int | None = None,
        passed: bool = True,
    ) -> TownAgent:
        details = services.AgentDetails(name=name, town=town, village=village, phone=phone)
        agent = services.create_agent(SYSTEM, details)
        if trained is not None:
            course = services.TrainingDetails(
                course="代办业务培训", completed_on=months_ago(trained), hours=8, passed=passed
            )
            services.add_training(SYSTEM, agent, course)
        if not active:
            services.set_agent_active(SYSTEM, agent, False)
        db.session.commit()
        return agent

    return make
