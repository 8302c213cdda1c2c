"""The engagement lifecycle: each step by the right party, in order; every refusal leaves
nothing written."""

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from ratings.engagements import extensions, services
from ratings.engagements.models import Engagement, EngagementStatus, ExtensionRequest
from ratings.engagements.queries import deadline_of
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.ratings.engagements.conftest import (
    accepted,
    actions,
    count,
    details,
    notices_of,
    recorded,
)


def refused(call, *args) -> str:
    with force_locale("en"), pytest.raises(services.EngagementError) as error:
        call(*args)
    db.session.rollback()
    return str(error.value)


def test_recording_copies_the_promised_days_and_fee_facts_of_the_start_date(world):
    engagement = recorded(world)
    assert engagement.status == EngagementStatus.AWAITING_AGENCY
    assert engagement.fee_schedule_id == world.schedule.id
    assert (engagement.promised_days, engagement.published_max_fen, engagement.cap_fen) == (
        5,
        80000,
        100000,
    )
    assert engagement.overcharge_fen == 0
    assert actions("engagement.") == ["engagement.recorded"]
    assert notices_of(world.agency_user) == ["engagement.recorded"]


def test_the_schedule_in_force_on_the_start_date_applies_not_todays(world, publish_fee, clock):
    world.schedule.effective_to = date(2026, 9, 1)
    db.session.commit()
    publish_fee(
        world.agency, world.item, fee_max="600", promised_days=8, effective_from=date(2026, 9, 1)
    )
    clock.set(date(2026, 9, 10))
    before = recorded(world, start_date=date(2026, 8, 20))
    after = recorded(world, start_date=date(2026, 9, 2))
    assert (before.promised_days, before.published_max_fen) == (5, 80000)
    assert (after.promised_days, after.published_max_fen) == (8, 60000)
    assert after.overcharge_fen == 10000  # 700 agreed, 600 published


def test_the_agency_confirms_delivers_and_the_enterprise_confirms(world, clock):
    engagement = accepted(world)
    assert engagement.status == EngagementStatus.OPEN
    assert notices_of(world.enterprise_user) == ["engagement.accepted"]
    clock.set(date(2026, 10, 9))
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    assert (engagement.status, engagement.delivered_on, engagement.late_working_days) == (
        EngagementStatus.DELIVERED,
        date(2026, 10, 9),
        0,
    )
    services.confirm_delivery(world.enterprise_user, engagement)
    db.session.commit()
    assert engagement.status == EngagementStatus.CONFIRMED
    assert engagement.confirmed_on == date(2026, 10, 9)
    assert actions("engagement.") == [
        "engagement.recorded",
        "engagement.accepted",
        "engagement.delivered",
        "engagement.confirmed",
    ]
    assert notices_of(world.enterprise_user)[-1] == "engagement.delivered"
    assert notices_of(world.agency_user)[-1] == "engagement.confirmed"


def test_a_disputed_delivery_is_delivered_again_then_confirmed(world, clock):
    engagement = accepted(world)
    services.mark_delivered(world.agency_user, engagement)
    services.dispute_delivery(world.enterprise_user, engagement, "报告缺少坐标成果表")
    db.session.commit()
    assert engagement.status == EngagementStatus.DISPUTED
    assert notices_of(world.agency_user)[-1] == "engagement.disputed"
    clock.set(date(2026, 10, 14))
    services.mark_delivered(world.agency_user, engagement)
    services.confirm_delivery(world.enterprise_user, engagement)
    db.session.commit()
    assert engagement.status == EngagementStatus.CONFIRMED
    assert engagement.delivered_on == date(2026, 10, 14)
    assert engagement.late_working_days == 3


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("deliver", "Confirm the engagement before you mark it delivered."),
        ("confirm", "This cannot be done now"),
        ("dispute", "This cannot be done now"),
    ],
)
def test_steps_out_of_order_are_refused(world, step, message):
    engagement = recorded(world)
    calls = {
        "deliver": (services.mark_delivered, world.agency_user, engagement),
        "confirm": (services.confirm_delivery, world.enterprise_user, engagement),
        "dispute": (services.dispute_delivery, world.enterprise_user, engagement, "不符"),
    }
    call, *args = calls[step]
    assert message in refused(call, *args)
    assert db.session.get(Engagement, engagement.id).status == EngagementStatus.AWAITING_AGENCY


