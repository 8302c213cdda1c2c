"""A passed course counts as current training for AGENT_TRAINING_VALID_MONTHS months."""

from registry.agents.queries import training_current, with_current_training
from tests.agents.conftest import months_ago


def test_training_three_months_old_is_current(make_agent):
    assert training_current(make_agent(trained=3))


def test_training_thirty_months_old_is_not_current(make_agent):
    assert not training_current(make_agent(trained=30))


def test_a_failed_course_does_not_count(make_agent):
    assert not training_current(make_agent(trained=3, passed=False))


def test_an_agent_without_training_is_not_current(make_agent):
    assert not training_current(make_agent())


def test_the_validity_follows_the_configuration(app, make_agent):
    agent = make_agent(trained=30)
    app.config["AGENT_TRAINING_VALID_MONTHS"] = 36
    assert with_current_training([agent]) == {agent.id}


def test_validity_ends_on_the_same_day_of_the_month(make_agent):
    agent = make_agent(trained=3)
    [record] = agent.trainings
    assert record.counts_on(months_ago(0), valid_months=4)
    assert not record.counts_on(months_ago(0), valid_months=3)
