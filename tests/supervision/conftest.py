"""Fixtures for electronic supervision: a clock the tests set, and a registry holding an item
of every deadline kind, each with its accountable party.

Rows are written directly (the packages' own tests cover how they come about); commitment
signatures go through the signing service, whose receipts need a key.
"""

import html
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from blacklist.models import BlacklistCase, CaseState, RepairApplication
from ratings.complaints.models import Complaint
from ratings.engagements.models import Engagement
from registry import dates
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise, FeeSchedule
from registry.commitments import services as commitment_services
from registry.commitments.services import TemplateDetails
from registry.db import db
from registry.inbox.models import Notice
from tests.factories import sign_letter

ENGLISH = {"Accept-Language": "en"}
SHANGHAI = dates.ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 16)  # a Monday


class Clock:
    """registry.dates.now, set by the test to 10:00 on a day in Shanghai."""

    def __init__(self, monkeypatch):
        self.set(TODAY)
        monkeypatch.setattr(dates, "now", lambda: self.moment)

    def set(self, day: date) -> None:
        self.moment = datetime.combine(day, time(10, 0), SHANGHAI).astimezone(UTC)

    def today(self) -> date:
        return self.moment.astimezone(SHANGHAI).date()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@dataclass
class World:
    regulator: Account
    reviewer: Account
    other_reviewer: Account
    supervisor: Account
    staff: Account
    agency: object
    complainant: Account
    accept: Complaint  # submitted, nobody took it: the regulators
    response: Complaint  # accepted: the agency
    conclusion: Complaint  # investigating, assigned to the regulator
    concluded: Complaint  # unsubstantiated, handled by the regulator
    window: BlacklistCase  # notified, the objection window open
    decision: BlacklistCase  # objection filed long ago: a reviewer
    repair: RepairApplication  # pending for weeks: a reviewer
    engagement: Engagement  # undelivered past its due date
    lapsed_agency: object
    lapsing_agency: object


def days(n: int) -> timedelta:
    return timedelta(days=n)


def _complaint(world_parts, number: int, status: str, **fields) -> Complaint:
    complainant, agency = world_parts
    complaint = Complaint(
        complainant_id=complainant.id,
        agency_id=agency.id,
        category="overcharging",
        text="收费超过公示标准。",
        status=status,
        filed_on=fields.pop("filed_on"),
        accept_days=5,
        response_days=10,
        conclude_days=30,
        reference=f"TS-2026-{number:05d}",
        **fields,
    )
    db.session.add(complaint)
    return complaint


def _case(agency, state: str, proposer, **fields) -> BlacklistCase:
    case = BlacklistCase(
        agency_id=agency.id,
        state=state,
        ground="falsified_report",
        facts="出具虚假测绘报告，经调查属实。",
        legal_basis="《江阴市中介机构信用管理办法》第十八条",
        proposed_by_id=proposer.id,
        proposed_on=fields.pop("proposed_on"),
        **fields,
    )
    db.session.add(case)
    return case


def _sign(agency, user, template, on: date, clock) -> None:
    clock.set(on)
    sign_letter(user, agency, template)