def test_confirmed_work_cannot_be_delivered_cancelled_or_disputed_again(world):
    engagement = accepted(world)
    services.mark_delivered(world.agency_user, engagement)
    services.confirm_delivery(world.enterprise_user, engagement)
    db.session.commit()
    assert "This cannot be done now" in refused(
        services.mark_delivered, world.agency_user, engagement
    )
    assert "no longer be cancelled" in refused(
        services.cancel_engagement, world.enterprise_user, engagement, "不要了"
    )
    assert "This cannot be done now" in refused(
        services.dispute_delivery, world.enterprise_user, engagement, "不符"
    )


def test_the_enterprise_cancels_undelivered_work_with_a_reason(world):
    engagement = accepted(world)
    assert "Give the reason" in refused(
        services.cancel_engagement, world.enterprise_user, engagement, "  "
    )
    services.cancel_engagement(world.enterprise_user, engagement, "项目暂停")
    db.session.commit()
    assert (engagement.status, engagement.cancel_reason) == (EngagementStatus.CANCELLED, "项目暂停")
    assert notices_of(world.agency_user)[-1] == "engagement.cancelled"


def test_the_agency_may_decline_only_before_it_confirms(world):
    first = recorded(world)
    services.cancel_engagement(world.agency_user, first, "人手不足，无法承接")
    db.session.commit()
    assert first.status == EngagementStatus.CANCELLED
    assert notices_of(world.enterprise_user)[-1] == "engagement.cancelled"
    second = accepted(world)
    assert "Only an engagement you have not confirmed" in refused(
        services.cancel_engagement, world.agency_user, second, "不做了"
    )


def test_each_step_belongs_to_one_party(world, make_account, make_agency):
    engagement = recorded(world)
    stranger = make_account("agency")
    make_agency("active", users=[stranger])
    stranger = db.session.merge(stranger)
    with pytest.raises(PermissionDenied):
        services.accept_engagement(world.enterprise_user, engagement)
    with pytest.raises(PermissionDenied):
        services.accept_engagement(stranger, engagement)
    with pytest.raises(PermissionDenied):
        services.record_engagement(world.agency_user, world.enterprise, details(world))
    db.session.rollback()
    services.accept_engagement(world.agency_user, engagement)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.mark_delivered(world.enterprise_user, engagement)
    with pytest.raises(PermissionDenied):
        services.confirm_delivery(world.agency_user, engagement)


@pytest.mark.parametrize("status", ["suspended", "pending", "deregistered"])
def test_an_agency_that_is_not_active_takes_no_new_engagement(world, status):
    world.agency.status = status
    db.session.commit()
    assert "cannot take new engagements" in refused(
        services.record_engagement, world.enterprise_user, world.enterprise, details(world)
    )
    assert count(Engagement) == 0
    assert actions("engagement.") == []


def test_an_agency_suspended_after_recording_cannot_confirm(world):
    engagement = recorded(world)
    world.agency.status = "suspended"
    db.session.commit()
    assert "cannot take new engagements" in refused(
        services.accept_engagement, world.agency_user, engagement
    )
    assert db.session.get(Engagement, engagement.id).status == EngagementStatus.AWAITING_AGENCY


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agreed_fee": None}, "Enter the fee you agreed"),
        ({"agreed_fee": Decimal("0")}, "Enter the fee you agreed"),
        ({"agreed_fee": Decimal("700.005")}, "at most two decimals"),
        ({"start_date": None}, "Enter the start date"),
        ({"start_date": date(2026, 5, 1)}, "at most 90 days ago"),
        ({"start_date": date(2026, 12, 1)}, "at most 30 days ahead"),
        ({"start_date": date(2025, 12, 31)}, "at most 90 days ago"),
    ],
)
def test_bad_details_are_refused_with_nothing_written(world, changes, message):
    assert message in refused(
        services.record_engagement,
        world.enterprise_user,
        world.enterprise,
        details(world, **changes),
    )
    assert count(Engagement) == 0


