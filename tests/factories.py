"""Shared test factories for complaints and the blacklist: files as browsers send them, a
clock the test sets, complaints filed through the workflow or written as concluded rows,
and small readers of what the database holds afterwards.

The conftests of tests/ratings/complaints and tests/blacklist re-export these names, with
their own `parties` (any object with `complainant`, `agency`, `staff` and `regulator`).
"""

import html
import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ratings.complaints import services as complaint_services
from ratings.complaints.models import CommitmentBreach, Complaint
from registry import dates
from registry.accounts.models import Account
from registry.audit.models import AuditEvent
from registry.commitments import services as commitment_services
from registry.commitments.receipts import letter_text, text_sha256
from registry.commitments.services import SigningDetails
from registry.db import db
from registry.inbox.models import Notice
from tests.conftest import PASSWORD

ENGLISH = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
COMPLAINT_TEXT = "收费超过公示标准：公示最高1200元，实际收取2000元。"


def upload(data: bytes = PDF, name: str = "evidence.pdf") -> FileStorage:
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


# --- complaints through the workflow ---------------------------------------------------------


def file(parties, *, category="overcharging", files=(), text=None, by=None) -> Complaint:
    """File a complaint against parties.agency through the service and commit it."""
    complaint = complaint_services.file_complaint(
        by or parties.complainant,
        complaint_services.ComplaintDetails(
            agency=parties.agency,
            category=category,
            text=text or COMPLAINT_TEXT,
            files=list(files),
        ),
    )
    db.session.commit()
    return complaint


def accepted(parties, **kwargs) -> Complaint:
    complaint = file(parties, **kwargs)
    complaint_services.accept_complaint(parties.regulator, complaint)
    db.session.commit()
    return complaint


def investigating(parties, **kwargs) -> Complaint:
    complaint = accepted(parties, **kwargs)
    complaint_services.respond_to_complaint(
        parties.staff, complaint, "我方按公示标准收费，另收的是加急费。"
    )
    db.session.commit()
    return complaint


def conclude(parties, complaint, outcome="substantiated", severity="serious") -> Complaint:
    """Conclude an investigated complaint as its assignee (the regulator who accepted it)."""
    complaint_services.conclude_complaint(
        parties.regulator,
        complaint,
        outcome,
        severity if outcome == "substantiated" else None,
        "经调查属实。" if outcome == "substantiated" else "经调查不属实。",
    )
    db.session.commit()
    return complaint


# --- concluded complaints as rows (for readers such as the blacklist's rules) ----------------


def substantiated(agency, *, severity="serious", category="overcharging", on=None, breach=False):
    """A complaint concluded substantiated (rows only: no workflow, no notices, no signal)."""
    complainant = db.session.execute(
        select(Account).where(Account.role == "enterprise").limit(1)
    ).scalar_one_or_none()
    if complainant is None:
        complainant = Account(
            email="complainant@example.org", display_name="钱投诉", role="enterprise"
        )
        complainant.set_password(PASSWORD)
        db.session.add(complainant)
        db.session.flush()
    day = on or dates.local_today()
    complaint = Complaint(
        complainant_id=complainant.id,
        agency_id=agency.id,
        category=category,
        text="收费超过公示标准。",
        status="substantiated",
        severity=severity,
        filed_on=day,
        accept_days=5,
        response_days=10,
        conclude_days=30,
        accepted_on=day,
        conclusion_reasons="经调查属实。",
        concluded_on=day,
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.reference = f"TS-{day.year}-{complaint.id:05d}"
    if breach:
        db.session.add(
            CommitmentBreach(
                complaint_id=complaint.id,
                agency_id=agency.id,
                category=category,
                severity=severity,
                recorded_on=day,
            )
        )
    db.session.commit()
    return complaint


# --- reading the outcome ---------------------------------------------------------------------


def refused(call, match: str | None, error):
    """Run a service call expecting a refusal in English; roll back like a view would."""
    with force_locale("en"), pytest.raises(error, match=match) as caught:
        call()
    db.session.rollback()
    return caught.value


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


def actions_on(row) -> list[str]:
    """The audit log's actions on one row, in order (its object type is its table)."""
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == row.__tablename__, AuditEvent.object_id == str(row.id))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def page_text(response) -> str:
    """The page's HTML with entities decoded (an apostrophe is sent as &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def sign_letter(user, agency, template) -> None:
    """`user` signs `template` (published) for `agency` in Chinese, through the service."""
    text = letter_text(template.title("zh_CN"), template.body("zh_CN"))
    commitment_services.sign_commitment(
        db.session.merge(user),
        agency,
        SigningDetails(
            template_id=template.id,
            language="zh_CN",
            text_sha256=text_sha256(text),
            signer_name="王承诺",
            signer_title="总经理",
            consent=True,
            password=PASSWORD,
        ),
    )
    db.session.commit()
