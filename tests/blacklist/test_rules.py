"""Automatic proposals: each default rule proposes a case (never a listing), names itself as
the source, links its evidence, and running it again creates nothing new."""

from datetime import date

from sqlalchemy import select

from blacklist import services
from blacklist.models import BlacklistCase
from blacklist.rules import on_complaint_concluded, rule_label, scan_agency
from registry.db import db
from tests.blacklist.conftest import (
    conclude,
    count,
    decision,
    investigating,
    proposed,
    reread,
    substantiated,
)


def _scan(parties):
    cases = scan_agency(parties.agency.id)
    db.session.commit()
    return cases


def test_two_serious_complaints_within_twelve_months_propose_a_case(parties, clock):
    clock.set(date(2026, 9, 29))
    first = substantiated(parties.agency, severity="serious", on=date(2025, 10, 10))
    assert _scan(parties) == []
    second = substantiated(parties.agency, severity="serious", on=date(2026, 9, 1))
    [case] = _scan(parties)
    case = reread(case)
    assert (case.state, case.source, case.ground) == (
        "proposed",
        "serious_complaints",
        "repeated_complaints",
    )
    assert case.proposed_by_id is None
    assert {c.id for c in case.complaints} == {first.id, second.id}
    assert first.reference in case.facts
    assert second.reference in case.facts
    assert reread(parties.agency).listed_from is None, "a rule never lists"


def test_scanning_twice_creates_nothing_new(parties, clock, runner):
    substantiated(parties.agency, severity="serious")
    substantiated(parties.agency, severity="serious")
    first = runner.invoke(args=["blacklist", "scan"])
    assert "1 case(s) proposed" in first.output, first.output
    second = runner.invoke(args=["blacklist", "scan"])
    assert "0 case(s) proposed" in second.output
    assert count(BlacklistCase) == 1


def test_complaints_older_than_the_window_do_not_count(parties, clock):
    clock.set(date(2026, 9, 29))
    substantiated(parties.agency, severity="serious", on=date(2025, 9, 28))
    substantiated(parties.agency, severity="serious", on=date(2026, 9, 1))
    assert _scan(parties) == []


def test_three_major_complaints_count_a_serious_one_as_major(parties, clock):
    substantiated(parties.agency, severity="major")
    substantiated(parties.agency, severity="minor")
    substantiated(parties.agency, severity="major")
    assert _scan(parties) == []
    substantiated(parties.agency, severity="serious")
    [case] = _scan(parties)
    assert case.source == "major_complaints"
    assert len(reread(case).complaints) == 3


def test_one_substantiated_falsified_report_proposes_a_case(parties, clock):
    substantiated(parties.agency, category="falsified_report", severity="minor")
    [case] = _scan(parties)
    assert (case.source, case.ground) == ("falsified_report", "falsified_report")


def test_a_commitment_breached_twice_proposes_a_case(parties, clock):
    substantiated(parties.agency, category="delay", severity="minor", breach=True)
    assert _scan(parties) == []
    substantiated(parties.agency, category="overcharging", severity="minor", breach=True)
    [case] = _scan(parties)
    assert (case.source, case.ground) == ("commitment_breaches", "commitment_breach")


def test_an_open_case_on_the_ground_blocks_the_rule(parties, clock):
    proposed(parties, ground="falsified_report")
    substantiated(parties.agency, category="falsified_report")
    assert _scan(parties) == []


def test_a_rejected_proposal_is_not_proposed_again_from_the_same_evidence(parties, clock):
    substantiated(parties.agency, category="falsified_report", severity="minor")
    [case] = _scan(parties)
    services.decide_case(parties.reviewer, case, decision("rejected"))
    db.session.commit()
    assert _scan(parties) == []
    substantiated(parties.agency, category="falsified_report", severity="minor")
    [again] = _scan(parties)
    assert again.id != case.id
    assert len(reread(again).complaints) == 2


def test_another_agencys_complaints_do_not_count(parties, clock):
    substantiated(parties.other_agency, category="falsified_report")
    assert _scan(parties) == []


def test_concluding_the_second_serious_complaint_proposes_one_case(parties, clock, runner):
    """The workflow's conclusion sends complaint_concluded; the rules, listening, propose."""
    first = conclude(parties, investigating(parties, category="poor_quality"))
    assert count(BlacklistCase) == 0
    second = conclude(parties, investigating(parties, category="poor_quality"))
    [case] = db.session.execute(select(BlacklistCase)).scalars().all()
    assert (case.state, case.source) == ("proposed", "serious_complaints")
    assert rule_label(case.source) in case.facts
    assert {c.id for c in case.complaints} == {first.id, second.id}
    assert case.proposed_by_id is None
    assert reread(parties.agency).listed_from is None, "a rule never lists"

    on_complaint_concluded(None, complaint=second)  # the same conclusion heard again
    db.session.commit()
    assert "0 case(s) proposed" in runner.invoke(args=["blacklist", "scan"]).output
    assert count(BlacklistCase) == 1


def test_a_substantiated_falsified_report_proposes_a_case_when_concluded(parties, clock):
    complaint = conclude(parties, investigating(parties, category="falsified_report"))
    [case] = db.session.execute(select(BlacklistCase)).scalars().all()
    assert case.source == "falsified_report"
    assert [c.id for c in case.complaints] == [complaint.id]


def test_an_unsubstantiated_conclusion_proposes_nothing(parties, clock):
    conclude(parties, investigating(parties, category="falsified_report"), "unsubstantiated")
    conclude(parties, investigating(parties, category="poor_quality"), "unsubstantiated")
    assert count(BlacklistCase) == 0


def test_a_rolled_back_conclusion_leaves_no_case_behind(parties, clock):
    """The proposal is written in the conclusion's transaction: a rollback takes both."""
    from ratings.complaints import services as complaints

    complaint = investigating(parties, category="falsified_report")
    complaints.conclude_complaint(
        parties.regulator, complaint, "substantiated", "serious", "经调查属实。"
    )
    assert count(BlacklistCase) == 1  # seen inside the transaction
    db.session.rollback()
    assert count(BlacklistCase) == 0
    assert reread(complaint).status == "investigating"
