"""Two people acting on the same agency, request, fee or catalogue item at once: one
succeeds and the other is refused with who acted and when, or (a fee, a cap) the second
supersedes the first as it would a moment later; never a crash, never two rows where one
may be. On PostgreSQL the acts overlap; on SQLite they run in turn."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.agencies import catalogue, fees, services
from registry.agencies.catalogue import CapDetails, CatalogueError
from registry.agencies.fees import FeeOffer
from registry.agencies.models import FeeCap, FeeSchedule, LinkRequest
from registry.agencies.services import QualificationDetails, RegistryError
from registry.audit.models import AuditEvent
from registry.dates import local_today
from registry.db import db
from tests.agencies.conftest import CHECKSUM_FAILING_CODE
from tests.factories import actions_on, count
from tests.races import attached, names, successes, the_refusal


@pytest.fixture
def regulators(make_account):
    return make_account("regulator", name="周监管"), make_account("regulator", name="吴审核")


@pytest.fixture
def staff(make_account, make_agency):
    """Two staff accounts of one active agency, and the agency."""
    first, second = make_account("agency", name="孙机构"), make_account("agency", name="李机构")
    agency = make_agency("active", users=[first, second])
    return attached(first), attached(second), agency


def decisions_on(row, *actions) -> list[str]:
    return [action for action in actions_on(row) if action in actions]


# --- registration and status -------------------------------------------------------------------


def test_verify_and_reject_at_once_leave_one_decision(regulators, make_agency, race):
    first, second = regulators
    agency = make_agency("pending")

    def verify():
        regulator, row = attached(first), attached(agency)
        yield
        services.change_agency_status(regulator, row, "verify", None)

    def reject():
        regulator, row = attached(second), attached(agency)
        yield
        services.change_agency_status(regulator, row, "reject", "营业执照复印件不清晰。")

    refusal = the_refusal(race(verify, reject), RegistryError)
    row = attached(agency)
    if row.status == "active":
        assert row.verified_by_id == first.id
        assert row.status_reason is None
        winner = first
    else:
        assert row.status == "rejected"
        assert row.verified_at is None
        winner = second
    names(refusal, winner)
    assert len(decisions_on(row, "agency.verified", "agency.rejected")) == 1


def test_two_suspensions_at_once_keep_the_first_reason(regulators, make_agency, race):
    agency = make_agency("active")

    def suspend(regulator, reason):
        def act():
            actor, row = attached(regulator), attached(agency)
            yield
            services.change_agency_status(actor, row, "suspend", reason)

        return act

    outcomes = race(suspend(regulators[0], "超标准收费。"), suspend(regulators[1], "资质过期。"))

    refusal = the_refusal(outcomes, RegistryError)
    row = attached(agency)
    winner = regulators[0] if row.status_reason == "超标准收费。" else regulators[1]
    assert row.status == "suspended"
    names(refusal, winner)
    assert decisions_on(row, "agency.suspended") == ["agency.suspended"]


def test_a_code_exception_accepted_twice_at_once_keeps_one_reason(regulators, make_agency, race):
    agency = make_agency("pending", credit_code=CHECKSUM_FAILING_CODE)

    def accept(regulator, reason):
        def act():
            actor, row = attached(regulator), attached(agency)
            yield
            services.accept_credit_code_exception(actor, row, reason)

        return act

    outcomes = race(
        accept(regulators[0], "营业执照原件核对无误。"), accept(regulators[1], "登记机关确认。")
    )

    refusal = the_refusal(outcomes, RegistryError)
    row = attached(agency)
    winner = (
        regulators[0] if row.credit_code_exception == "营业执照原件核对无误。" else regulators[1]
    )
    names(refusal, winner)
    assert decisions_on(row, "agency.credit_code_exception") == ["agency.credit_code_exception"]


# --- link requests -----------------------------------------------------------------------------


def test_approve_and_reject_a_link_request_at_once_leave_one_decision(
    staff, regulators, make_account, race
):
    colleague, _other, agency = staff
    newcomer = make_account("agency", name="王新人")
    request = services.request_link(newcomer, agency.credit_code)
    db.session.commit()

    def approve():
        actor, row = attached(colleague), attached(request)
        yield
        services.decide_link(actor, row, approve=True)

    def reject():
        actor, row = attached(regulators[0]), attached(request)
        yield
        services.decide_link(actor, row, approve=False, reason="不是本机构员工。")

    refusal = the_refusal(race(approve, reject), RegistryError)
    row, account = attached(request), attached(newcomer)
    if row.status == "approved":
        assert account.agency_id == agency.id
        winner = colleague
    else:
        assert row.status == "rejected"
        assert account.agency_id is None
        winner = regulators[0]
    names(refusal, winner)
    assert len(decisions_on(row, "link.approved", "link.rejected")) == 1


def test_a_link_request_sent_twice_at_once_waits_once(make_account, make_agency, race):
    agency = make_agency("active")
    newcomer = make_account("agency", name="王新人")

    def send():
        actor = attached(newcomer)
        yield
        services.request_link(actor, agency.credit_code)

    refusal = the_refusal(race(send, send), RegistryError)
    names(refusal, newcomer)
    assert count(LinkRequest, LinkRequest.account_id == newcomer.id) == 1


# --- qualifications ----------------------------------------------------------------------------


def test_a_qualification_removed_twice_at_once_is_removed_once(staff, regulators, race):
    first, second, agency = staff
    qualification = services.add_qualification(
        regulators[0],
        attached(agency),
        QualificationDetails(
            name="测绘资质证书", number="乙测资字32000001", issuer="江苏省自然资源厅"
        ),
    )
    db.session.commit()

    def remove(account):
        def act():
            actor, row = attached(account), attached(qualification)
            yield
            if row is None:
                return "not found"  # read after the removal (SQLite: in turn): the page's 404
            services.remove_qualification(actor, row)

        return act

    outcomes = race(remove(first), remove(second))

    assert outcomes.count(None) == 1, outcomes  # one removal
    (other,) = [outcome for outcome in outcomes if outcome is not None]
    if other != "not found":
        assert isinstance(other, RegistryError), outcomes
        names(other, first if outcomes[0] is None else second)
    row = attached(agency)
    assert row.qualifications == []
    assert decisions_on(row, "agency.qualification_removed") == ["agency.qualification_removed"]


# --- fees ---------------------------------------------------------------------------------------


def offer(fee_max: str, **changes) -> FeeOffer:
    values = {
        "fee_min": Decimal("800"),
        "fee_max": Decimal(fee_max),
        "basis": "按《工程勘察设计收费标准》计费",
        "promised_days": 10,
        "effective_from": local_today(),
    }
    return FeeOffer(**{**values, **changes})


def test_two_publications_of_one_fee_at_once_supersede_in_turn(staff, make_service_item, race):
    first, second, agency = staff
    item = make_service_item()

    def publish(account, fee_max):
        def act():
            actor, row, service = attached(account), attached(agency), attached(item)
            yield
            return fees.publish_fee(actor, row, service, offer(fee_max)).id

        return act

    outcomes = race(publish(first, "1200"), publish(second, "1500"))

    assert len(successes(outcomes)) == 2, outcomes
    rows = db.session.execute(select(FeeSchedule)).scalars().all()
    (open_row,) = [row for row in rows if row.effective_to is None]
    (ended,) = [row for row in rows if row.effective_to is not None]
    assert ended.effective_to == local_today()  # superseded on the day it began
    published = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.action == "fee.published", AuditEvent.object_id == str(agency.id))
        .order_by(AuditEvent.seq)
    ).scalars()
    assert [
        (event.details["fee_schedule_id"], event.details["replaces"]) for event in published
    ] == [
        (ended.id, None),
        (open_row.id, ended.id),
    ]


def test_a_fee_withdrawn_twice_at_once_ends_once(staff, make_service_item, race):
    first, second, agency = staff
    item = make_service_item()
    schedule = fees.publish_fee(first, attached(agency), attached(item), offer("1200"))
    db.session.commit()
    soon, later = local_today() + timedelta(days=3), local_today() + timedelta(days=9)

    def withdraw(account, day):
        def act():
            actor, row = attached(account), attached(schedule)
            yield
            fees.withdraw_fee(actor, row, day)

        return act

    refusal = the_refusal(race(withdraw(first, soon), withdraw(second, later)), RegistryError)
    row = attached(schedule)
    names(refusal, first if row.effective_to == soon else second)
    assert decisions_on(attached(agency), "fee.withdrawn") == ["fee.withdrawn"]


# --- the catalogue ---------------------------------------------------------------------------


def test_two_caps_set_at_once_follow_each_other(regulators, make_service_item, race):
    item = make_service_item(pricing="government_guided", cap="1000")
    tomorrow = local_today() + timedelta(days=1)

    def set_cap(regulator, amount):
        def act():
            actor, row = attached(regulator), attached(item)
            yield
            catalogue.set_fee_cap(
                actor, row, CapDetails(Decimal(amount), "苏价服〔2026〕9号", tomorrow)
            )

        return act

    outcomes = race(set_cap(regulators[0], "900"), set_cap(regulators[1], "950"))

    assert len(successes(outcomes)) == 2, outcomes
    assert count(FeeCap, FeeCap.service_item_id == item.id) == 3
    assert count(FeeCap, FeeCap.service_item_id == item.id, FeeCap.effective_to.is_(None)) == 1
    assert decisions_on(attached(item), "service_item.cap_set") == ["service_item.cap_set"] * 2


def test_an_item_retired_twice_at_once_is_retired_once(regulators, make_service_item, race):
    item = make_service_item()
    soon, later = local_today() + timedelta(days=7), local_today() + timedelta(days=30)

    def retire(regulator, day):
        def act():
            actor, row = attached(regulator), attached(item)
            yield
            catalogue.retire_service_item(actor, row, day)

        return act

    outcomes = race(retire(regulators[0], soon), retire(regulators[1], later))

    refusal = the_refusal(outcomes, CatalogueError)
    row = attached(item)
    names(refusal, regulators[0] if row.retired_on == soon else regulators[1])
    assert decisions_on(row, "service_item.retired") == ["service_item.retired"]
