"""Complaint deadlines count Chinese working days: across the 2026 National Day week
(1–7 October off, Saturday 10 October worked), with one extension by a reviewer."""

from datetime import date

from ratings.complaints import queries, services
from ratings.complaints.models import Complaint, Party
from ratings.complaints.queries import Step
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.ratings.complaints.conftest import accepted, file, investigating, notices_to, refused


def reread(complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


def test_acceptance_is_due_five_working_days_after_filing_across_national_day(parties, clock):
    clock.set(date(2026, 9, 29))
    complaint = file(parties)
    # 30 Sep, then 8, 9, 10 (a Saturday worked) and 12 October.
    assert queries.acceptance_deadline(complaint).due == date(2026, 10, 12)


def test_the_response_and_conclusion_count_from_acceptance(parties, clock):
    clock.set(date(2026, 9, 29))
    complaint = file(parties)
    clock.set(date(2026, 9, 30))
    services.accept_complaint(parties.regulator, complaint)
    db.session.commit()
    assert queries.response_deadline(complaint).due == date(2026, 10, 20)
    assert queries.conclusion_deadline(complaint).due == date(2026, 11, 17)


def test_an_overdue_complaint_shows_its_overdue_working_days_and_who_is_accountable(parties, clock):
    clock.set(date(2026, 9, 29))
    complaint = file(parties)
    clock.set(date(2026, 10, 14))  # due 12 October: 13 and 14 October are overdue
    [found] = queries.open_complaint_deadlines()
    assert found.complaint.id == complaint.id
    assert found.step == Step.ACCEPT
    assert found.overdue_working_days == 2
    assert found.accountable == Party.REGULATOR
    assert found.accountable_account_id is None  # nobody took it: any regulator
    services.accept_complaint(parties.regulator, reread(complaint))
    db.session.commit()
    [found] = queries.open_complaint_deadlines()
    assert (found.step, found.accountable, found.accountable_agency_id) == (
        Step.RESPONSE,
        Party.AGENCY,
        parties.agency.id,
    )
    assert not found.is_overdue


def test_the_deadlines_query_filters_overdue_ones_and_by_accountable_regulator(parties, clock):
    clock.set(date(2026, 9, 29))
    late = investigating(parties)
    on_time = file(parties)
    clock.set(date(2026, 12, 1))
    overdue = queries.open_complaint_deadlines(overdue_only=True)
    assert [d.complaint.id for d in overdue] == [on_time.id, late.id]
    mine = queries.open_complaint_deadlines(accountable_account_id=parties.regulator.id)
    assert [d.complaint.id for d in mine] == [late.id]


def test_a_reviewer_extends_the_conclusion_once_with_a_reason(parties, clock):
    clock.set(date(2026, 9, 30))
    complaint = investigating(parties)
    before = queries.conclusion_deadline(complaint).due
    reason = "需委托第三方复核测绘成果。"
    services.extend_conclusion_deadline(parties.reviewer, complaint, 10, reason)
    db.session.commit()
    complaint = reread(complaint)
    assert before == date(2026, 11, 17)
    assert queries.conclusion_deadline(complaint).due == date(2026, 12, 1)
    [notice] = notices_to(parties.complainant, "complaints.extended")
    assert notice.params["reason"] == reason
    refused(
        lambda: services.extend_conclusion_deadline(parties.reviewer, reread(complaint), 5, "再延"),
        "already been extended once",
    )


def test_only_a_reviewer_extends_with_a_reason_and_a_sensible_length(parties, clock):
    complaint = investigating(parties)
    refused(
        lambda: services.extend_conclusion_deadline(parties.regulator, complaint, 10, "理由"),
        "is_reviewer",
        PermissionDenied,
    )
    refused(
        lambda: services.extend_conclusion_deadline(parties.reviewer, reread(complaint), 10, ""),
        "required",
    )
    refused(
        lambda: services.extend_conclusion_deadline(
            parties.reviewer, reread(complaint), 31, "理由"
        ),
        "1 to 30 working days",
    )
    assert reread(complaint).extension_days is None


def test_an_extension_comes_before_the_deadline_passes(parties, clock):
    clock.set(date(2026, 9, 30))
    complaint = investigating(parties)
    clock.set(date(2026, 11, 18))  # the conclusion was due on 17 November
    refused(
        lambda: services.extend_conclusion_deadline(parties.reviewer, complaint, 10, "理由"),
        "must be granted by then",
    )


def test_an_extension_is_refused_before_acceptance_and_after_the_conclusion(parties):
    complaint = file(parties)
    refused(
        lambda: services.extend_conclusion_deadline(parties.reviewer, complaint, 5, "理由"),
        "Only an accepted complaint",
    )


def test_the_regulator_goes_on_without_a_response_only_once_it_is_overdue(parties, clock):
    clock.set(date(2026, 9, 30))
    complaint = accepted(parties)
    clock.set(date(2026, 10, 20))  # the response is due today
    refused(
        lambda: services.proceed_without_response(parties.regulator, complaint),
        "may respond until 2026-10-20",
    )
    clock.set(date(2026, 10, 21))
    services.proceed_without_response(parties.regulator, reread(complaint))
    db.session.commit()
    assert reread(complaint).status == "investigating"
    assert notices_to(parties.staff, "complaints.proceeded")
    # A late response still goes on the record, marked late in the audit log.
    services.respond_to_complaint(parties.staff, reread(complaint), "迟到的答复")
    db.session.commit()
    assert reread(complaint).response_text == "迟到的答复"
