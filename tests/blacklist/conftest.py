"""Fixtures for blacklist cases: the parties and cases in each state; the complaint
factories, clock and readers are shared with the complaints' tests (tests/factories.py)."""

from dataclasses import dataclass

import pytest

from blacklist import services
from blacklist.models import BlacklistCase
from registry.accounts.models import Account
from registry.db import db
from tests import factories
from tests.conftest import PASSWORD
from tests.factories import (  # noqa: F401 (re-exported for the tests)
    ENGLISH,
    PDF,
    Clock,
    actions_on,
    conclude,
    count,
    investigating,
    notices_to,
    page_text,
    substantiated,
    upload,
)

clock = factories.clock  # the shared fixture

FACTS = "2026年6月为江阴澄星精密机械制造有限公司出具的测绘报告数据与现场不符，经核查属实。"
BASIS = "《江阴市中介机构信用管理办法》第十八条"


@dataclass
class Parties:
    agency: object
    staff: Account  # the agency's user
    regulator: Account  # proposes and notifies
    reviewer: Account  # decides
    proposing_reviewer: Account  # a reviewer who proposes, so may not decide
    other_agency: object
    other_staff: Account
    complainant: Account  # an enterprise user who files complaints against the agency


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
        complainant=make_account("enterprise", name="钱投诉"),
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
    return factories.refused(call, match, error)


def reread(row):
    """The row as the database has it now (after requests, whose sessions are separate)."""
    return db.session.get(type(row), row.id, populate_existing=True)
