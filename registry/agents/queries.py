"""Reads about town agents that the public directory and the regulators' pages share."""

from collections.abc import Iterable
from itertools import groupby
from operator import attrgetter

from flask import current_app
from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from registry.agents.models import TownAgent
from registry.dates import local_today
from registry.db import LIKE_ESCAPE, contains_pattern


def region_towns() -> list[str]:
    """The region's towns and sub-districts, in the configured order."""
    return [town for towns in current_app.config["REGION_TOWNS"].values() for town in towns]


def public_directory(town: str | None = None) -> Select:
    """Active agents, optionally of one town, in the directory's order."""
    return _in_directory_order(_of_town(select(TownAgent), town).where(TownAgent.active.is_(True)))


def agents_for_regulators(
    *, town: str | None = None, active: bool | None = None, name: str | None = None
) -> Select:
    """Every agent, active or not, filtered by town, state and part of the name."""
    query = _of_town(select(TownAgent), town)
    if active is not None:
        query = query.where(TownAgent.active.is_(active))
    if name and name.strip():
        query = query.where(
            TownAgent.name.ilike(contains_pattern(name.strip()), escape=LIKE_ESCAPE)
        )
    return _in_directory_order(query)


def grouped_by_town(agents: Iterable[TownAgent]) -> list[tuple[str, list[TownAgent]]]:
    """Agents already in directory order, as (town, its agents) pairs."""
    return [(town, list(group)) for town, group in groupby(agents, key=attrgetter("town"))]


def training_current(agent: TownAgent) -> bool:
    """Whether a course the agent passed counts today (AGENT_TRAINING_VALID_MONTHS)."""
    return agent.training_current_on(
        local_today(), current_app.config["AGENT_TRAINING_VALID_MONTHS"]
    )


def with_current_training(agents: Iterable[TownAgent]) -> set[int]:
    """The ids of those agents whose training counts today."""
    return {agent.id for agent in agents if training_current(agent)}


def _of_town(query: Select, town: str | None) -> Select:
    return query.where(TownAgent.town == town) if town else query


def _in_directory_order(query: Select) -> Select:
    """Towns in the region's configured order (not the collation's), then village and name."""
    towns = region_towns()
    town_position = case(
        {town: position for position, town in enumerate(towns)},
        value=TownAgent.town,
        else_=len(towns),
    )
    return query.order_by(
        town_position, TownAgent.town, TownAgent.village, TownAgent.name, TownAgent.id
    ).options(selectinload(TownAgent.trainings))
