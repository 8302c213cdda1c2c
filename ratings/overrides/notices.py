"""The inbox notices of a star override: reviewers hear of a proposal to decide; the agency
and the proposer hear of the proposal's fate and of a revocation. Texts carry plain params
(the agency's name, the stars, dates, reasons), so each reader sees them in their language."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.overrides.models import RatingOverride
from registry.accounts.models import Account
from registry.accounts.roles import Role
from registry.db import db
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify, notify_agency

KINDS = {
    "override.proposed": (
        _l("Star override proposed for %(agency)s"),
        _l(
            "A regulator proposes to show %(stars)s stars for %(agency)s until %(ends_on)s. "
            "Reason: %(reason)s. A reviewer who did not propose it approves or rejects it."
        ),
    ),
    "override.proposed_to_agency": (
        _l("A regulator proposes to adjust your agency's stars"),
        _l(
            "A regulator proposes to show %(stars)s stars for %(agency)s until %(ends_on)s, "
            "instead of the computed grade. Reason: %(reason)s. A reviewer decides; you will "
            "be told the outcome."
        ),
    ),
    "override.approved": (
        _l("Star override approved: %(agency)s shows %(stars)s stars until %(ends_on)s"),
        _l(
            "A reviewer approved the override: %(agency)s shows %(stars)s stars, marked as "
            "adjusted by the regulator, from %(starts_on)s to %(ends_on)s. The computed "
            "components stay as they are. Reason: %(reason)s. Reviewer's reasons: %(reasons)s"
        ),
    ),
    "override.rejected": (
        _l("Star override for %(agency)s rejected"),
        _l(
            "A reviewer rejected the proposal to show %(stars)s stars for %(agency)s; the "
            "computed grade stands. Reasons: %(reasons)s"
        ),
    ),
    "override.revoked": (
        _l("Star override for %(agency)s revoked"),
        _l(
            "The override showing %(stars)s stars for %(agency)s is revoked; the computed "
            "grade is shown again. Reason: %(reason)s"
        ),
    ),
}

for _key, (_subject, _body) in KINDS.items():
    register_kind(_key, _subject, _body)


def params(override: RatingOverride, **extra) -> dict:
    return {
        "agency": override.agency.name,
        "stars": override.stars,
        "ends_on": override.ends_on,
        "reason": override.reason,
        **extra,
    }


def _profile(override: RatingOverride):
    return ("public.agency_profile", {"credit_code": override.agency.credit_code})


def _page(override: RatingOverride):
    return ("overrides.show", {"override_id": override.id})


def tell_agency(kind: str, override: RatingOverride, **extra) -> None:
    """Every active staff account of the agency; the link opens its public profile."""
    notify_agency(
        override.agency_id,
        kind,
        params=params(override, **extra),
        link=_profile(override),
        dedupe_key=f"{kind}:{override.id}",
    )


def tell_proposer(kind: str, override: RatingOverride, actor, **extra) -> None:
    """The regulator who proposed it, unless they are the one acting."""
    if override.proposed_by_id == getattr(actor, "id", None):
        return
    notify(
        override.proposed_by_id,
        kind,
        params=params(override, **extra),
        link=_page(override),
        dedupe_key=f"{kind}:{override.id}",
    )


def tell_reviewers(kind: str, override: RatingOverride) -> None:
    """Every active reviewer but the proposer: whoever may decide next."""
    reviewers = db.session.execute(
        select(Account.id)
        .where(
            Account.role == Role.REVIEWER.value,
            Account.active.is_(True),
            Account.id != override.proposed_by_id,
        )
        .order_by(Account.id)
    ).scalars()
    notify(
        list(reviewers),
        kind,
        params=params(override),
        link=_page(override),
        dedupe_key=f"{kind}:{override.id}",
    )
