"""Fixtures for star overrides: the parties, a clock the tests set, overrides in each state."""

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from ratings.overrides import services
from ratings.overrides.models import RatingOverride
from registry import dates
from registry.accounts.models import Account
from registry.agencies.models import Agency
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from tests.conftest import PASSWORD

ENGLISH = {"Accept-Language": "en"}
TODAY = date(2026, 9, 29)
REASON = "该机构在2026年防汛应急测绘中连续作业，服务质量经多家企业书面确认，予以上调。"


class Clock:
    """registry.dates.now, set by the test: clock.set(date(2026, 9, 29)) is 10:00 in Jiangyin."""

    def __init__(self, monkeypatch):
        self.set(TODAY)
        monkeypatch.setattr(dates, "now", lambda: self.moment)

    def set(self, day: date) -> None:
        self.moment = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@dataclass
class Parties:
    agency: Agency
    staff: Account
    regulator: Account  # proposes
    reviewer: Account  # decides
    other_reviewer: Account


@pytest.fixture
def parties(app, make_account, make_agency, clock):
    staff = make_account("agency", name="孙机构")
    agency = make_agency("active", name="江阴华澄测绘有限公司", users=[staff])
    return Parties(
        agency=agency,
        staff=db.session.get(Account, staff.id),
        regulator=make_account("regulator", name="周监管"),
        reviewer=make_account("reviewer", name="吴审核"),
        other_reviewer=make_account("reviewer", name="郑审核"),
    )


def proposal(stars=5, ends_on=date(2027, 3, 31), reason=REASON) -> services.OverrideProposal:
    return services.OverrideProposal(stars=stars, ends_on=ends_on, reason=reason)


def proposed(parties, *, by=None, **kwargs) -> RatingOverride:
    override = services.propose_override(
        by or parties.regulator, attached(parties.agency), proposal(**kwargs)
    )
    db.session.commit()
    return override


def approved(parties, **kwargs) -> RatingOverride:
    override = proposed(parties, **kwargs)
    services.decide_override(parties.reviewer, override, "approve", "理由充分，同意。", PASSWORD)
    db.session.commit()
    return override


def attached(row):
    """The row in the test's session (after requests, whose sessions are separate)."""
    return db.session.get(type(row), row.id, populate_existing=True)


def refused(call, match: str | None, error=services.OverrideError):
    """Run a service call expecting a refusal in English; roll back like a view would."""
    with force_locale("en"), pytest.raises(error, match=match) as caught:
        call()
    db.session.rollback()
    return caught.value


def notices_to(account, kind: str) -> list[Notice]:
    return list(
        db.session.execute(
            select(Notice).where(Notice.recipient_id == account.id, Notice.kind == kind)
        ).scalars()
    )


def actions_on(override) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "rating_override",
                AuditEvent.object_id == str(override.id),
            )
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))
