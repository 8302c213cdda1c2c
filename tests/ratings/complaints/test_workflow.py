"""Each transition of the complaint workflow, and each refusal of one out of order or by the
wrong party: refused with a clear message, nothing half-written."""

from flask_babel import force_locale

from ratings.complaints import services
from ratings.complaints.models import Complaint, ComplaintStatus
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.ratings.complaints.conftest import (
    accepted,
    actions_on,
    file,
    investigating,
    notices_to,
    refused,
)


def reread(complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


def test_accepting_starts_the_agency_response_and_makes_the_regulator_accountable(parties):
    complaint = file(parties)
    services.accept_complaint(parties.regulator, complaint)
    db.session.commit()
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.assignee_id == parties.regulator.id
    assert complaint.accepted_on is not None
    assert actions_on(complaint) == ["complaint.filed", "complaint.assigned", "complaint.accepted"]
    assert notices_to(parties.complainant, "complaints.accepted")
    assert notices_to(parties.staff, "complaints.to_answer")


def test_a_complaint_not_accepted_tells_the_complainant_why_and_never_the_agency(parties):
    complaint = file(parties)
    refused(lambda: services.refuse_complaint(parties.regulator, complaint, "  "), "required")
    complaint = reread(complaint)
    services.refuse_complaint(
        parties.regulator, complaint, "不属于本平台受理范围，请向市场监管部门反映。"
    )
    db.session.commit()
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.NOT_ACCEPTED
    [notice] = notices_to(parties.complainant, "complaints.not_accepted")
    assert notice.params["reason"] == "不属于本平台受理范围，请向市场监管部门反映。"
    assert notices_to(parties.staff, "complaints.not_accepted") == []
    assert not complaint.shown_to_agency


def test_the_agency_response_moves_the_complaint_to_investigation_and_tells_the_regulator(
    parties,
):
    complaint = accepted(parties)
    services.respond_to_complaint(parties.staff, complaint, "我方按公示标准收费。")
    db.session.commit()
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.INVESTIGATING
    assert complaint.responded_by_id == parties.staff.id
    assert notices_to(parties.regulator, "complaints.responded")
    assert notices_to(parties.complainant, "complaints.response_received")


def test_the_complainant_rebuts_once_and_the_assignee_hears_of_it(parties):
    complaint = investigating(parties)
    services.rebut_response(parties.complainant, complaint, "加急费从未在合同中约定。")
    db.session.commit()
    assert notices_to(parties.regulator, "complaints.rebutted")
    refused(
        lambda: services.rebut_response(parties.complainant, reread(complaint), "再说一次"),
        "already rebutted",
    )


def test_concluding_tells_both_parties_the_outcome_and_the_reasons(parties):
    complaint = investigating(parties, category="poor_quality")
    services.conclude_complaint(
        parties.regulator, complaint, "unsubstantiated", None, "成果文件经复核符合规范。"
    )
    db.session.commit()
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.UNSUBSTANTIATED
    assert complaint.concluded_on is not None
    [to_complainant] = notices_to(parties.complainant, "complaints.unsubstantiated")
    assert to_complainant.params["reasons"] == "成果文件经复核符合规范。"
    assert notices_to(parties.staff, "complaints.unsubstantiated")


def test_a_substantiated_conclusion_needs_a_severity_and_an_unsubstantiated_one_has_none(
    parties,
):
    complaint = investigating(parties)
    refused(
        lambda: services.conclude_complaint(
            parties.regulator, complaint, "substantiated", None, "属实"
        ),
        "how serious",
    )
    refused(
        lambda: services.conclude_complaint(
            parties.regulator, reread(complaint), "unsubstantiated", "minor", "不属实"
        ),
        "Only a substantiated complaint has a severity",
    )
    assert reread(complaint).status == ComplaintStatus.INVESTIGATING


def test_concluding_a_complaint_never_accepted_is_refused(parties):
    complaint = file(parties)
    services.take_complaint(parties.regulator, complaint)
    db.session.commit()
    refused(
        lambda: services.conclude_complaint(
            parties.regulator, reread(complaint), "substantiated", "minor", "属实"
        ),
        "accept it first",
    )
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.SUBMITTED
    assert complaint.concluded_at is None


def test_transitions_out_of_order_are_refused(parties):
    complaint = accepted(parties)
    refused(lambda: services.accept_complaint(parties.regulator, complaint), "already been decided")
    refused(
        lambda: services.rebut_response(parties.complainant, reread(complaint), "反驳"),
        "answers the agency's response",
    )
    refused(
        lambda: services.conclude_complaint(
            parties.regulator, reread(complaint), "substantiated", "minor", "属实"
        ),
        "under investigation",
    )
    services.respond_to_complaint(parties.staff, reread(complaint), "答复")
    db.session.commit()
    refused(
        lambda: services.respond_to_complaint(parties.staff, reread(complaint), "再答复"),
        "already responded",
    )


def test_the_agency_cannot_respond_before_acceptance(parties):
    complaint = file(parties)
    refused(
        lambda: services.respond_to_complaint(parties.staff, complaint, "答复"),
        "answers_for_agency",
        PermissionDenied,
    )


def test_the_wrong_party_is_refused(parties, make_account, make_agency):
    complaint = accepted(parties)
    other_staff = make_account("agency")
    make_agency("active", users=[other_staff])
    other_staff = db.session.merge(other_staff)
    refused(
        lambda: services.respond_to_complaint(other_staff, reread(complaint), "答复"),
        "answers_for_agency",
        PermissionDenied,
    )
    stranger = make_account("enterprise")
    refused(
        lambda: services.withdraw_complaint(stranger, reread(complaint)),
        "is_complainant",
        PermissionDenied,
    )
    services.respond_to_complaint(parties.staff, reread(complaint), "答复")
    db.session.commit()
    refused(
        lambda: services.conclude_complaint(
            parties.other_regulator, reread(complaint), "substantiated", "minor", "属实"
        ),
        "Only the regulator this complaint is assigned to",
    )
    refused(
        lambda: services.conclude_complaint(
            parties.staff, reread(complaint), "substantiated", "minor", "属实"
        ),
        "is_regulator",
        PermissionDenied,
    )


def test_agency_users_and_regulators_cannot_file(parties):
    for account in (parties.staff, parties.regulator):
        refused(lambda account=account: file(parties, by=account), "can_file", PermissionDenied)
    assert db.session.query(Complaint).count() == 0


def test_the_complainant_withdraws_before_the_conclusion_and_the_agency_is_told(parties):
    complaint = accepted(parties)
    services.withdraw_complaint(parties.complainant, complaint, "已与机构协商退费。")
    db.session.commit()
    complaint = reread(complaint)
    assert complaint.status == ComplaintStatus.WITHDRAWN
    assert notices_to(parties.staff, "complaints.withdrawn")
    assert notices_to(parties.regulator, "complaints.withdrawn")


def test_withdrawing_after_the_conclusion_is_refused(parties):
    complaint = investigating(parties)
    services.conclude_complaint(parties.regulator, complaint, "substantiated", "minor", "属实")
    db.session.commit()
    refused(
        lambda: services.withdraw_complaint(parties.complainant, reread(complaint)),
        "not yet decided or concluded",
    )
    assert reread(complaint).status == ComplaintStatus.SUBSTANTIATED


def test_a_regulator_takes_an_unassigned_complaint_and_a_reviewer_reassigns_it(parties):
    complaint = file(parties)
    services.take_complaint(parties.regulator, complaint)
    db.session.commit()
    refused(
        lambda: services.take_complaint(parties.other_regulator, reread(complaint)),
        "already assigned",
    )
    refused(
        lambda: services.assign_complaint(
            parties.regulator, reread(complaint), parties.other_regulator
        ),
        "is_reviewer",
        PermissionDenied,
    )
    services.assign_complaint(parties.reviewer, reread(complaint), parties.other_regulator)
    db.session.commit()
    assert reread(complaint).assignee_id == parties.other_regulator.id
    assert notices_to(parties.other_regulator, "complaints.assigned")
    refused(
        lambda: services.accept_complaint(parties.regulator, reread(complaint)),
        "assigned to another regulator",
    )


def test_only_regulators_can_be_assigned(parties):
    complaint = file(parties)
    refused(
        lambda: services.assign_complaint(parties.reviewer, complaint, parties.staff),
        "Choose an active regulator",
    )


def test_every_transition_is_in_the_audit_log(parties):
    complaint = investigating(parties)
    services.rebut_response(parties.complainant, complaint, "反驳")
    services.conclude_complaint(parties.regulator, complaint, "substantiated", "major", "属实")
    db.session.commit()
    with force_locale("en"):
        assert actions_on(complaint) == [
            "complaint.filed",
            "complaint.assigned",
            "complaint.accepted",
            "complaint.responded",
            "complaint.rebutted",
            "complaint.concluded",
            "complaint.breach_recorded",
        ]
