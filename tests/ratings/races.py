"""Reading what two acts run at once by the `race` fixture (tests/conftest.py) came to: one
success and one refusal that names who acted first and when."""


def one_refused(outcomes: list, error: type[Exception]) -> Exception:
    """The one refusal among the outcomes; every other act succeeded. A crash instead of a
    refusal (a unique key's IntegrityError, a stale row's error) fails here too."""
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(failures) == 1, outcomes
    assert isinstance(failures[0], error), outcomes
    return failures[0]


def winner(outcomes: list, *people):
    """Who acted in the act that succeeded: people[i] played outcomes[i]."""
    [found] = [
        person
        for person, outcome in zip(people, outcomes, strict=True)
        if not isinstance(outcome, BaseException)
    ]
    return found


def names(refusal: Exception, account, when: str) -> bool:
    """The refusal says who acted first and when (the time as the clock read, local)."""
    text = str(refusal)
    return account.display_name in text and when in text
