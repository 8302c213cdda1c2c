"""Two people acting on the same blacklist case at once: one succeeds, the other is refused
with who acted and when; the case ends in one consistent state, with one audit event of the
decision and one notice. On PostgreSQL the acts overlap; on SQLite they run in turn."""

from datetime import date

import pytest
from sqlalchemy import select

from blacklist import repair, services
from blacklist.checks import BlacklistError
from blacklist.models import BlacklistCase, RepairApplication
from registry.db import db
from tests.blacklist.conftest import (
    BASIS,
    FACTS,
    decision,
    listed,
    notified,
    objected,
    proposed,
    upload,
)
from tests.conftest import PASSWORD
from tests.factories import actions_on, count, notices_to
from tests.races import attached, names, the_refusal

STATEMENT = "已更正报告，解除相关责任人职务，建立报告三级复核制度。"


@pytest.fixture
def second_reviewer(make_account):
    return make_account("reviewer", name="王复核")


@pytest.fixture
def second_staff(parties, make_account):
    """Another staff account of the agency."""
    account = make_account("agency", name="李机构")
    attached(account).agency_id = parties.agency.id
    db.session.commit()
    return attached(account)


def acting(account, row, service, *args):
    """An act: `account` calls `service(account, row, *args)` on its own copy of the row."""

    def act():
        actor, own = attached(account), attached(row)
        yield
        return service(actor, own, *args)

    return act


def winner_of(row_field, *accounts):
    return next(account for account in accounts if account.id == row_field)


# --- proposing, notifying, objecting -------------------------------------------------------


