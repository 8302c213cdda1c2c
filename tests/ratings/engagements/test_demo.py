"""The demo engagements: every state, overdue and overcharged ones, draws that re-run,
reviews with replies and one hidden; loaded once."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from ratings.engagements import demo
from ratings.engagements.draws import rerun
from ratings.engagements.models import (
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    FairDraw,
    Review,
)
from ratings.engagements.queries import overdue_engagements
from registry.dates import local_today
from registry.db import db
from tests.ratings.engagements.conftest import ENGLISH


@pytest.mark.demo_data("accounts", "load")
def test_demo_engagements_cover_every_state_and_load_once(app, client, auth, demo_data):
    app.config["DEMO_MODE"] = True
    assert demo_data["load"].exit_code == 0
    counts = Counter()
    demo.load(2026, counts)  # `flask demo load` calls it too; a second call adds nothing
    db.session.commit()
    assert not counts
    assert db.session.execute(select(func.count(Engagement.id))).scalar_one() > 100
    states = set(db.session.execute(select(Engagement.status)).scalars())
    assert states == {status.value for status in EngagementStatus}
    assert overdue_engagements(local_today())
    assert db.session.execute(
        select(func.count()).where(Engagement.overcharge_fen > 0)
    ).scalar_one()
    assert {row for row in db.session.execute(select(ExtensionRequest.status)).scalars()} >= {
        "accepted",
        "refused",
    }
    draws = db.session.execute(select(FairDraw)).scalars().all()
    assert draws
    assert all(rerun(draw).matches for draw in draws)
    assert any(draw.engagement is not None for draw in draws)
    assert db.session.execute(select(func.count()).where(Review.reply.is_not(None))).scalar_one()
    assert (
        db.session.execute(select(func.count()).where(Review.hidden_at.is_not(None))).scalar_one()
        == 1
    )

    auth.login("enterprise@example.com", "demo-pass-2026")
    assert client.get("/my/enterprise/engagements", headers=ENGLISH).status_code == 200
    auth.logout()
    auth.login("agency@example.com", "demo-pass-2026")
    listing = client.get("/my/agency/engagements", headers=ENGLISH).get_data(as_text=True)
    assert 'data-testid="engagement-row"' in listing
