"""Two regulators acting on the same town agent at once: one succeeds, the other is told who
did and when. On PostgreSQL the acts overlap; on SQLite they run in turn."""

from registry.agents import services
from registry.agents.models import TrainingRecord
from registry.agents.services import AgentError
from tests.agents.conftest import actions_on
from tests.factories import count
from tests.races import attached, names, the_refusal


def test_an_agent_deactivated_twice_at_once_is_deactivated_once(make_account, make_agent, race):
    regulators = make_account("regulator", name="周监管"), make_account("regulator", name="吴审核")
    agent = make_agent()

    def deactivate(regulator):
        def act():
            actor, row = attached(regulator), attached(agent)
            yield
            services.set_agent_active(actor, row, False)

        return act

    outcomes = race(*(deactivate(regulator) for regulator in regulators))

    refusal = the_refusal(outcomes, AgentError)
    names(refusal, regulators[1] if isinstance(outcomes[0], AgentError) else regulators[0])
    assert not attached(agent).active
    assert actions_on(agent).count("agent.deactivated") == 1


def test_a_training_removed_twice_at_once_is_removed_once(make_account, make_agent, race):
    regulators = make_account("regulator", name="周监管"), make_account("regulator", name="吴审核")
    agent = make_agent(trained=3)
    (training,) = attached(agent).trainings

    def remove(regulator):
        def act():
            actor, row = attached(regulator), attached(training)
            yield
            if row is None:
                return "not found"  # read after the removal (SQLite: in turn): the page's 404
            services.remove_training(actor, row)

        return act

    outcomes = race(*(remove(regulator) for regulator in regulators))

    assert outcomes.count(None) == 1, outcomes  # one removal
    (other,) = [outcome for outcome in outcomes if outcome is not None]
    if other != "not found":
        assert isinstance(other, AgentError), outcomes
        names(other, regulators[0] if outcomes[0] is None else regulators[1])
    assert count(TrainingRecord) == 0
    assert actions_on(agent).count("agent.training_removed") == 1
