"""Fixtures for engagements: a clock set to a day, a hiring enterprise, an agency with a
published fee for a government-guided service, and commitments for fair draws."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ratings.engagements import services
from ratings.engagements.models import Engagement
from registry import dates
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise, FeeSchedule, fen
from registry.audit.models import AuditEvent
from registry.commitments import services as commitment_services
from registry.commitments.services import TemplateDetails
from registry.db import db
from registry.inbox.models import Notice
from tests.factories import sign_letter

ENGLISH = {"Accept-Language": "en"}
SHANGHAI = dates.ZoneInfo("Asia/Shanghai")


class Clock:
    """registry.dates.now, set by the test to a day in Shanghai: `clock.set(date(2026, 10, 9))`."""

    def __init__(self, monkeypatch):
        self.set(date(2026, 9, 28))
        monkeypatch.setattr(dates, "now", lambda: self.moment)

    def set(self, day: date) -> None:
        self.moment = datetime.combine(day, time(10, 0), SHANGHAI).astimezone(UTC)

    def today(self) -> date:
        return self.moment.astimezone(SHANGHAI).date()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def make_enterprise(app):
    import random

    rng = random.Random(6)
    counter = iter(range(1, 1000))

    def make(name: str | None = None, users=()):
        enterprise = Enterprise(credit_code=generate_credit_code(rng))
        enterprise.set_name(name or f"江阴测试机械有限公司{next(counter)}")
        db.session.add(enterprise)
        db.session.flush()
        for account in users:
            db.session.merge(account).enterprise_id = enterprise.id
        db.session.commit()
        return enterprise

    return make


@pytest.fixture
def publish_fee(app):
    """publish_fee(agency, item, fee_max="800", promised_days=5, effective_from=...)."""

    def publish(agency, item, *, fee_min="500", fee_max="800", promised_days=5, **period):
        schedule = FeeSchedule(
            agency_id=agency.id,
            service_item_id=item.id,
            fee_min_fen=fen(Decimal(fee_min)),
            fee_max_fen=fen(Decimal(fee_max)),
            unit=item.unit,
            basis="按项目收费",
            promised_days=promised_days,
            effective_from=period.get("effective_from", date(2026, 1, 1)),
            effective_to=period.get("effective_to"),
        )
        db.session.add(schedule)
        db.session.commit()
        return schedule

    return publish


@dataclass
class World:
    enterprise: Enterprise
    enterprise_user: Account
    agency: object
    agency_user: Account
    item: object
    schedule: FeeSchedule


@pytest.fixture
def world(clock, make_account, make_agency, make_service_item, make_enterprise, publish_fee):
    """An enterprise and an agency, each with a user; a guided service capped at 1000 yuan
    that the agency offers for 500–800 yuan within 5 working days."""
    enterprise_user = make_account("enterprise", name="王企业")
    agency_user = make_account("agency", name="李机构")
    enterprise = make_enterprise("江阴澄星精密机械制造有限公司", users=[enterprise_user])
    agency = make_agency("active", name="江阴澄信测绘有限公司", users=[agency_user])
    item = make_service_item(pricing="government_guided", cap="1000", name="建设工程规划放线测量")
    schedule = publish_fee(agency, item)
    return World(
        enterprise,
        db.session.merge(enterprise_user),
        agency,
        db.session.merge(agency_user),
        item,
        schedule,
    )


def details(world, **changes) -> services.EngagementDetails:
    values = {
        "agency_id": world.agency.id,
        "service_item_id": world.item.id,
        "agreed_fee": Decimal("700"),
        "start_date": date(2026, 9, 28),
        "project": "新厂房规划放线",
        **changes,
    }
    return services.EngagementDetails(**values)


def recorded(world, **changes) -> Engagement:
    engagement = services.record_engagement(
        world.enterprise_user, world.enterprise, details(world, **changes)
    )
    db.session.commit()
    return engagement


def accepted(world, **changes) -> Engagement:
    engagement = recorded(world, **changes)
    services.accept_engagement(world.agency_user, engagement)
    db.session.commit()
    return engagement


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def actions(prefix: str) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def notices_of(account) -> list[str]:
    return list(
        db.session.execute(
            select(Notice.kind).where(Notice.recipient_id == account.id).order_by(Notice.id)
        ).scalars()
    )


@pytest.fixture
def commit_letter(app):
    """commit_letter(agency, user): the agency signs the current commitment letter."""
    state = {}

    def sign(agency, user):
        if "template" not in state:
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
            state["template"] = template
        template = state["template"]
        sign_letter(user, agency, template)

    return sign


def days(n: int) -> timedelta:
    return timedelta(days=n)
