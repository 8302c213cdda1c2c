"""The demo data: inspections of most agencies (one withdrawn), evaluations by the demo
supervisor and by invited ones; loaded once."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from ratings.assessments import demo
from ratings.assessments.models import Inspection, SupervisorEvaluation
from registry.accounts.models import Account
from registry.agencies import demo as registry_demo
from registry.agencies.categories import AgencyStatus
from registry.agencies.models import Agency
from registry.db import db
from tests.ratings.assessments.conftest import ENGLISH

SEED = 7


def load_demo(app, runner) -> Counter:
    app.config["DEMO_MODE"] = True
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    counts = registry_demo.load(SEED)
    demo.load(SEED, counts)
    db.session.commit()
    return counts


def scalar(query):
    return db.session.execute(query).scalar_one()


@pytest.mark.slow
def test_demo_assessments_cover_most_agencies_and_every_state(app, runner, clock, client, auth):
    counts = load_demo(app, runner)
    active = scalar(select(func.count(Agency.id)).where(Agency.status == AgencyStatus.ACTIVE))
    inspected_active = scalar(
        select(func.count(func.distinct(Inspection.agency_id)))
        .join(Agency, Agency.id == Inspection.agency_id)
        .where(Agency.status == AgencyStatus.ACTIVE)
    )
    assert inspected_active > active * 0.7
    assert (
        scalar(select(func.count(Inspection.id)).where(Inspection.withdrawn_at.is_not(None))) == 1
    )
    assert counts["inspections_withdrawn"] == 1
    assert scalar(select(func.count(Inspection.id)).where(Inspection.report_file_id.is_not(None)))
    assert scalar(select(func.max(Inspection.inspected_on))) <= clock.today()

    invited = (
        db.session.execute(select(Account).where(Account.email.like("supervisor.%@demo.example")))
        .scalars()
        .all()
    )
    assert len(invited) == 4
    assert not any(account.active for account in invited)

    auth.login("supervisor@example.com", "demo-pass-2026")
    page = client.get("/supervisor/evaluations", headers=ENGLISH).get_data(as_text=True)
    assert page.count(">Change</a>") == 2, "two evaluations of this quarter can still change"
    auth.logout()
    auth.login("agency@example.com", "demo-pass-2026")
    mine = client.get("/my/agency/inspections", headers=ENGLISH).get_data(as_text=True)
    assert 'data-state="withdrawn"' in mine
    assert 'data-testid="report-link"' in mine


@pytest.mark.slow
def test_demo_assessments_are_loaded_once(app, runner, clock):
    load_demo(app, runner)
    evaluations = db.session.execute(
        select(SupervisorEvaluation.agency_id, SupervisorEvaluation.score).order_by(
            SupervisorEvaluation.id
        )
    ).all()
    again = Counter()
    demo.load(SEED, again)
    assert again == Counter()
    assert scalar(select(func.count(SupervisorEvaluation.id))) == len(evaluations)
    assert evaluations, "the demo has evaluations"
