"""What each party of an engagement is told in its inbox, at each step, by the other."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.accounts.models import Account
from registry.db import db
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify, notify_agency

register_kind(
    "engagement.recorded",
    _l("%(enterprise)s recorded an engagement with your agency"),
    _l(
        "%(service)s, agreed fee %(fee)s yuan per %(unit)s, starting %(start)s. Confirm it, "
        "or decline it with a reason."
    ),
)
register_kind(
    "engagement.accepted",
    _l("%(agency)s confirmed your engagement"),
    _l("%(service)s: the work is due by %(due)s."),
)
register_kind(
    "engagement.cancelled",
    _l("Engagement for %(service)s cancelled"),
    _l("%(party)s cancelled the engagement: %(reason)s"),
)
register_kind(
    "engagement.delivered",
    _l("%(agency)s marked the work delivered"),
    _l("%(service)s was delivered on %(day)s. Confirm the delivery, or dispute it with a reason."),
)
register_kind(
    "engagement.confirmed",
    _l("%(enterprise)s confirmed the delivery"),
    _l("%(service)s: delivery confirmed on %(day)s."),
)
register_kind(
    "engagement.disputed",
    _l("%(enterprise)s disputed the delivery"),
    _l("%(service)s: %(reason)s"),
)
register_kind(
    "engagement.extension_requested",
    _l("%(agency)s asks for %(days)s more working days"),
    _l("%(service)s: %(justification)s Accept or refuse the extension."),
)
register_kind(
    "engagement.extension_accepted",
    _l("Extension accepted: now due %(due)s"),
    _l("%(enterprise)s accepted %(days)s more working days for %(service)s."),
)
register_kind(
    "engagement.extension_refused",
    _l("Extension refused: still due %(due)s"),
    _l("%(enterprise)s refused more time for %(service)s: %(reason)s"),
)
register_kind(
    "engagement.overdue",
    _l("Work for %(enterprise)s is overdue"),
    _l("%(service)s was due on %(due)s and is not delivered."),
)
register_kind(
    "review.written",
    _l("%(enterprise)s reviewed your work"),
    _l("A review of %(service)s is on your public profile. You may reply once, publicly."),
)
register_kind(
    "review.replied",
    _l("%(agency)s replied to your review"),
    _l("Their reply, published under your review: %(reply)s"),
)
register_kind(
    "review.hidden",
    _l("A review was hidden by the regulator"),
    _l("The review of %(service)s is hidden on the public profile: %(reason)s"),
)


def _link(engagement) -> tuple[str, dict]:
    return ("engagements.show", {"engagement_id": engagement.id})


def notify_enterprise(enterprise_id: int, kind: str, params: dict, link, dedupe_key=None):
    """Every active account of the enterprise."""
    recipients = db.session.execute(
        select(Account.id)
        .where(Account.enterprise_id == enterprise_id, Account.active.is_(True))
        .order_by(Account.id)
    ).scalars()
    return notify(list(recipients), kind, params, link, dedupe_key)


def _facts(engagement) -> dict:
    return {
        "enterprise": engagement.enterprise.name,
        "agency": engagement.agency.name,
        "service": engagement.service_item.name,
    }


def to_agency(engagement, kind: str, dedupe_key: str | None = None, **params) -> list:
    return notify_agency(
        engagement.agency_id,
        kind,
        params={**_facts(engagement), **params},
        link=_link(engagement),
        dedupe_key=dedupe_key,
    )


def to_enterprise(engagement, kind: str, dedupe_key: str | None = None, **params) -> None:
    notify_enterprise(
        engagement.enterprise_id,
        kind,
        params={**_facts(engagement), **params},
        link=_link(engagement),
        dedupe_key=dedupe_key,
    )


def overdue(engagement, due: date) -> list:
    """Once per due date: a later extension that moves the date may call for a new notice.
    Returns the notices created (none when the agency was already told)."""
    return to_agency(
        engagement, "engagement.overdue", f"engagement-overdue:{engagement.id}:{due}", due=due
    )
