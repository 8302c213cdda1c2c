"""Reviews: once per confirmed engagement, by its enterprise only; one public reply by the
agency; hidden by a regulator only with a reason; on the public profile, newest first."""

import pytest
from flask_babel import force_locale

from ratings.engagements import reviews, services
from ratings.engagements.models import Review
from ratings.engagements.reviews import ReviewDetails
from registry.accounts.permissions import PermissionDenied
from registry.db import db
from tests.conftest import post_form
from tests.ratings.engagements.conftest import (
    ENGLISH,
    accepted,
    actions,
    count,
    notices_of,
    recorded,
)

GOOD = {"quality": 5, "timeliness": 3, "fee_compliance": 4, "conduct": 5}


def confirmed(world):
    engagement = accepted(world)
    services.mark_delivered(world.agency_user, engagement)
    services.confirm_delivery(world.enterprise_user, engagement)
    db.session.commit()
    return engagement


def review_details(text="放线准确，但比承诺晚了一天。", **scores) -> ReviewDetails:
    return ReviewDetails(text=text, **{**GOOD, **scores})


def written(world, engagement, **changes) -> Review:
    review = reviews.write_review(world.enterprise_user, engagement, review_details(**changes))
    db.session.commit()
    return review


def refusal(call, *args) -> str:
    with force_locale("en"), pytest.raises(services.EngagementError) as error:
        call(*args)
    db.session.rollback()
    return str(error.value)


def test_the_enterprise_reviews_a_confirmed_engagement(world):
    engagement = confirmed(world)
    review = written(world, engagement)
    assert (review.agency_id, review.enterprise_id) == (world.agency.id, world.enterprise.id)
    assert review.mean_score == 4.25
    assert actions("review.") == ["review.written"]
    assert notices_of(world.agency_user)[-1] == "review.written"


def test_a_review_without_a_confirmed_engagement_is_refused(world):
    engagement = accepted(world)
    message = refusal(reviews.write_review, world.enterprise_user, engagement, review_details())
    assert "Only a confirmed engagement can be reviewed" in message
    services.mark_delivered(world.agency_user, engagement)
    db.session.commit()
    assert "Only a confirmed engagement" in refusal(
        reviews.write_review, world.enterprise_user, engagement, review_details()
    )
    assert count(Review) == 0


def test_a_second_review_is_refused(world):
    engagement = confirmed(world)
    written(world, engagement)
    assert "already has your review" in refusal(
        reviews.write_review, world.enterprise_user, engagement, review_details(text="再评一次")
    )
    assert count(Review) == 1


def test_the_agency_cannot_review_its_own_work(world):
    engagement = confirmed(world)
    with pytest.raises(PermissionDenied):
        reviews.write_review(world.agency_user, engagement, review_details())
    db.session.rollback()
    assert count(Review) == 0


def test_another_enterprise_cannot_review(world, make_account, make_enterprise):
    engagement = confirmed(world)
    other = make_account("enterprise")
    make_enterprise(users=[other])
    with pytest.raises(PermissionDenied):
        reviews.write_review(db.session.merge(other), engagement, review_details())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quality": 0}, "Give a score from 1 to 5."),
        ({"conduct": 6}, "Give a score from 1 to 5."),
        ({"timeliness": None}, "Give a score from 1 to 5."),
        ({"text": "   "}, "Write what you thought of the work."),
    ],
)
def test_bad_scores_or_no_text_are_refused(world, changes, message):
    engagement = confirmed(world)
    assert message in refusal(
        reviews.write_review, world.enterprise_user, engagement, review_details(**changes)
    )
    assert count(Review) == 0
    assert actions("review.") == []


