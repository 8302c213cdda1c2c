"""Two people acting on the same engagement, extension request or review at once: one
succeeds, the other is refused with who acted first and when; the rows, the audit log and
the notices hold one decision (on PostgreSQL the acts overlap; on SQLite they run in turn)."""

import time
from datetime import date

import pytest
from sqlalchemy import select

from ratings.engagements import extensions, reviews, services
from ratings.engagements.models import (
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    FairDraw,
    Review,
)
from ratings.engagements.reviews import ReviewDetails
from registry.accounts.models import Account
from registry.agencies.models import Enterprise
from registry.db import db
from tests.ratings.engagements.conftest import (
    accepted,
    actions,
    count,
    details,
    notices_of,
    recorded,
)
from tests.ratings.races import names, one_refused, winner

WHEN = "2026-09-28 10:00"  # the clock's local time, when each act happens


@pytest.fixture
def colleagues(world, make_account):
    """A second user of the agency and of the enterprise, acting beside the first."""
    agency_user = make_account("agency", name="赵机构")
    enterprise_user = make_account("enterprise", name="钱企业")
    db.session.get(Account, agency_user.id).agency_id = world.agency.id
    db.session.get(Account, enterprise_user.id).enterprise_id = world.enterprise.id
    db.session.commit()
    return agency_user, enterprise_user


def _get(model, row):
    return db.session.get(model, row.id)


def _played_by(account, service, row, *args):
    """An act: `account` reads the row, then (once every act has read) calls the service."""

    def act():
        actor, target = _get(Account, account), _get(type(row), row)
        yield
        return service(actor, target, *args)

    return act


def _reread(row):
    return db.session.get(type(row), row.id)


def delivered(world) -> Engagement:
    engagement = accepted(world)
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    return engagement


def confirmed(world) -> Engagement:
    engagement = delivered(world)
    services.confirm_delivery(world.enterprise_user, engagement)
    db.session.commit()
    return engagement


def _of(kinds: set[str], found: list[str]) -> list[str]:
    """Which of these actions (or notice kinds, named alike) happened, in order."""
    return [kind for kind in found if kind in kinds]


# --- the engagement ----------------------------------------------------------------------------


def test_confirming_and_declining_an_engagement_at_once_leave_one_answer(world, colleagues, race):
    engagement = recorded(world)
    colleague = colleagues[0]
    outcomes = race(
        _played_by(world.agency_user, services.accept_engagement, engagement),
        _played_by(colleague, services.cancel_engagement, engagement, "人手不足，无法承接。"),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.agency_user, colleague)
    assert names(refusal, first, WHEN)
    row = _reread(engagement)
    if first is world.agency_user:
        assert (row.status, row.cancelled_at) == (EngagementStatus.OPEN, None)
        answer = "engagement.accepted"
    else:
        assert (row.status, row.accepted_at) == (EngagementStatus.CANCELLED, None)
        answer = "engagement.cancelled"
    answers = {"engagement.accepted", "engagement.cancelled"}
    assert _of(answers, actions("engagement.")) == [answer]
    assert _of(answers, notices_of(world.enterprise_user)) == [answer]


def test_a_delivery_confirmed_twice_at_once_is_confirmed_once(world, colleagues, race):
    engagement = delivered(world)
    colleague = colleagues[1]
    outcomes = race(
        _played_by(world.enterprise_user, services.confirm_delivery, engagement),
        _played_by(colleague, services.confirm_delivery, engagement),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.enterprise_user, colleague)
    assert names(refusal, first, WHEN)
    assert _reread(engagement).confirmed_by_id == first.id
    assert actions("engagement.confirmed") == ["engagement.confirmed"]
    assert notices_of(world.agency_user).count("engagement.confirmed") == 1