@pytest.fixture
def world(app, clock, make_account, make_agency, make_service_item) -> World:
    regulator = make_account("regulator", name="周监管")
    reviewer = make_account("reviewer", name="吴审核")
    other_reviewer = make_account("reviewer", name="郑审核")
    supervisor = make_account("supervisor", name="冯监督")
    staff = make_account("agency", name="孙机构")
    complainant = make_account("enterprise", name="钱投诉")
    agency = make_agency("active", name="江阴华澄测绘有限公司", users=[staff])
    lapsed_user = make_account("agency", name="赵过期")
    lapsed_agency = make_agency("active", name="江阴明远工程咨询有限公司", users=[lapsed_user])
    lapsing_user = make_account("agency", name="钱将过期")
    lapsing_agency = make_agency("active", name="江阴信达评估有限公司", users=[lapsing_user])

    # Commitments: one signed 13 months ago (lapsed), one 11.5 months ago (ends soon).
    clock.set(TODAY - days(420))
    template = commitment_services.draft_template(
        SYSTEM,
        TemplateDetails(
            title_zh="中介机构服务承诺书",
            title_en="Commitment letter",
            body_zh="一、严格执行公示的收费标准。",
            body_en="1. We charge the published fees.",
            validity_months=12,
            requires_resigning=False,
            grace_days=30,
        ),
    )
    commitment_services.publish_template(SYSTEM, template)
    db.session.commit()
    _sign(lapsed_agency, lapsed_user, template, TODAY - days(395), clock)
    _sign(lapsing_agency, lapsing_user, template, TODAY - days(350), clock)
    clock.set(TODAY)

    parts = (complainant, agency)
    accept = _complaint(parts, 1, "submitted", filed_on=TODAY - days(30))
    response = _complaint(
        parts, 2, "accepted", filed_on=TODAY - days(40), accepted_on=TODAY - days(35)
    )
    conclusion = _complaint(
        parts,
        3,
        "investigating",
        filed_on=TODAY - days(80),
        accepted_on=TODAY - days(75),
        assignee_id=regulator.id,
    )
    concluded = _complaint(
        parts,
        4,
        "unsubstantiated",
        filed_on=TODAY - days(90),
        accepted_on=TODAY - days(88),
        assignee_id=regulator.id,
        concluded_on=TODAY - days(50),
        concluded_by_id=regulator.id,
        conclusion_reasons="经核查，收费在公示标准之内。",
    )
    window = _case(
        agency,
        CaseState.NOTIFIED.value,
        regulator,
        proposed_on=TODAY - days(5),
        notified_on=TODAY - days(2),
        notified_by_id=regulator.id,
        objection_days=10,
    )
    decision = _case(
        agency,
        CaseState.OBJECTION_FILED.value,
        regulator,
        proposed_on=TODAY - days(60),
        notified_on=TODAY - days(55),
        notified_by_id=regulator.id,
        objection_days=10,
        objection_text="我方有异议。",
        objection_at=datetime.combine(TODAY - days(50), time(2, 0)),
    )
    listed = _case(
        agency,
        CaseState.LISTED.value,
        regulator,
        proposed_on=TODAY - days(300),
        decided_by_id=reviewer.id,
        decided_on=TODAY - days(250),
        decision_number="澄审信黑〔2026〕1号",
        deciding_authority="江阴市行政审批局",
        term_years=2,
        listed_from=TODAY - days(250),
        listed_until=TODAY + days(480),
    )
    db.session.flush()
    repair = RepairApplication(
        case_id=listed.id,
        statement="已全面整改。",
        applied_by_id=staff.id,
        applied_on=TODAY - days(40),
    )
    db.session.add(repair)

    item = make_service_item(name="建设工程规划放线测量")
    enterprise = Enterprise(credit_code=generate_credit_code(random.Random(9)))
    enterprise.set_name("江阴澄星精密机械制造有限公司")
    db.session.add(enterprise)
    schedule = FeeSchedule(
        agency_id=agency.id,
        service_item_id=item.id,
        fee_min_fen=50000,
        fee_max_fen=80000,
        unit=item.unit,
        basis="按项目收费",
        promised_days=5,
        effective_from=date(2026, 1, 1),
    )
    db.session.add(schedule)
    db.session.flush()
    engagement = Engagement(
        enterprise_id=enterprise.id,
        agency_id=agency.id,
        fee_schedule_id=schedule.id,
        service_item_id=item.id,
        agreed_fee_fen=70000,
        unit=item.unit,
        start_date=TODAY - days(30),
        promised_days=5,
        published_max_fen=80000,
        status="open",
        accepted_by_id=staff.id,
    )
    db.session.add(engagement)
    db.session.commit()
    return World(
        regulator=regulator,
        reviewer=reviewer,
        other_reviewer=other_reviewer,
        supervisor=supervisor,
        staff=db.session.get(Account, staff.id),
        agency=agency,
        complainant=complainant,
        accept=accept,
        response=response,
        conclusion=conclusion,
        concluded=concluded,
        window=window,
        decision=decision,
        repair=repair,
        engagement=engagement,
        lapsed_agency=lapsed_agency,
        lapsing_agency=lapsing_agency,
    )


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def notices_to(account, kind: str) -> list[Notice]:
    return list(
        db.session.execute(
            select(Notice).where(Notice.recipient_id == account.id, Notice.kind == kind)
        ).scalars()
    )


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))
