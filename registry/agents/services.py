"""Town and village agent actions: regulators keep the roster and each agent's training.

Each function checks its actor's permission, validates, changes rows, writes the audit
event, and leaves the commit to the caller; a change to an agent locks the agent first, so
of two regulators acting at once the second sees what the first did. Agents are
deactivated, never deleted, so the history of who helped whom stays readable.
"""

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.accounts.permissions import is_regulator, require
from registry.agents.models import TownAgent, TrainingRecord
from registry.agents.queries import region_towns
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock

describe(
    actions={
        "agent.created": _l("Town agent added"),
        "agent.updated": _l("Town agent changed"),
        "agent.deactivated": _l("Town agent deactivated"),
        "agent.reactivated": _l("Town agent reactivated"),
        "agent.training_added": _l("Agent training recorded"),
        "agent.training_removed": _l("Agent training removed"),
    },
    objects={"town_agent": _l("Town agent")},
)

# Keeps a mistyped figure out of the integer column; no single course runs this long.
MAX_COURSE_HOURS = 1000


class AgentError(ValueError):
    """A refused agent action; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class AgentDetails:
    """Who the agent is and where residents find them."""

    name: str
    town: str
    village: str
    phone: str


@dataclass
class TrainingDetails:
    """One course an agent took."""

    course: str
    completed_on: date
    hours: int
    passed: bool
    notes: str = ""


def create_agent(actor, details: AgentDetails) -> TownAgent:
    """A regulator adds an agent to the roster (active from the start)."""
    require(is_regulator, actor)
    checked = _checked_agent(details)
    agent = TownAgent(**asdict(checked), active=True)
    db.session.add(agent)
    db.session.flush()
    record("agent.created", actor=actor, obj=agent, details=asdict(checked))
    return agent


def update_agent(actor, agent: TownAgent, details: AgentDetails) -> None:
    """A regulator corrects an agent's details; only real changes are recorded."""
    require(is_regulator, actor)
    lock(agent)
    changed = {
        field: [getattr(agent, field), value]
        for field, value in asdict(_checked_agent(details)).items()
        if getattr(agent, field) != value
    }
    if not changed:
        return
    for field, (_before, value) in changed.items():
        setattr(agent, field, value)
    record("agent.updated", actor=actor, obj=agent, details=changed)


def set_agent_active(actor, agent: TownAgent, active: bool) -> None:
    """A regulator takes an agent off the public directory, or puts them back."""
    require(is_regulator, actor)
    lock(agent)
    if agent.active == active:
        if active:
            raise AgentError(with_last_change(_("This agent is already active."), agent))
        raise AgentError(with_last_change(_("This agent is already inactive."), agent))
    agent.active = active
    record("agent.reactivated" if active else "agent.deactivated", actor=actor, obj=agent)


def add_training(actor, agent: TownAgent, details: TrainingDetails) -> TrainingRecord:
    """A regulator records a course the agent completed (passed or not)."""
    require(is_regulator, actor)
    training = _checked_training(details)
    agent.trainings.append(training)
    db.session.flush()
    record(
        "agent.training_added",
        actor=actor,
        obj=agent,
        details={"training_id": training.id, **_training_facts(training)},
    )
    return training


def remove_training(actor, training: TrainingRecord) -> None:
    """A regulator removes a training record entered in error; the audit log keeps it."""
    require(is_regulator, actor)
    agent = lock(training.agent)  # its list of trainings, read afresh
    if training not in agent.trainings:
        raise AgentError(with_last_change(_("This training record was already removed."), agent))
    record(
        "agent.training_removed",
        actor=actor,
        obj=agent,
        details={"training_id": training.id, **_training_facts(training)},
    )
    agent.trainings.remove(training)
    db.session.delete(training)


def _checked_agent(details: AgentDetails) -> AgentDetails:
    checked = AgentDetails(
        name=_required_text(details.name, "name"),
        town=(details.town or "").strip(),
        village=_required_text(details.village, "village"),
        phone=_required_text(details.phone, "phone"),
    )
    if checked.town not in region_towns():
        raise AgentError(_("Choose a town of this region."), "town")
    return checked


def _checked_training(details: TrainingDetails) -> TrainingRecord:
    if details.hours is None or not 0 < details.hours <= MAX_COURSE_HOURS:
        raise AgentError(
            _("Enter the course's hours: a whole number from 1 to %(max)d.", max=MAX_COURSE_HOURS),
            "hours",
        )
    if details.completed_on is None or details.completed_on > local_today():
        raise AgentError(_("Enter a completion date that is not in the future."), "completed_on")
    return TrainingRecord(
        course=_required_text(details.course, "course"),
        completed_on=details.completed_on,
        hours=details.hours,
        passed=bool(details.passed),
        notes=(details.notes or "").strip(),
    )


def _required_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise AgentError(_("This field is required."), field)
    return text


def _training_facts(training: TrainingRecord) -> dict:
    return {
        "course": training.course,
        "completed_on": training.completed_on.isoformat(),
        "hours": training.hours,
        "passed": training.passed,
    }
