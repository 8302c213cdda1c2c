"""Credit repair (信用修复): the minimum period, one application at a time, a second reviewer's
decision with reasons, and the wait before applying again."""

from datetime import date

from blacklist import repair
from blacklist.models import CaseFile, RepairApplication
from registry.accounts.permissions import PermissionDenied
from registry.agencies.listing import is_listed
from registry.db import db
from tests.blacklist.conftest import (
    count,
    listed,
    notices_to,
    objected,
    refused,
    reread,
    upload,
)
from tests.conftest import PASSWORD

STATEMENT = "已更正报告，解除相关责任人职务，建立报告三级复核制度。"


def _listed_in_2026(parties, clock, **kwargs):
    clock.set(date(2026, 9, 29))
    return listed(parties, **kwargs)  # listed 2026-09-29 to 2027-09-28


def _apply(parties, case, files=None):
    application = repair.apply_for_repair(
        parties.staff, case, STATEMENT, [upload()] if files is None else files
    )
    db.session.commit()
    return application


def test_repair_opens_after_the_minimum_period_of_the_term(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 3, 28))
    refused(lambda: _apply(parties, case), "Credit repair opens on Mar 29, 2027, 6 months")
    clock.set(date(2027, 3, 29))
    application = _apply(parties, reread(case))
    assert application.status == "pending"
    assert [f.file.filename for f in application.files] == ["evidence.pdf"]
    assert notices_to(parties.reviewer, "blacklist.repair_applied")


def test_an_application_needs_a_statement_and_evidence(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    assert refused(lambda: _apply(parties, case, files=[]), "Attach evidence").field == "files"
    case = reread(case)
    error = refused(
        lambda: repair.apply_for_repair(parties.staff, case, " ", [upload()]), "required"
    )
    assert error.field == "statement"
    assert count(RepairApplication) == 0
    assert count(CaseFile, CaseFile.stage == "repair") == 0


def test_one_application_waits_at_a_time(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    _apply(parties, case)
    refused(lambda: _apply(parties, reread(case)), "already waiting for a reviewer")


def test_only_a_listing_in_force_can_be_repaired(parties, clock):
    case = objected(parties)
    refused(
        lambda: repair.apply_for_repair(parties.staff, case, STATEMENT, [upload()]),
        "Only a listing in force",
    )


def test_another_agency_cannot_apply(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    refused(
        lambda: repair.apply_for_repair(parties.other_staff, case, STATEMENT, [upload()]),
        None,
        PermissionDenied,
    )


def test_an_approved_repair_ends_the_listing_at_once(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    application = _apply(parties, case)
    repair.decide_repair(parties.reviewer, application, True, "整改到位，准予修复。", PASSWORD)
    db.session.commit()
    case, agency = reread(case), reread(parties.agency)
    assert case.state == "repaired"
    assert case.ended_on == date(2027, 4, 1)
    assert reread(application).status == "approved"
    assert agency.listed_from is None
    assert not is_listed(agency, date(2027, 4, 1))
    assert notices_to(parties.staff, "blacklist.repaired")


def test_a_refused_agency_applies_again_after_the_wait(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    application = _apply(parties, case)
    repair.decide_repair(parties.reviewer, application, False, "整改材料不完整。", PASSWORD)
    db.session.commit()
    [notice] = notices_to(parties.staff, "blacklist.repair_refused")
    assert notice.params["again_on"] == {"$date": "2027-07-01"}
    assert reread(case).state == "listed"
    clock.set(date(2027, 6, 30))
    refused(lambda: _apply(parties, reread(case)), "you may apply again from Jul 1, 2027")
    clock.set(date(2027, 7, 1))
    assert _apply(parties, reread(case)).status == "pending"


def test_a_repair_is_decided_by_a_second_reviewer_with_reasons_and_password(parties, clock):
    case = _listed_in_2026(parties, clock, by=parties.proposing_reviewer)
    clock.set(date(2027, 4, 1))
    application = _apply(parties, case)
    refused(
        lambda: repair.decide_repair(parties.proposing_reviewer, application, True, "可", PASSWORD),
        "another reviewer",
    )
    application = reread(application)
    refused(
        lambda: repair.decide_repair(parties.regulator, application, True, "可", PASSWORD),
        None,
        PermissionDenied,
    )
    application = reread(application)
    refused(
        lambda: repair.decide_repair(parties.reviewer, application, True, "可", "x"), "password"
    )
    application = reread(application)
    refused(
        lambda: repair.decide_repair(parties.reviewer, application, True, "", PASSWORD), "required"
    )
    assert reread(application).status == "pending"


def test_a_decided_application_is_not_decided_again(parties, clock):
    case = _listed_in_2026(parties, clock)
    clock.set(date(2027, 4, 1))
    application = _apply(parties, case)
    repair.decide_repair(parties.reviewer, application, False, "材料不足。", PASSWORD)
    db.session.commit()
    refused(
        lambda: repair.decide_repair(parties.reviewer, reread(application), True, "可", PASSWORD),
        "already decided",
    )
