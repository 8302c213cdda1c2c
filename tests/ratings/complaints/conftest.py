"""Fixtures for complaints: the parties and a clock; the complaint factories and readers are
shared with the blacklist's tests (tests/factories.py) and re-exported here."""

import random
from dataclasses import dataclass

import pytest

from ratings.complaints import services
from registry.accounts.models import Account
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise
from registry.db import db
from tests import factories
from tests.factories import (  # noqa: F401 (re-exported for the tests)
    ENGLISH,
    JPEG,
    PDF,
    PNG,
    Clock,
    accepted,
    actions_on,
    count,
    file,
    investigating,
    notices_to,
    page_text,
    upload,
)

clock = factories.clock  # the shared fixture


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


def refused(call, match: str, error=services.ComplaintError):
    """Run a service call expecting a refusal in English; roll back like a view would."""
    factories.refused(call, match, error)
