"""Fixtures for complaints: the parties, evidence files as browsers send them, a clock."""

import html
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ratings.complaints import services
from ratings.complaints.models import Complaint
from registry import dates
from registry.accounts.models import Account
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice

ENGLISH = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def upload(data: bytes = PDF, name: str = "receipt.pdf") -> FileStorage:
    """A file as the browser sends it (its claimed type is ignored by the server)."""
    return FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")


class Clock:
    """registry.dates.now, set by the test: clock.set(date(2026, 9, 29)) is 10:00 in Jiangyin."""

    def __init__(self, monkeypatch):
        self.moment = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)
        monkeypatch.setattr(dates, "now", lambda: self.moment)

    def set(self, day: date) -> None:
        self.moment = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@dataclass
class Parties:
    complainant: Account  # an enterprise user
    agency: object
    staff: Account  # the agency's user
    regulator: Account
    reviewer: Account
    other_regulator: Account


@pytest.fixture
def parties(app, make_account, make_agency, clock):
    complainant = make_account("enterprise", name="钱投诉")
    enterprise = Enterprise(credit_code=generate_credit_code(random.Random(7)))
    enterprise.set_name("江阴澄星精密机械制造有限公司")
    db.session.add(enterprise)
    db.session.flush()
    complainant.enterprise_id = enterprise.id
    db.session.commit()
    staff = make_account("agency", name="孙机构")
    agency = make_agency("active", name="江阴华澄测绘有限公司", users=[staff])
    staff = db.session.get(Account, staff.id)
    return Parties(
        complainant=complainant,
        agency=agency,
        staff=staff,
        regulator=make_account("regulator", name="周监管"),
        reviewer=make_account("reviewer", name="吴审核"),
        other_regulator=make_account("regulator", name="郑监管"),
    )


def file(parties: Parties, *, category="overcharging", files=(), text=None, by=None) -> Complaint:
    """File a complaint through the service and commit it."""
    complaint = services.file_complaint(
        by or parties.complainant,
        services.ComplaintDetails(
            agency=parties.agency,
            category=category,
            text=text or "收费超过公示标准：公示最高1200元，实际收取2000元。",
            files=list(files),
        ),
    )
    db.session.commit()
    return complaint


def accepted(parties: Parties, **kwargs) -> Complaint:
    complaint = file(parties, **kwargs)
    services.accept_complaint(parties.regulator, complaint)
    db.session.commit()
    return complaint


def investigating(parties: Parties, **kwargs) -> Complaint:
    complaint = accepted(parties, **kwargs)
    services.respond_to_complaint(parties.staff, complaint, "我方按公示标准收费，另收的是加急费。")
    db.session.commit()
    return complaint


def refused(call, match: str, error=services.ComplaintError):
    """Run a service call expecting a refusal in English; roll back like a view would."""
    with force_locale("en"), pytest.raises(error, match=match):
        call()
    db.session.rollback()


def count(model, *conditions) -> int:
    return db.session.execute(
        select(func.count()).select_from(model).where(*conditions)
    ).scalar_one()


def notices_to(account, kind: str) -> list[Notice]:
    return list(
        db.session.execute(
            select(Notice).where(Notice.recipient_id == account.id, Notice.kind == kind)
        ).scalars()
    )


def actions_on(complaint) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "complaint", AuditEvent.object_id == str(complaint.id))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def page_text(response) -> str:
    """The page's HTML with entities decoded (an apostrophe is sent as &#39;)."""
    return html.unescape(response.get_data(as_text=True))
