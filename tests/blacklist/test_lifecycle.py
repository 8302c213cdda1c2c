"""The case lifecycle: every allowed transition, and every forbidden one refused by the
services with a clear message (DESIGN §4)."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from blacklist import services
from blacklist.models import BlacklistCase, CaseFile, CaseState
from blacklist.queries import objection_deadline
from ratings.complaints.models import Conflict
from registry.accounts.permissions import PermissionDenied
from registry.agencies.listing import is_listed
from registry.audit.services import verify_chain
from registry.db import db
from tests.blacklist.conftest import (
    BASIS,
    FACTS,
    actions_on,
    count,
    decision,
    listed,
    notices_to,
    notified,
    objected,
    proposed,
    refused,
    reread,
    substantiated,
    upload,
)

# --- proposing ---------------------------------------------------------------------------------


def test_a_regulator_proposes_with_ground_facts_basis_and_complaints(parties):
    complaint = substantiated(parties.agency)
    case = proposed(parties, complaint_ids=[complaint.id])
    assert case.state == "proposed"
    assert case.source == "manual"
    assert case.proposed_by_id == parties.regulator.id
    assert [c.reference for c in reread(case).complaints] == [complaint.reference]
    assert actions_on(case) == ["blacklist.proposed"]
    assert notices_to(parties.reviewer, "blacklist.proposed")
    assert not notices_to(parties.staff, "blacklist.proposed"), "the agency learns at the notice"


@pytest.mark.parametrize("role", ["agency", "enterprise", "supervisor", "admin", "public"])
def test_only_regulators_propose(parties, make_account, role):
    outsider = make_account(role)
    refused(lambda: proposed(parties, by=outsider), None, PermissionDenied)
    assert count(BlacklistCase) == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"facts": "  "}, "facts", "required"),
        ({"legal_basis": ""}, "legal_basis", "required"),
        ({"ground": "rudeness"}, "ground", "Choose a ground"),
    ],
)
def test_a_proposal_needs_a_known_ground_facts_and_a_legal_basis(parties, change, field, message):
    details = {"ground": "falsified_report", "facts": FACTS, "legal_basis": BASIS, **change}
    error = refused(
        lambda: services.propose_case(
            parties.regulator, parties.agency, services.Proposal(**details)
        ),
        message,
    )
    assert error.field == field


def test_only_substantiated_complaints_about_the_agency_are_linked(parties):
    elsewhere = substantiated(parties.other_agency)
    error = refused(lambda: proposed(parties, complaint_ids=[elsewhere.id]), "Link only")
    assert error.field == "complaint_ids"


def test_an_agency_awaiting_verification_cannot_be_proposed(parties, make_agency):
    parties.agency = make_agency("pending")
    refused(lambda: proposed(parties), "Only an agency on the public register")


def test_a_second_open_case_on_the_same_ground_is_refused(parties):
    first = proposed(parties)
    error = refused(lambda: proposed(parties), f"Case {first.id} on the same ground")
    assert error.field == "ground"
    other = proposed(parties, ground="serious_overcharging")
    assert other.state == "proposed", "another ground is another case"


def test_a_listing_in_force_blocks_a_new_case_on_its_ground(parties, clock):
    listed(parties)
    refused(lambda: proposed(parties), r"still open or in force \(On the blacklist\)")


# --- notifying and objecting -------------------------------------------------------------------


def test_notifying_opens_the_objection_window_and_tells_the_agency(parties):
    case = notified(parties)
    assert case.state == "notified"
    assert case.objection_days == 10
    assert case.notified_by_id == parties.regulator.id
    [notice] = notices_to(parties.staff, "blacklist.notified")
    assert notice.params["objection_due"] == {"$date": "2026-10-19"}
    assert notices_to(parties.staff, "blacklist.notified")[0].link["endpoint"] == (
        "blacklist.my_case"
    )


def test_the_objection_deadline_counts_working_days_across_national_day(parties, clock):
    clock.set(date(2026, 9, 29))  # Tuesday; 1-7 October are holidays, 10 October is worked
    case = notified(parties)
    assert objection_deadline(case).due == date(2026, 10, 19)
    clock.set(date(2026, 10, 20))
    refused(
        lambda: services.file_objection(parties.staff, case, "我方不同意。"),
        "The objection window closed on Oct 19, 2026",
    )
    clock.set(date(2026, 10, 19))
    services.file_objection(parties.staff, reread(case), "我方不同意。")
    db.session.commit()
    assert reread(case).state == "objection_filed"


def test_the_agency_objects_once_with_a_statement_and_files(parties):
    case = objected(parties)
    case = reread(case)
    assert case.state == "objection_filed"
    assert case.objection_by_id == parties.staff.id
    assert [link.file.filename for link in case.files] == ["evidence.pdf"]
    assert notices_to(parties.reviewer, "blacklist.objection_filed")
    assert "blacklist.objected" in actions_on(case)
    refused(lambda: services.file_objection(parties.staff, case, "再次异议。"), "already objected")


def test_an_objection_needs_a_statement_and_acceptable_files(parties):
    case = notified(parties)
    assert refused(lambda: services.file_objection(parties.staff, case, " "), "required").field == (
        "statement"
    )
    case = reread(case)
    bad = upload(b"MZ executable", "evidence.pdf")
    error = refused(lambda: services.file_objection(parties.staff, case, "异议", [bad]), "PDF")
    assert error.field == "files"
    assert count(CaseFile) == 0
    assert reread(case).state == "notified"


def test_another_agency_cannot_object(parties):
    case = notified(parties)
    refused(
        lambda: services.file_objection(parties.other_staff, case, "异议"), None, PermissionDenied
    )


def test_a_proposal_not_yet_notified_takes_no_objection(parties):
    case = proposed(parties)
    refused(lambda: services.file_objection(parties.staff, case, "异议"), None, PermissionDenied)


# --- deciding ----------------------------------------------------------------------------------


def test_a_second_reviewer_lists_with_number_authority_and_term(parties, clock):
    clock.set(date(2026, 9, 29))
    case = objected(parties)
    services.decide_case(parties.reviewer, case, decision(term_years=2))
    db.session.commit()
    case, agency = reread(case), reread(parties.agency)
    assert case.state == "listed"
    assert (case.listed_from, case.listed_until) == (date(2026, 9, 29), date(2028, 9, 28))
    assert case.decided_by_id == parties.reviewer.id
    assert (agency.listed_from, agency.listed_until) == (date(2026, 9, 29), date(2028, 9, 28))
    assert is_listed(agency, date(2028, 9, 28))
    assert not is_listed(agency, date(2028, 9, 29))
    [notice] = notices_to(parties.staff, "blacklist.listed")
    assert notice.params["decision_number"] == "澄审信黑〔2026〕1号"
    assert actions_on(case)[-1] == "blacklist.listed"
    assert verify_chain().intact


def test_listing_needs_a_second_reviewer(parties):
    case = objected(parties, by=parties.proposing_reviewer)
    refused(
        lambda: services.decide_case(parties.proposing_reviewer, case, decision()),
        "another reviewer must decide it",
    )
    refused(
        lambda: services.decide_case(parties.regulator, case, decision()), None, PermissionDenied
    )
    assert reread(case).state == "objection_filed"


def test_the_regulator_who_notified_a_rules_proposal_cannot_decide_it(parties, clock):
    from blacklist.rules import scan_agency

    substantiated(parties.agency, category="falsified_report", severity="major")
    [case] = scan_agency(parties.agency.id)
    db.session.commit()
    services.notify_case(parties.proposing_reviewer, case)
    db.session.commit()
    refused(
        lambda: services.decide_case(parties.proposing_reviewer, case, decision("rejected")),
        "another reviewer",
    )


def test_a_reviewer_with_a_conflict_of_interest_cannot_decide(parties):
    db.session.add(
        Conflict(
            regulator_id=parties.reviewer.id, agency_id=parties.agency.id, reason="配偶在该机构任职"
        )
    )
    db.session.commit()
    case = objected(parties)
    refused(
        lambda: services.decide_case(parties.reviewer, case, decision()), "conflict of interest"
    )


def test_a_decision_needs_the_reviewers_password(parties):
    case = objected(parties)
    error = refused(
        lambda: services.decide_case(parties.reviewer, case, decision(password="guess")),
        "password is not right",
    )
    assert error.field == "password"
    assert reread(case).state == "objection_filed"


def test_no_listing_while_the_agency_may_still_object(parties, clock):
    clock.set(date(2026, 9, 29))
    case = notified(parties)
    clock.set(date(2026, 10, 19))
    refused(
        lambda: services.decide_case(parties.reviewer, case, decision()),
        "may object until Oct 19, 2026",
    )
    clock.set(date(2026, 10, 20))
    services.decide_case(parties.reviewer, reread(case), decision())
    db.session.commit()
    assert reread(case).state == "listed"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"decision_number": " "}, "decision_number", "needs the number of its decision"),
        ({"term_years": None}, "term_years", "1, 2 or 3 years"),
        ({"term_years": 5}, "term_years", "1, 2 or 3 years"),
        ({"deciding_authority": ""}, "deciding_authority", "required"),
        ({"reasons": ""}, "reasons", "required"),
    ],
)
def test_a_listing_needs_a_decision_number_authority_term_and_reasons(
    parties, change, field, message
):
    case = objected(parties)
    error = refused(
        lambda: services.decide_case(parties.reviewer, case, decision(**change)), message
    )
    assert error.field == field


def test_a_decision_number_is_used_once(parties):
    listed(parties)
    case = objected(parties, ground="misconduct")
    error = refused(
        lambda: services.decide_case(parties.reviewer, case, decision()), "already used by case"
    )
    assert error.field == "decision_number"


def test_a_reviewer_rejects_a_proposal_before_the_agency_is_told(parties):
    case = proposed(parties)
    services.decide_case(parties.reviewer, case, decision("rejected"))
    db.session.commit()
    assert reread(case).state == "rejected"
    assert not notices_to(parties.staff, "blacklist.rejected"), "never told, never troubled"
    assert reread(parties.agency).listed_from is None


def test_a_rejection_after_an_objection_tells_the_agency_why(parties):
    case = objected(parties)
    services.decide_case(parties.reviewer, case, decision("rejected", reasons="证据不足。"))
    db.session.commit()
    [notice] = notices_to(parties.staff, "blacklist.rejected")
    assert notice.params["reasons"] == "证据不足。"


def test_a_proposal_is_not_listed_before_the_notice(parties):
    case = proposed(parties)
    refused(
        lambda: services.decide_case(parties.reviewer, case, decision()), "Notify the agency first"
    )


# --- the end of a listing ----------------------------------------------------------------------


def test_revocation_removes_the_listing_at_once_and_keeps_the_record(parties):
    case = listed(parties)
    services.revoke_listing(
        parties.reviewer, case, "所依据的投诉经复查撤销。", "correct horse battery 2026"
    )
    db.session.commit()
    case, agency = reread(case), reread(parties.agency)
    assert case.state == "revoked"
    assert case.end_reason == "所依据的投诉经复查撤销。"
    assert case.decision_number == "澄审信黑〔2026〕1号", "the record stays"
    assert agency.listed_from is None
    assert not is_listed(agency, case.ended_on)
    assert notices_to(parties.staff, "blacklist.revoked")


def test_revocation_needs_a_second_reviewer_a_reason_and_the_password(parties):
    case = listed(parties, by=parties.proposing_reviewer)
    refused(
        lambda: services.revoke_listing(parties.proposing_reviewer, case, "错误", "x"),
        "another reviewer",
    )
    case = reread(case)
    refused(lambda: services.revoke_listing(parties.reviewer, case, "错误", "x"), "password")
    case = reread(case)
    refused(
        lambda: services.revoke_listing(parties.reviewer, case, "", "correct horse battery 2026"),
        "required",
    )


def test_a_listing_stops_counting_when_its_term_ends_before_the_job_records_it(
    parties, clock, runner
):
    clock.set(date(2026, 9, 29))
    case = listed(parties)  # until 2027-09-28
    clock.set(date(2027, 9, 28))
    assert is_listed(reread(parties.agency), date(2027, 9, 28))
    clock.set(date(2027, 9, 29))
    case = reread(case)
    assert case.state == "listed", "not recorded yet"
    assert case.state_on(date(2027, 9, 29)) == CaseState.EXPIRED
    assert not is_listed(reread(parties.agency), date(2027, 9, 29))
    refused(
        lambda: services.revoke_listing(
            parties.reviewer, case, "错误", "correct horse battery 2026"
        ),
        "ended with its term",
    )

    result = runner.invoke(args=["blacklist", "expire"])
    assert result.exit_code == 0, result.output
    assert f"case {case.id}" in result.output
    assert "1 listing(s) recorded expired" in result.output
    case = reread(case)
    assert (case.state, case.ended_on) == ("expired", date(2027, 9, 29))
    assert notices_to(parties.staff, "blacklist.expired")
    again = runner.invoke(args=["blacklist", "expire"])
    assert "0 listing(s) recorded expired" in again.output
    assert len(notices_to(parties.staff, "blacklist.expired")) == 1


# --- every forbidden transition ----------------------------------------------------------------

PASSWORD = "correct horse battery 2026"


def _in_state(parties, clock, state: str) -> BlacklistCase:
    """A case brought to `state` through the services."""
    if state == "proposed":
        return proposed(parties)
    if state == "notified":
        return notified(parties)
    if state == "objection_filed":
        return objected(parties)
    if state == "rejected":
        case = objected(parties)
        services.decide_case(parties.reviewer, case, decision("rejected"))
    else:
        case = listed(parties)
        if state == "revoked":
            services.revoke_listing(parties.reviewer, case, "错误", PASSWORD)
        elif state == "expired":
            clock.set(case.listed_until + timedelta(days=1))
            services.record_expiries(case.listed_until + timedelta(days=1))
    db.session.commit()
    return reread(case)


ACTS = {
    "notify": lambda p, case: services.notify_case(p.regulator, case),
    "object": lambda p, case: services.file_objection(p.staff, case, "异议"),
    "list": lambda p, case: services.decide_case(
        p.reviewer, case, decision(decision_number="澄审信黑〔2026〕99号")
    ),
    "reject": lambda p, case: services.decide_case(p.reviewer, case, decision("rejected")),
    "revoke": lambda p, case: services.revoke_listing(p.reviewer, case, "错误", PASSWORD),
}
ALLOWED = {
    "proposed": {"notify", "reject"},
    "notified": {"object", "reject"},  # listing waits for the window (tested above)
    "objection_filed": {"list", "reject"},
    "listed": {"revoke"},
    "rejected": set(),
    "expired": set(),
    "revoked": set(),
}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("act", list(ACTS))
def test_each_act_is_allowed_exactly_in_its_states(parties, clock, state, act):
    case = _in_state(parties, clock, state)
    if act in ALLOWED[state]:
        ACTS[act](parties, case)
        db.session.commit()
        assert reread(case).state != state
        return
    with force_locale("en"), pytest.raises((services.BlacklistError, PermissionDenied)):
        ACTS[act](parties, case)
    db.session.rollback()
    assert reread(case).state == state