def test_the_agency_replies_once(world, make_account, make_agency):
    review = written(world, confirmed(world))
    other_staff = make_account("agency")
    make_agency("active", users=[other_staff])
    with pytest.raises(PermissionDenied):
        reviews.reply_to_review(db.session.merge(other_staff), review, "不是我们的评价")
    with pytest.raises(PermissionDenied):
        reviews.reply_to_review(world.enterprise_user, review, "企业不能回复")
    db.session.rollback()
    reviews.reply_to_review(world.agency_user, review, "感谢评价，已改进外业排期。")
    db.session.commit()
    assert review.reply == "感谢评价，已改进外业排期。"
    assert notices_of(world.enterprise_user)[-1] == "review.replied"
    assert "already replied" in refusal(
        reviews.reply_to_review, world.agency_user, review, "再回复一次"
    )
    assert db.session.get(Review, review.id).reply == "感谢评价，已改进外业排期。"


def test_a_regulator_hides_a_review_only_with_a_reason(world, make_account):
    review = written(world, confirmed(world))
    regulator = make_account("regulator")
    with pytest.raises(PermissionDenied):
        reviews.hide_review(world.agency_user, review, "不喜欢")
    assert "Give the reason" in refusal(reviews.hide_review, regulator, review, " ")
    assert review.hidden_at is None
    reviews.hide_review(regulator, review, "含有侮辱性言辞")
    db.session.commit()
    assert review.is_hidden
    assert review.hidden_reason == "含有侮辱性言辞"
    assert notices_of(world.agency_user)[-1] == "review.hidden"
    assert notices_of(world.enterprise_user)[-1] == "review.hidden"
    assert "already hidden" in refusal(reviews.hide_review, regulator, review, "再次")


def test_the_profile_shows_reviews_newest_first_with_the_reason_for_a_hidden_one(
    client, world, make_account
):
    first = written(world, confirmed(world), text="第一条评价：报告质量好。")
    written(world, confirmed(world), text="第二条评价：沟通及时。")
    reviews.reply_to_review(world.agency_user, first, "谢谢支持！")
    hidden = written(world, confirmed(world), text="第三条评价：骂人的话。")
    reviews.hide_review(make_account("regulator"), hidden, "含有侮辱性言辞")
    db.session.commit()
    page = client.get(f"/agencies/{world.agency.credit_code}", headers=ENGLISH).get_data(
        as_text=True
    )
    assert page.index("含有侮辱性言辞") < page.index("第二条评价") < page.index("第一条评价")
    assert "骂人的话" not in page
    assert "谢谢支持！" in page
    assert "2 reviews of confirmed work." in page


def test_the_profile_pages_its_reviews(client, app, world):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        written(world, confirmed(world), text=f"评价{number}")
    code = world.agency.credit_code
    first = client.get(f"/agencies/{code}").get_data(as_text=True)
    second = client.get(f"/agencies/{code}?page=2").get_data(as_text=True)
    assert "评价2" in first
    assert "评价1" in first
    assert "评价0" not in first
    assert "评价0" in second
    assert "评价2" not in second


def test_reviewing_through_the_page(client, auth, world):
    engagement = confirmed(world)
    auth.login(world.enterprise_user.email)
    url = f"/engagements/{engagement.id}/review"
    form = {**GOOD, "text": "按时交付，收费规范。"}
    assert post_form(client, url, form).status_code == 302
    again = post_form(client, url, form, headers=ENGLISH)
    assert again.status_code == 400
    assert "already has your review" in again.get_data(as_text=True)
    assert count(Review) == 1


def test_a_review_page_for_unconfirmed_work_says_why(client, auth, world):
    engagement = recorded(world)
    auth.login(world.enterprise_user.email)
    page = client.get(f"/engagements/{engagement.id}/review", headers=ENGLISH)
    assert page.status_code == 400
    assert "confirm the delivery first" in page.get_data(as_text=True)


def test_the_agency_is_refused_the_review_page(client, auth, world):
    engagement = confirmed(world)
    auth.login(world.agency_user.email)
    url = f"/engagements/{engagement.id}/review"
    assert post_form(client, url, {**GOOD, "text": "自己给自己好评"}).status_code == 403
    assert count(Review) == 0