def test_a_dispute_sent_as_the_delivery_is_confirmed_is_refused(world, colleagues, race):
    engagement = delivered(world)
    colleague = colleagues[1]

    def dispute_a_moment_later():
        actor, row = _get(Account, colleague), _get(Engagement, engagement)
        yield
        time.sleep(0.2)  # the confirmation goes first, as a person a moment quicker would
        services.dispute_delivery(actor, row, "成果缺少界址点坐标。")

    outcomes = race(
        _played_by(world.enterprise_user, services.confirm_delivery, engagement),
        dispute_a_moment_later,
    )
    row = _reread(engagement)
    answers = {"engagement.confirmed", "engagement.disputed"}
    assert row.status == EngagementStatus.CONFIRMED
    if outcomes[1] is None:
        # The dispute came first after all (a slow machine): confirming a disputed delivery
        # is allowed ("you may still confirm later"), so both stand, one after the other.
        assert outcomes[0] is None
        assert row.disputed_at is not None
        in_turn = ["engagement.disputed", "engagement.confirmed"]
        assert _of(answers, actions("engagement.")) == in_turn
        return
    refusal = one_refused(outcomes, services.EngagementError)
    assert names(refusal, world.enterprise_user, WHEN)
    assert (row.disputed_at, row.dispute_reason) == (None, None)
    assert _of(answers, actions("engagement.")) == ["engagement.confirmed"]
    assert _of(answers, notices_of(world.agency_user)) == ["engagement.confirmed"]


def test_cancelling_and_delivering_at_once_leave_one_outcome(world, race):
    engagement = accepted(world)
    outcomes = race(
        _played_by(world.enterprise_user, services.cancel_engagement, engagement, "项目取消。"),
        _played_by(world.agency_user, services.mark_delivered, engagement),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.enterprise_user, world.agency_user)
    assert names(refusal, first, WHEN)
    row = _reread(engagement)
    if first is world.agency_user:
        assert (row.status, row.cancelled_at) == (EngagementStatus.DELIVERED, None)
        end = "engagement.delivered"
    else:
        assert (row.status, row.delivered_on) == (EngagementStatus.CANCELLED, None)
        end = "engagement.cancelled"
    ends = {"engagement.cancelled", "engagement.delivered"}
    assert _of(ends, actions("engagement.")) == [end]
    assert _of(ends, notices_of(world.enterprise_user) + notices_of(world.agency_user)) == [end]


def test_two_agency_users_delivering_at_once_deliver_once(world, colleagues, race):
    engagement = accepted(world)
    colleague = colleagues[0]
    outcomes = race(
        _played_by(world.agency_user, services.mark_delivered, engagement),
        _played_by(colleague, services.mark_delivered, engagement),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.agency_user, colleague)
    assert names(refusal, first, WHEN)
    assert _reread(engagement).delivered_by_id == first.id
    assert actions("engagement.delivered") == ["engagement.delivered"]
    assert notices_of(world.enterprise_user).count("engagement.delivered") == 1


# --- extensions --------------------------------------------------------------------------------


