"""Fixtures for blacklist cases: the parties, a clock the tests set, cases in each state."""

import html
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from blacklist import services
from blacklist.models import BlacklistCase
from ratings.complaints.models import CommitmentBreach, Complaint
from registry import dates
from registry.accounts.models import Account
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice
from tests.conftest import PASSWORD

ENGLISH = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
FACTS = "2026年6月为江阴澄星精密机械制造有限公司出具的测绘报告数据与现场不符，经核查属实。"
BASIS = "《江阴市中介机构信用管理办法》第十八条"


def upload(data: bytes = PDF, name: str = "rectification.pdf") -> FileStorage:
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
    agency: object
    staff: Account  # the agency's user
    regulator: Account  # proposes and notifies
    reviewer: Account  # decides
    proposing_reviewer: Account  # a reviewer who proposes, so may not decide
    other_agency: object
    other_staff: Account


@pytest.fixture
def parties(app, make_account, make_agency, clock):
    staff = make_account("agency", name="孙机构")
    agency = make_agency("active", name="江阴华澄测绘有限公司", users=[staff])
    other_staff = make_account("agency", name="李他人")
    other = make_agency("active", name="江阴明远工程咨询有限公司", users=[other_staff])
    return Parties(
        agency=agency,
        staff=db.session.get(Account, staff.id),
        regulator=make_account("regulator", name="周监管"),
        reviewer=make_account("reviewer", name="吴审核"),
        proposing_reviewer=make_account("reviewer", name="郑审核"),
        other_agency=other,
        other_staff=db.session.get(Account, other_staff.id),
    )


def proposed(parties, *, by=None, ground="falsified_report", complaint_ids=()) -> BlacklistCase:
    case = services.propose_case(
        by or parties.regulator,
        db.session.get(type(parties.agency), parties.agency.id),  # attached, after requests
        services.Proposal(
            ground=ground, facts=FACTS, legal_basis=BASIS, complaint_ids=list(complaint_ids)
        ),
    )
    db.session.commit()
    return case


def notified(parties, **kwargs) -> BlacklistCase:
    case = proposed(parties, **kwargs)
    services.notify_case(parties.regulator, case)
    db.session.commit()
    return case


def objected(parties, **kwargs) -> BlacklistCase:
    case = notified(parties, **kwargs)
    services.file_objection(
        parties.staff, case, "报告数据系客户提供，我方已复核并更正。", [upload()]
    )
    db.session.commit()
    return case


def decision(outcome="listed", **changes) -> services.Decision:
    values = {
        "outcome": outcome,
        "reasons": "经复核，该机构出具虚假报告事实清楚，异议理由不成立。",
        "password": PASSWORD,
        "decision_number": "澄审信黑〔2026〕1号" if outcome == "listed" else "",
        "deciding_authority": "江阴市行政审批局",
        "term_years": 1 if outcome == "listed" else None,
    }
    values.update(changes)
    return services.Decision(**values)


def listed(parties, *, term_years=1, number="澄审信黑〔2026〕1号", **kwargs) -> BlacklistCase:
    case = objected(parties, **kwargs)
    services.decide_case(
        parties.reviewer, case, decision(term_years=term_years, decision_number=number)
    )
    db.session.commit()
    return case


def refused(call, match: str | None, error=services.BlacklistError):
    """Run a service call expecting a refusal in English; roll back like a view would."""
    with force_locale("en"), pytest.raises(error, match=match) as caught:
        call()
    db.session.rollback()
    return caught.value


def reread(row):
    """The row as the database has it now (after requests, whose sessions are separate)."""
    return db.session.get(type(row), row.id, populate_existing=True)


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


def actions_on(case) -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "blacklist_case", AuditEvent.object_id == str(case.id))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def substantiated(agency, *, severity="serious", category="overcharging", on=None, breach=False):
    """A complaint concluded substantiated (rows only: the rules read them)."""
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
