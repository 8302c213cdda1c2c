"""Who may see and act on an engagement: its enterprise, its agency, and regulators."""

from registry.accounts.permissions import (
    acts_for_agency,
    is_agency_user,
    is_enterprise_user,
    is_regulator,
)


def acts_for_enterprise(user, enterprise_id: int | None) -> bool:
    """The user is an account of exactly this enterprise."""
    return (
        is_enterprise_user(user)
        and enterprise_id is not None
        and user.enterprise_id == enterprise_id
    )


def is_engagement_enterprise(user, engagement) -> bool:
    return acts_for_enterprise(user, engagement.enterprise_id)


def is_engagement_agency(user, engagement) -> bool:
    return is_agency_user(user) and user.agency_id == engagement.agency_id


def is_engagement_party(user, engagement) -> bool:
    return is_engagement_enterprise(user, engagement) or is_engagement_agency(user, engagement)


def can_see_engagement(user, engagement) -> bool:
    """The two parties and regulators; another agency or enterprise never."""
    return (
        is_engagement_enterprise(user, engagement)
        or is_engagement_agency(user, engagement)
        or is_regulator(user)
    )


def can_use_engagement_pages(user) -> bool:
    """Route guard of the shared engagement pages; each page then checks the engagement."""
    return is_enterprise_user(user) or is_agency_user(user) or is_regulator(user)


def can_reply_to_review(user, review) -> bool:
    return acts_for_agency(user, review.agency) and review.reply is None


def can_hide_review(user, review) -> bool:
    return is_regulator(user) and not review.is_hidden


# --- which buttons a party sees; the services enforce the same rules with their reasons ---


def can_accept(user, engagement) -> bool:
    return is_engagement_agency(user, engagement) and engagement.status == "awaiting_agency"


def can_decline(user, engagement) -> bool:
    return can_accept(user, engagement)


def can_cancel(user, engagement) -> bool:
    return is_engagement_enterprise(user, engagement) and engagement.is_undelivered


def can_deliver(user, engagement) -> bool:
    return is_engagement_agency(user, engagement) and engagement.status in ("open", "disputed")


def can_request_extension(user, engagement, deadline) -> bool:
    return (
        is_engagement_agency(user, engagement)
        and engagement.status == "open"
        and deadline is not None
        and not deadline.is_overdue
        and not any(extension.status == "pending" for extension in engagement.extensions)
    )


def can_decide_extension(user, extension) -> bool:
    return (
        is_engagement_enterprise(user, extension.engagement)
        and extension.status == "pending"
        and extension.engagement.status == "open"
    )


def can_confirm_delivery(user, engagement) -> bool:
    return is_engagement_enterprise(user, engagement) and engagement.status in (
        "delivered",
        "disputed",
    )


def can_dispute(user, engagement) -> bool:
    return is_engagement_enterprise(user, engagement) and engagement.status == "delivered"


def can_review(user, engagement) -> bool:
    return (
        is_engagement_enterprise(user, engagement)
        and engagement.status == "confirmed"
        and engagement.review is None
    )
