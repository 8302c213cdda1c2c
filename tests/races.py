"""Reading the outcomes of the `race` fixture (tests/conftest.py): what each act returned, or
the exception it raised."""

from registry.db import db


def attached(row):
    """The row in the current session (an act's own, or the test's after the race)."""
    return db.session.get(type(row), row.id, populate_existing=True)


def successes(outcomes) -> list:
    return [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]


def the_refusal(outcomes, refusal: type[Exception]) -> Exception:
    """The one refusal among the outcomes: every other act succeeded, none crashed."""
    crashes = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, refusal)]
    assert not crashes, outcomes
    refusals = [outcome for outcome in outcomes if isinstance(outcome, refusal)]
    assert len(refusals) == 1, outcomes
    return refusals[0]


def names(refusal: Exception, winner, when: str | None = None) -> None:
    """The refusal says who acted first (their display name) and, if given, when."""
    text = str(refusal)
    assert winner.display_name in text, text
    if when is not None:
        assert when in text, text