def test_one_ground_proposed_twice_at_once_opens_one_case(parties, make_account, race):
    other_regulator = make_account("regulator", name="冯监管")
    proposal = services.Proposal(ground="falsified_report", facts=FACTS, legal_basis=BASIS)
    acts = [
        acting(regulator, parties.agency, services.propose_case, proposal)
        for regulator in (parties.regulator, other_regulator)
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    case = db.session.execute(select(BlacklistCase)).scalar_one()
    names(refusal, winner_of(case.proposed_by_id, parties.regulator, other_regulator))
    assert actions_on(case) == ["blacklist.proposed"]


def test_a_case_notified_twice_at_once_is_notified_once(parties, make_account, race):
    other_regulator = make_account("regulator", name="冯监管")
    case = proposed(parties)
    acts = [
        acting(regulator, case, services.notify_case)
        for regulator in (parties.regulator, other_regulator)
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    row = attached(case)
    names(
        refusal,
        winner_of(row.notified_by_id, parties.regulator, other_regulator),
        "2026-09-29 10:00",
    )
    assert actions_on(row).count("blacklist.notified") == 1
    assert len(notices_to(parties.staff, "blacklist.notified")) == 1


def test_an_objection_filed_twice_at_once_is_filed_once(parties, second_staff, race):
    case = notified(parties)

    def object_(account, statement):
        def act():
            actor, own = attached(account), attached(case)
            yield
            services.file_objection(actor, own, statement, [upload()])

        return act

    outcomes = race(
        object_(parties.staff, "报告数据系客户提供。"), object_(second_staff, "我方已复核并更正。")
    )

    refusal = the_refusal(outcomes, BlacklistError)
    row = attached(case)
    names(refusal, winner_of(row.objection_by_id, parties.staff, second_staff))
    assert actions_on(row).count("blacklist.objected") == 1
    assert len(notices_to(parties.reviewer, "blacklist.objection_filed")) == 1


# --- the decision ---------------------------------------------------------------------------


def test_list_and_reject_at_once_leave_one_decision(parties, second_reviewer, race):
    case = objected(parties)
    acts = [
        acting(parties.reviewer, case, services.decide_case, decision("listed")),
        acting(second_reviewer, case, services.decide_case, decision("rejected")),
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    row, agency = attached(case), attached(parties.agency)
    if row.state == "listed":
        assert agency.listed_from == date(2026, 9, 29)
        assert len(notices_to(parties.staff, "blacklist.listed")) == 1
        assert notices_to(parties.staff, "blacklist.rejected") == []
    else:
        assert row.state == "rejected"
        assert row.listed_from is None
        assert agency.listed_from is None
        assert len(notices_to(parties.staff, "blacklist.rejected")) == 1
        assert notices_to(parties.staff, "blacklist.listed") == []
    names(refusal, winner_of(row.decided_by_id, parties.reviewer, second_reviewer))
    decisions = [a for a in actions_on(row) if a in ("blacklist.listed", "blacklist.rejected")]
    assert len(decisions) == 1


def test_two_cases_listed_at_once_under_one_decision_number(parties, second_reviewer, race):
    first = objected(parties)
    other = services.propose_case(
        parties.regulator,
        attached(parties.other_agency),
        services.Proposal(ground="falsified_report", facts=FACTS, legal_basis=BASIS),
    )
    services.notify_case(parties.regulator, other)
    services.file_objection(parties.other_staff, other, "我方有异议。", [upload()])
    db.session.commit()
    number = "澄审信黑〔2026〕7号"
    acts = [
        acting(parties.reviewer, first, services.decide_case, decision(decision_number=number)),
        acting(second_reviewer, other, services.decide_case, decision(decision_number=number)),
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    (holder,) = db.session.execute(
        select(BlacklistCase).where(BlacklistCase.decision_number == number)
    ).scalars()
    assert number in str(refusal)
    assert str(holder.id) in str(refusal)  # the case that holds the number
    assert count(BlacklistCase, BlacklistCase.state == "listed") == 1


# --- the end of a listing -------------------------------------------------------------------


@pytest.fixture
def pending_repair(parties, clock):
    """A listing (from 2026-09-29) with a repair application waiting, on 2027-04-01."""
    case = listed(parties)
    clock.set(date(2027, 4, 1))
    application = repair.apply_for_repair(parties.staff, attached(case), STATEMENT, [upload()])
    db.session.commit()
    return case, application


def test_revoke_and_approve_a_repair_at_once_end_the_listing_once(
    parties, second_reviewer, pending_repair, race
):
    case, application = pending_repair
    acts = [
        acting(parties.reviewer, case, services.revoke_listing, "认定事实有误。", PASSWORD),
        acting(second_reviewer, application, repair.decide_repair, True, "整改到位。", PASSWORD),
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    row = attached(case)
    assert attached(parties.agency).listed_from is None
    if row.state == "revoked":
        assert attached(application).status == "pending"
        winner, ending, notice = parties.reviewer, "blacklist.revoked", "blacklist.revoked"
    else:
        assert row.state == "repaired"
        assert attached(application).status == "approved"
        winner, ending, notice = second_reviewer, "blacklist.repaired", "blacklist.repaired"
    names(refusal, winner, "2027-04-01 10:00")
    ends = actions_on(row) + actions_on(application)
    assert [a for a in ends if a in ("blacklist.revoked", "blacklist.repaired")] == [ending]
    assert len(notices_to(parties.staff, notice)) == 1


def test_two_repair_decisions_at_once_leave_one(parties, second_reviewer, pending_repair, race):
    case, application = pending_repair
    acts = [
        acting(parties.reviewer, application, repair.decide_repair, True, "整改到位。", PASSWORD),
        acting(second_reviewer, application, repair.decide_repair, False, "材料不全。", PASSWORD),
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    row = attached(application)
    names(refusal, winner_of(row.decided_by_id, parties.reviewer, second_reviewer))
    assert attached(case).state == ("repaired" if row.status == "approved" else "listed")
    decided = [
        a for a in actions_on(row) if a in ("blacklist.repaired", "blacklist.repair_refused")
    ]
    assert len(decided) == 1
    kinds = ("blacklist.repaired", "blacklist.repair_refused")
    assert sum(len(notices_to(parties.staff, kind)) for kind in kinds) == 1


def test_a_repair_applied_for_twice_at_once_waits_once(parties, second_staff, clock, race):
    case = listed(parties)
    clock.set(date(2027, 4, 1))
    acts = [
        acting(account, case, repair.apply_for_repair, STATEMENT, [upload()])
        for account in (parties.staff, second_staff)
    ]

    refusal = the_refusal(race(*acts), BlacklistError)

    (application,) = db.session.execute(select(RepairApplication)).scalars()
    names(refusal, winner_of(application.applied_by_id, parties.staff, second_staff))
