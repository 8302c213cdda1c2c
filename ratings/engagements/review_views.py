"""Review pages: the enterprise writes one, the agency replies once, a regulator hides one."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ratings.engagements import permissions, queries, reviews
from ratings.engagements.forms import HideReviewForm, ReplyForm, ReviewForm
from ratings.engagements.models import Review
from ratings.engagements.services import EngagementError
from registry.accounts.permissions import allow, is_agency_user, is_enterprise_user, is_regulator
from registry.actions import confirmed_action, created_once
from registry.db import db

bp = Blueprint("reviews", __name__)


@bp.route("/engagements/<int:engagement_id>/review", methods=["GET", "POST"])
@allow(is_enterprise_user)
def write(engagement_id: int):
    engagement = queries.engagement_detail(engagement_id)
    if engagement is None or not permissions.can_see_engagement(current_user, engagement):
        abort(404)
    form = ReviewForm()
    written = created_once(
        form,
        lambda: reviews.write_review(current_user, engagement, form.details()),
        refusal=EngagementError,
        done=_("Thank you. Your review is on the agency's public profile."),
        then=url_for("engagements.show", engagement_id=engagement.id),
    )
    if written:
        return written
    if not form.is_submitted() and not permissions.can_review(current_user, engagement):
        form.form_errors.append(_refusal(engagement))
    return render_template("engagements/review.html", engagement=engagement, form=form), (
        400 if form.errors or form.form_errors else 200
    )


def _refusal(engagement) -> str:
    if engagement.review is not None:
        return _("This engagement already has your review; each is reviewed once.")
    return _("Only a confirmed engagement can be reviewed: confirm the delivery first.")


def _review_or_404(review_id: int) -> Review:
    return db.get_or_404(Review, review_id)


@bp.route("/reviews/<int:review_id>/reply", methods=["GET", "POST"])
@allow(is_agency_user)
def reply(review_id: int):
    review = _review_or_404(review_id)
    if review.agency_id != current_user.agency_id:
        abort(404)
    form = ReplyForm()
    replied = confirmed_action(
        form,
        lambda: reviews.reply_to_review(current_user, review, form.reply.data),
        refusal=EngagementError,
        done=_("Your reply is published under the review."),
        then=url_for("engagements.show", engagement_id=review.engagement_id),
    )
    if replied:
        return replied
    if not form.is_submitted() and review.reply is not None:
        form.form_errors.append(_("Your agency has already replied to this review."))
    return render_template(
        "engagements/review_answer.html",
        review=review,
        form=form,
        title=_("Reply to this review"),
        field_name="reply",
        button=_("Publish the reply"),
    ), (400 if form.errors or form.form_errors else 200)


@bp.route("/reviews/<int:review_id>/hide", methods=["GET", "POST"])
@allow(is_regulator)
def hide(review_id: int):
    review = _review_or_404(review_id)
    form = HideReviewForm()
    hidden = confirmed_action(
        form,
        lambda: reviews.hide_review(current_user, review, form.reason.data),
        refusal=EngagementError,
        done=_("The review is hidden; your reason is shown in its place."),
        then=url_for("engagements.show", engagement_id=review.engagement_id),
    )
    if hidden:
        return hidden
    if not form.is_submitted() and review.is_hidden:
        form.form_errors.append(_("This review is already hidden."))
    return render_template(
        "engagements/review_answer.html",
        review=review,
        form=form,
        title=_("Hide this review?"),
        field_name="reason",
        button=_("Hide the review"),
        danger=True,
    ), (400 if form.errors or form.form_errors else 200)
