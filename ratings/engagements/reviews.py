"""Reviews: the enterprise of a confirmed engagement reviews it once; the agency replies once,
publicly; a regulator may hide a review, only with a reason, shown in place of its text.

Writing locks the engagement, replying and hiding lock the review, before the check that
makes each happen once: of two at once, the second is refused with who acted and when."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.engagements import notices
from ratings.engagements.models import Engagement, EngagementStatus, Review
from ratings.engagements.permissions import is_engagement_enterprise
from ratings.engagements.services import EngagementError
from registry.accounts.permissions import PermissionDenied, acts_for_agency, is_regulator, require
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import db, lock, utcnow

describe(
    actions={
        "review.written": _l("Review written"),
        "review.replied": _l("Review answered by the agency"),
        "review.hidden": _l("Review hidden"),
    },
    objects={"review": _l("Review of an engagement")},
)

SCORES = ("quality", "timeliness", "fee_compliance", "conduct")
TEXT_MAX_LENGTH = 2000


@dataclass
class ReviewDetails:
    quality: int | None
    timeliness: int | None
    fee_compliance: int | None
    conduct: int | None
    text: str


def write_review(actor, engagement: Engagement, details: ReviewDetails) -> Review:
    """Review a confirmed engagement, once, as its enterprise.

    Refused: anyone but the engagement's enterprise (its agency included); an engagement
    whose delivery is not confirmed; a second review; a score outside 1–5; no text.
    """
    if not is_engagement_enterprise(actor, engagement):
        raise PermissionDenied("only the enterprise that hired the agency reviews the work")
    lock(engagement)
    if engagement.status != EngagementStatus.CONFIRMED:
        raise EngagementError(
            with_last_change(
                _("Only a confirmed engagement can be reviewed: confirm the delivery first."),
                engagement,
            )
        )
    written = _review_of(engagement)
    if written is not None:
        raise EngagementError(
            with_last_change(
                _("This engagement already has your review; each is reviewed once."), written
            )
        )
    scores = {}
    for name in SCORES:
        value = getattr(details, name)
        if value is None or not 1 <= value <= 5:
            raise EngagementError(_("Give a score from 1 to 5."), name)
        scores[name] = value
    text = (details.text or "").strip()
    if not text:
        raise EngagementError(_("Write what you thought of the work."), "text")
    review = Review(
        engagement_id=engagement.id,
        agency_id=engagement.agency_id,
        enterprise_id=engagement.enterprise_id,
        text=text[:TEXT_MAX_LENGTH],
        author_id=actor.id,
        **scores,
    )
    db.session.add(review)
    db.session.flush()
    record(
        "review.written", actor=actor, obj=review, details={"engagement": engagement.id, **scores}
    )
    notices.to_agency(engagement, "review.written")
    return review


def reply_to_review(actor, review: Review, text: str) -> None:
    """The agency answers a review of its work, once, publicly."""
    if not acts_for_agency(actor, review.agency):
        raise PermissionDenied("only the reviewed agency replies")
    lock(review)
    if review.reply is not None:
        raise EngagementError(
            with_last_change(_("Your agency has already replied to this review."), review)
        )
    text = (text or "").strip()
    if not text:
        raise EngagementError(_("Write your reply."), "reply")
    review.reply = text[:TEXT_MAX_LENGTH]
    review.replied_at = utcnow()
    review.replied_by_id = actor.id
    record("review.replied", actor=actor, obj=review)
    notices.to_enterprise(review.engagement, "review.replied", reply=review.reply)


def hide_review(actor, review: Review, reason: str) -> None:
    """A regulator hides a review's text and scores from the public; the reason shows instead."""
    require(is_regulator, actor)
    lock(review)
    if review.is_hidden:
        raise EngagementError(with_last_change(_("This review is already hidden."), review))
    reason = (reason or "").strip()
    if not reason:
        raise EngagementError(_("Give the reason; it is shown in place of the review."), "reason")
    review.hidden_at = utcnow()
    review.hidden_by_id = actor.id
    review.hidden_reason = reason[:TEXT_MAX_LENGTH]
    record("review.hidden", actor=actor, obj=review, details={"reason": review.hidden_reason})
    notices.to_enterprise(review.engagement, "review.hidden", reason=review.hidden_reason)
    notices.to_agency(review.engagement, "review.hidden", reason=review.hidden_reason)


def _review_of(engagement: Engagement) -> Review | None:
    return db.session.execute(
        select(Review).where(Review.engagement_id == engagement.id)
    ).scalar_one_or_none()