def test_a_service_the_agency_did_not_offer_on_the_start_date_is_refused(world, make_service_item):
    other = make_service_item(name="地形图测绘")
    message = refused(
        services.record_engagement,
        world.enterprise_user,
        world.enterprise,
        details(world, service_item_id=other.id),
    )
    assert "had no published fee for 地形图测绘 in force on 2026-09-28" in message
    assert count(Engagement) == 0


# --- overcharges ---------------------------------------------------------------------------


def test_a_fee_above_the_published_maximum_is_an_overcharge(world):
    engagement = recorded(world, agreed_fee=Decimal("850.50"))
    assert engagement.overcharge_fen == 5050
    assert engagement.is_overcharged
    assert engagement.over_published_max_fen == 5050
    assert engagement.over_cap_fen == 0
    overcharged = (
        db.session.execute(db.select(Engagement.id).where(Engagement.is_overcharged))
        .scalars()
        .all()
    )
    assert overcharged == [engagement.id]


def test_a_fee_within_the_maximum_is_no_overcharge(world):
    engagement = recorded(world, agreed_fee=Decimal("800"))
    assert engagement.overcharge_fen == 0
    assert not engagement.is_overcharged


def test_the_government_cap_in_force_on_the_start_date_counts_even_below_the_maximum(world, clock):
    """The cap was lowered to 750 from 1 September while the schedule's maximum stayed 800."""
    from registry.agencies.models import FeeCap

    old_cap = world.item.caps[0]
    old_cap.effective_to = date(2026, 9, 1)
    db.session.add(
        FeeCap(
            service_item_id=world.item.id,
            cap_fen=75000,
            basis="澄价〔2026〕3号",
            effective_from=date(2026, 9, 1),
        )
    )
    db.session.commit()
    before = recorded(world, agreed_fee=Decimal("780"), start_date=date(2026, 8, 31))
    after = recorded(world, agreed_fee=Decimal("780"), start_date=date(2026, 9, 1))
    assert (before.cap_fen, before.overcharge_fen) == (100000, 0)
    assert (after.cap_fen, after.overcharge_fen) == (75000, 3000)
    assert after.over_cap_fen == 3000
    assert after.over_published_max_fen == 0


# --- deadlines across the 2026 National Day week -------------------------------------------


def test_the_due_date_skips_the_national_day_week_and_counts_saturday_10_october(world):
    """Start Monday 28 September, 5 working days: 29, 30 September, 8, 9 and Saturday 10
    October (an adjusted working day); 1–7 October are holidays."""
    engagement = accepted(world)
    assert services.due_date(engagement) == date(2026, 10, 10)


def test_overdue_working_days_count_only_working_days_after_the_due_date(world, clock):
    engagement = accepted(world)
    clock.set(date(2026, 10, 10))
    assert deadline_of(engagement, clock.today()).overdue_working_days == 0
    clock.set(date(2026, 10, 11))  # Sunday: not a working day
    assert deadline_of(engagement, clock.today()).overdue_working_days == 0
    assert deadline_of(engagement, clock.today()).is_overdue
    clock.set(date(2026, 10, 14))
    assert deadline_of(engagement, clock.today()).overdue_working_days == 3


def test_late_delivery_fixes_the_working_days_late(world, clock):
    engagement = accepted(world)
    clock.set(date(2026, 10, 14))
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    assert engagement.late_working_days == 3
    clock.set(date(2026, 12, 1))
    assert deadline_of(engagement, clock.today()).overdue_working_days == 3


# --- extensions ------------------------------------------------------------------------------