def test_two_extension_requests_at_once_leave_one_waiting(world, colleagues, race):
    engagement = accepted(world)
    colleague = colleagues[0]
    outcomes = race(
        _played_by(world.agency_user, extensions.request_extension, engagement, 2, "等待复核"),
        _played_by(colleague, extensions.request_extension, engagement, 3, "外业受天气影响"),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    assert names(refusal, winner(outcomes, world.agency_user, colleague), WHEN)
    assert count(ExtensionRequest) == 1
    assert notices_of(world.enterprise_user).count("engagement.extension_requested") == 1


def test_accepting_and_refusing_an_extension_at_once_decide_it_once(world, colleagues, clock, race):
    engagement = accepted(world)
    extension = extensions.request_extension(world.agency_user, engagement, 2, "等待规划复核")
    db.session.commit()
    colleague = colleagues[1]
    outcomes = race(
        _played_by(world.enterprise_user, extensions.decide_extension, extension, True),
        _played_by(colleague, extensions.decide_extension, extension, False, "工期已很宽松"),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.enterprise_user, colleague)
    assert names(refusal, first, WHEN)
    row, work = _reread(extension), _reread(engagement)
    assert row.decided_by_id == first.id
    if first is world.enterprise_user:
        assert (row.status, work.extra_days) == ("accepted", 2)
        decision = "engagement.extension_accepted"
    else:
        assert (row.status, work.extra_days) == ("refused", 0)
        decision = "engagement.extension_refused"
    decisions = {"engagement.extension_accepted", "engagement.extension_refused"}
    assert _of(decisions, actions("engagement.")) == [decision]
    assert _of(decisions, notices_of(world.agency_user)) == [decision]


# --- reviews -----------------------------------------------------------------------------------

REVIEW = ReviewDetails(quality=5, timeliness=3, fee_compliance=4, conduct=5, text="放线准确。")


def test_two_reviews_of_one_engagement_at_once_leave_one(world, colleagues, race):
    engagement = confirmed(world)
    colleague = colleagues[1]
    outcomes = race(
        _played_by(world.enterprise_user, reviews.write_review, engagement, REVIEW),
        _played_by(colleague, reviews.write_review, engagement, REVIEW),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.enterprise_user, colleague)
    assert names(refusal, first, WHEN)
    [review] = db.session.execute(select(Review)).scalars()
    assert review.author_id == first.id
    assert actions("review.") == ["review.written"]
    assert notices_of(world.agency_user).count("review.written") == 1


def test_two_replies_to_a_review_at_once_leave_one(world, colleagues, race):
    engagement = confirmed(world)
    review = reviews.write_review(world.enterprise_user, engagement, REVIEW)
    db.session.commit()
    colleague = colleagues[0]
    outcomes = race(
        _played_by(world.agency_user, reviews.reply_to_review, review, "感谢评价。"),
        _played_by(colleague, reviews.reply_to_review, review, "已改进流程。"),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, world.agency_user, colleague)
    assert names(refusal, first, WHEN)
    assert _reread(review).replied_by_id == first.id
    assert actions("review.replied") == ["review.replied"]
    assert notices_of(world.enterprise_user).count("review.replied") == 1


def test_two_regulators_hiding_a_review_at_once_hide_it_once(world, make_account, race):
    engagement = confirmed(world)
    review = reviews.write_review(world.enterprise_user, engagement, REVIEW)
    db.session.commit()
    regulator, other = make_account("regulator", name="周监管"), make_account("regulator")
    outcomes = race(
        _played_by(regulator, reviews.hide_review, review, "含有个人电话号码。"),
        _played_by(other, reviews.hide_review, review, "涉及商业秘密。"),
    )
    refusal = one_refused(outcomes, services.EngagementError)
    first = winner(outcomes, regulator, other)
    assert names(refusal, first, WHEN)
    assert _reread(review).hidden_by_id == first.id
    assert actions("review.hidden") == ["review.hidden"]
    assert notices_of(world.agency_user).count("review.hidden") == 1
    assert notices_of(world.enterprise_user).count("review.hidden") == 1


# --- fair draws --------------------------------------------------------------------------------


def test_two_engagements_recorded_from_one_draw_at_once_leave_one(world, colleagues, race):
    draw = FairDraw(
        code="0A1B2C3D4E",
        method="sha256-mod-v1",
        enterprise_id=world.enterprise.id,
        service_item_id=world.item.id,
        drawn_on=date(2026, 9, 28),
        candidates=world.agency.credit_code,
        candidate_count=1,
        seed="00" * 16,
        chosen_index=0,
        chosen_agency_id=world.agency.id,
    )
    db.session.add(draw)
    db.session.commit()
    colleague = colleagues[1]

    def record(account):
        def act():
            actor, enterprise = _get(Account, account), _get(Enterprise, world.enterprise)
            yield
            return services.record_engagement(
                actor, enterprise, details(world, fair_draw_id=draw.id)
            )

        return act

    outcomes = race(record(world.enterprise_user), record(colleague))
    refusal = one_refused(outcomes, services.EngagementError)
    assert names(refusal, winner(outcomes, world.enterprise_user, colleague), WHEN)
    assert count(Engagement, Engagement.fair_draw_id == draw.id) == 1
    assert notices_of(world.agency_user).count("engagement.recorded") == 1
