"""The demo cases: every state, on the demo agencies; the same for a seed; loaded once."""

from collections import Counter

import pytest
from sqlalchemy import select

from blacklist import demo
from blacklist.models import BlacklistCase, CaseState, RepairApplication
from blacklist.queries import window_open
from registry.accounts.models import Account
from registry.agencies import demo as agencies_demo
from registry.agencies.listing import is_listed
from registry.dates import local_today
from registry.db import db


def _load(app, runner) -> Counter:
    app.config["DEMO_MODE"] = True
    runner.invoke(args=["demo", "accounts"])
    agencies_demo.load(7)
    counts = Counter()
    demo.load(7, counts)
    db.session.commit()
    return counts


@pytest.mark.slow
def test_the_demo_has_cases_in_every_state(app, runner):
    counts = _load(app, runner)
    today = local_today()
    cases = db.session.execute(select(BlacklistCase)).scalars().all()
    assert {case.state_on(today) for case in cases} == set(CaseState)
    assert {case.state for case in cases} == {state.value for state in CaseState}
    assert counts["blacklist_listed"] == 3
    notified = [case for case in cases if case.state == "notified"]
    assert sorted(window_open(case, today) for case in notified) == [False, True]
    demo_agency = db.session.execute(
        select(Account.agency_id).where(Account.email == "agency@example.com")
    ).scalar()
    assert any(case.agency_id == demo_agency and window_open(case, today) for case in notified)
    listed_now = [case for case in cases if case.listed_on(today)]
    assert len(listed_now) == 2
    assert all(is_listed(case.agency, today) for case in listed_now)
    pending = db.session.execute(select(RepairApplication.status)).scalars().all()
    assert sorted(pending) == ["approved", "pending"]


@pytest.mark.slow
def test_the_demo_is_loaded_once(app, runner):
    _load(app, runner)
    counts = Counter()
    demo.load(7, counts)
    assert counts == Counter()
    assert len(db.session.execute(select(BlacklistCase.id)).all()) == len(demo.PLANS)
