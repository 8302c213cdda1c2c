"""The demo overrides: one approved and in force, one waiting that the demo reviewer decides."""

import pytest
from sqlalchemy import select

from ratings.overrides import demo
from ratings.overrides.models import OverrideState, RatingOverride
from ratings.overrides.permissions import can_decide_override
from ratings.overrides.queries import overrides_in_force
from registry.accounts.models import Account
from registry.agencies import demo as registry_demo
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db

SEED = 7


@pytest.mark.slow
def test_the_demo_has_an_override_in_force_and_one_to_decide(app, runner, clock):
    app.config["DEMO_MODE"] = True
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    counts = registry_demo.load(SEED)
    demo.load(SEED, counts)
    db.session.commit()
    demo.load(SEED, counts)  # a second run adds nothing
    db.session.commit()
    overrides = db.session.execute(select(RatingOverride).order_by(RatingOverride.id)).scalars()
    approved, waiting = list(overrides)
    assert approved.state == OverrideState.APPROVED
    assert waiting.state == OverrideState.PROPOSED
    assert approved.agency_id != waiting.agency_id
    assert overrides_in_force([approved.agency_id], local_today())
    agency = db.session.get(Agency, approved.agency_id, populate_existing=True)
    assert agency.stars == approved.stars
    reviewer = db.session.execute(
        select(Account).where(Account.email == "reviewer@example.com")
    ).scalar_one()
    assert can_decide_override(reviewer, waiting)
    assert waiting.proposed_by.email == "regulator@example.com"