def test_an_accepted_extension_moves_the_deadline(world, clock):
    engagement = accepted(world)
    clock.set(date(2026, 10, 9))
    extension = extensions.request_extension(world.agency_user, engagement, 2, "等待规划部门复核")
    db.session.commit()
    assert notices_of(world.enterprise_user)[-1] == "engagement.extension_requested"
    assert services.due_date(engagement) == date(2026, 10, 10), "pending: not moved"
    extensions.decide_extension(world.enterprise_user, extension, accept=True)
    db.session.commit()
    assert extension.status == "accepted"
    assert engagement.extra_days == 2
    assert services.due_date(engagement) == date(2026, 10, 13)
    assert notices_of(world.agency_user)[-1] == "engagement.extension_accepted"
    clock.set(date(2026, 10, 14))
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    assert engagement.late_working_days == 1


def test_a_refused_extension_leaves_the_deadline(world, clock):
    engagement = accepted(world)
    extension = extensions.request_extension(world.agency_user, engagement, 3, "外业受天气影响")
    db.session.commit()
    assert "Give the reason for refusing" in refused(
        extensions.decide_extension, world.enterprise_user, extension, False, ""
    )
    extensions.decide_extension(
        world.enterprise_user, extension, accept=False, reason="工期已很宽松"
    )
    db.session.commit()
    assert (extension.status, extension.decision_reason) == ("refused", "工期已很宽松")
    assert engagement.extra_days == 0
    assert services.due_date(engagement) == date(2026, 10, 10)
    assert notices_of(world.agency_user)[-1] == "engagement.extension_refused"
    assert "already decided" in refused(
        extensions.decide_extension, world.enterprise_user, extension, True
    )


def test_an_extension_is_asked_before_the_deadline_only(world, clock):
    engagement = accepted(world)
    clock.set(date(2026, 10, 10))
    extensions.request_extension(world.agency_user, engagement, 1, "当日申请")
    db.session.rollback()
    clock.set(date(2026, 10, 12))
    assert "has passed" in refused(
        extensions.request_extension, world.agency_user, engagement, 1, "迟到的申请"
    )
    assert count(ExtensionRequest) == 0


@pytest.mark.parametrize(
    ("extra_days", "justification", "message"),
    [
        (0, "理由", "Ask for 1 to 60 working days."),
        (61, "理由", "Ask for 1 to 60 working days."),
        (None, "理由", "Ask for 1 to 60 working days."),
        (2, "  ", "Say why the work needs more time."),
    ],
)
def test_bad_extension_requests_are_refused(world, extra_days, justification, message):
    engagement = accepted(world)
    assert message in refused(
        extensions.request_extension, world.agency_user, engagement, extra_days, justification
    )
    assert count(ExtensionRequest) == 0


def test_one_request_at_a_time_and_only_for_confirmed_open_work(world):
    waiting = recorded(world)
    assert "only for confirmed work" in refused(
        extensions.request_extension, world.agency_user, waiting, 2, "理由"
    )
    engagement = accepted(world)
    extensions.request_extension(world.agency_user, engagement, 2, "理由一")
    db.session.commit()
    assert "already waiting" in refused(
        extensions.request_extension, world.agency_user, engagement, 2, "理由二"
    )
    with pytest.raises(PermissionDenied):
        extensions.request_extension(world.enterprise_user, engagement, 2, "理由")


def test_delivery_withdraws_a_pending_extension(world):
    engagement = accepted(world)
    extension = extensions.request_extension(world.agency_user, engagement, 2, "理由")
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    assert extension.status == "withdrawn"
    assert "already decided" in refused(
        extensions.decide_extension, world.enterprise_user, extension, True
    )


def test_a_blacklisted_agency_takes_no_new_engagement(world, clock):
    engagement = recorded(world)
    world.agency.listed_from, world.agency.listed_until = date(2026, 9, 1), date(2027, 8, 31)
    db.session.commit()
    assert "on the blacklist" in refused(
        services.record_engagement, world.enterprise_user, world.enterprise, details(world)
    )
    assert "on the blacklist" in refused(services.accept_engagement, world.agency_user, engagement)
    assert count(Engagement) == 1
    clock.set(date(2027, 9, 1))  # the listing has ended
    recorded(world, start_date=date(2027, 9, 1))
    assert count(Engagement) == 2
