"""The demo shows overdue work of every kind with accountable people, escalations already
made, and supervisors' evaluations of the regulators."""

from collections import Counter

import pytest
from flask_babel import force_locale

from registry.dates import local_today
from registry.db import db
from registry.supervision.items import Kind, deadline_items
from registry.supervision.models import Escalation, RegulatorEvaluation
from tests.supervision.conftest import count

# A right of the agency and a signature still valid: never overdue.
NEVER_OVERDUE = {Kind.OBJECTION_WINDOW, Kind.COMMITMENT_LAPSING}


@pytest.mark.demo_data("accounts", "load")
def test_demo_shows_overdue_work_of_every_kind(app, runner, demo_data):
    app.config["DEMO_MODE"] = True
    result = demo_data["load"]
    assert result.exit_code == 0, result.output
    with force_locale("en"):
        items = deadline_items(local_today())
    overdue = Counter(item.kind for item in items if item.is_overdue)
    assert set(overdue) == set(Kind) - NEVER_OVERDUE
    assert {item.kind for item in items} == set(Kind)
    assert all(item.accountable_name for item in items)
    assert count(Escalation) > 0
    assert count(RegulatorEvaluation) >= 2
    db.session.remove()
    again = runner.invoke(args=["jobs", "daily"])
    assert "escalation: 0 overdue item(s) escalated" in again.output
