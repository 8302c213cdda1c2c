"""Fixtures for statistics: a clock in late November 2026 and hand-made rows (complaints,
engagements, listings) whose dates and outcomes the test chooses."""

import random
from datetime import date

import pytest

from blacklist.models import BlacklistCase
from ratings.complaints.models import Complaint
from ratings.engagements.models import Engagement
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise, FeeSchedule
from registry.db import db
from tests import factories
from tests.factories import ENGLISH, page_text  # noqa: F401 (re-exported for the tests)

TODAY = date(2026, 11, 27)
COMPLAINANT = "钱投诉人"
COMPLAINT_TEXT = "收费超过公示标准，联系电话13900001111。"
ENTERPRISE = "江阴澄星精密机械制造有限公司"


@pytest.fixture
def clock(monkeypatch):
    clock = factories.Clock(monkeypatch)
    clock.set(TODAY)
    return clock


class Records:
    """Rows as the workflows leave them, written directly: only what the figures read."""

    def __init__(self, make_account, make_agency, make_service_item):
        self.complainant = make_account("enterprise", name=COMPLAINANT)
        self.reviewer = make_account("reviewer", name="吴复核")
        self.agency = make_agency("active", category="surveying")
        self.enterprise = Enterprise(credit_code=generate_credit_code(random.Random(11)))
        self.enterprise.set_name(ENTERPRISE)
        db.session.add(self.enterprise)
        db.session.commit()
        self._make_service_item = make_service_item
        self._schedules = {}

    def complaint(self, filed_on, *, status="submitted", category="overcharging", **dates):
        complaint = Complaint(
            complainant_id=self.complainant.id,
            agency_id=self.agency.id,
            category=category,
            text=COMPLAINT_TEXT,
            status=status,
            severity="major" if status == "substantiated" else None,
            filed_on=filed_on,
            accept_days=5,
            response_days=10,
            conclude_days=30,
            **dates,
        )
        db.session.add(complaint)
        db.session.commit()
        return complaint

    def concluded(self, filed_on, concluded_on, *, status="substantiated", accepted_on=None):
        return self.complaint(
            filed_on,
            status=status,
            accepted_on=accepted_on or filed_on,
            concluded_on=concluded_on,
        )

    def engagement(self, item, start, *, fee=1000, cap=None, status="confirmed", **facts):
        schedule = self._schedule(item)
        engagement = Engagement(
            enterprise_id=self.enterprise.id,
            agency_id=self.agency.id,
            fee_schedule_id=schedule.id,
            service_item_id=item.id,
            agreed_fee_fen=fee * 100,
            unit="项",
            start_date=start,
            promised_days=10,
            published_max_fen=1000 * 100,
            cap_fen=cap,
            overcharge_fen=max(0, fee - 1000) * 100,
            status=status,
            **facts,
        )
        db.session.add(engagement)
        db.session.commit()
        return engagement

    def _schedule(self, item):
        if item.id not in self._schedules:
            schedule = FeeSchedule(
                agency_id=self.agency.id,
                service_item_id=item.id,
                fee_min_fen=50000,
                fee_max_fen=100000,
                unit="项",
                basis="市场调节价",
                promised_days=10,
                effective_from=date(2026, 1, 1),
            )
            db.session.add(schedule)
            db.session.commit()
            self._schedules[item.id] = schedule
        return self._schedules[item.id]

    def listing(self, agency, ground, listed_from, *, state="listed", years=1):
        case = BlacklistCase(
            agency_id=agency.id,
            state=state,
            ground=ground,
            facts="经调查属实。",
            legal_basis="《办法》第十八条",
            proposed_on=listed_from,
            decision_number=f"澄监黑〔{listed_from.year}〕{agency.id}{ground[:3]}号",
            deciding_authority="江阴市行政审批局",
            term_years=years,
            listed_from=listed_from,
            listed_until=date(listed_from.year + years, listed_from.month, listed_from.day),
            decided_on=listed_from,
            decided_by_id=self.reviewer.id,
        )
        db.session.add(case)
        db.session.commit()
        return case


@pytest.fixture
def records(app, clock, make_account, make_agency, make_service_item):
    return Records(make_account, make_agency, make_service_item)
