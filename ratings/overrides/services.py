"""The star override lifecycle: proposed → approved | rejected; approved → revoked.

Each function checks who acts (PermissionDenied for the wrong role), refuses an act in the
wrong state or bad input with an OverrideError saying why, changes rows, writes the audit
event and the inbox notices, and leaves the commit to the caller, who rolls back on a
refusal. An approved override counts from the day of approval to `ends_on` (inclusive);
the nightly recompute drops it after that day, so nothing records its end. The stored
result follows an approval or a revocation in the same transaction: the rating hook
(ratings/results/hooks.py) refreshes the agency when an override's state changes.

Each act locks what it depends on before checking it (registry.db.lock): proposing, the
agency (one open proposal per agency); deciding, the proposal and the overrides it
replaces; revoking, the override. Of two people acting at once the second is refused with
who acted first and when.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ratings.assessments.models import ASSESSED_STATUSES
from ratings.complaints.permissions import in_conflict
from ratings.overrides import notices
from ratings.overrides.models import OverrideState, RatingOverride
from ratings.overrides.permissions import (
    can_decide_override,
    can_propose_override,
    can_revoke_override,
    is_reviewer,
)
from registry.accounts.permissions import PermissionDenied, require
from registry.agencies.listing import is_listed
from registry.agencies.models import Agency
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db, lock, utcnow

describe(
    actions={
        "rating_override.proposed": _l("Star override proposed"),
        "rating_override.approved": _l("Star override approved"),
        "rating_override.rejected": _l("Star override rejected"),
        "rating_override.revoked": _l("Star override revoked"),
    },
    objects={"rating_override": _l("Star override")},
)

STARS = (1, 2, 3, 4, 5)
MAX_TEXT = 10000
STATE_LABELS = {
    OverrideState.PROPOSED: _l("Waiting for a reviewer"),
    OverrideState.APPROVED: _l("Approved"),
    OverrideState.REJECTED: _l("Rejected"),
    OverrideState.REVOKED: _l("Revoked"),
}


class OverrideError(ValueError):
    """A refused override act; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class OverrideProposal:
    """What a regulator proposes: the stars to show, the last day they count, and why."""

    stars: int | None
    ends_on: date | None
    reason: str


def latest_end(today: date) -> date:
    """The last day an override proposed today may end on."""
    return add_months(today, current_app.config["RATING_OVERRIDE_MAX_MONTHS"])


# --- proposing -----------------------------------------------------------------------------


def propose_override(actor, agency: Agency, proposal: OverrideProposal) -> RatingOverride:
    """A regulator proposes the stars an agency shows until a day, with a reason.

    Refused: stars outside 1–5; an end day not after today or beyond the configured
    months; no reason; an agency that is not active or suspended, or that is on the
    blacklist (it has no stars); a second open proposal for the same agency.
    """
    require(can_propose_override, actor)
    lock(agency)
    if agency.status not in ASSESSED_STATUSES:
        raise OverrideError(_("Only an active or suspended agency has a star grade."))
    today = local_today()
    if is_listed(agency, today):
        raise OverrideError(_("This agency is on the blacklist: it has no stars to adjust."))
    stars, ends_on, reason = _checked(proposal, today)
    pending = open_proposal(agency.id)
    if pending is not None:
        raise OverrideError(
            with_last_change(
                _(
                    "Override %(number)d for this agency is still waiting for a reviewer; "
                    "have it decided first.",
                    number=pending.id,
                ),
                pending,
            )
        )
    override = RatingOverride(
        agency_id=agency.id,
        state=OverrideState.PROPOSED.value,
        stars=stars,
        ends_on=ends_on,
        reason=reason,
        proposed_by_id=actor.id,
        proposed_at=utcnow(),
    )
    db.session.add(override)
    db.session.flush()
    record(
        "rating_override.proposed",
        actor=actor,
        obj=override,
        details={
            "agency": agency.credit_code,
            "stars": stars,
            "ends_on": ends_on.isoformat(),
            "reason": reason,
        },
    )
    notices.tell_reviewers("override.proposed", override)
    notices.tell_agency("override.proposed_to_agency", override)
    return override


def open_proposal(agency_id: int) -> RatingOverride | None:
    return db.session.execute(
        select(RatingOverride)
        .where(
            RatingOverride.agency_id == agency_id,
            RatingOverride.state == OverrideState.PROPOSED.value,
        )
        .limit(1)
    ).scalar_one_or_none()


def _checked(proposal: OverrideProposal, today: date) -> tuple[int, date, str]:
    stars = proposal.stars
    if not isinstance(stars, int) or isinstance(stars, bool) or stars not in STARS:
        raise OverrideError(_("Choose from 1 to 5 stars."), "stars")
    ends_on = proposal.ends_on
    last = latest_end(today)
    if ends_on is None or ends_on <= today:
        raise OverrideError(_("Choose an end day after today."), "ends_on")
    if ends_on > last:
        raise OverrideError(
            _(
                "An override may last at most %(months)d months: end it on %(day)s or before.",
                months=current_app.config["RATING_OVERRIDE_MAX_MONTHS"],
                day=format_date(last, "medium"),
            ),
            "ends_on",
        )
    return stars, ends_on, required_text(proposal.reason, "reason")


# --- deciding ------------------------------------------------------------------------------


def decide_override(actor, override: RatingOverride, outcome: str, reasons: str, password: str):
    """A reviewer who did not propose it approves or rejects a proposal, with reasons,
    confirmed by their password.

    Approved: it counts from today to its end day and replaces the stars shown (never the
    computed components); an earlier override of the agency still in force ends, replaced.
    Refused: a proposal already decided; an approval after its end day has passed (reject
    it instead); an agency on the blacklist today.
    """
    require_decider(actor, override)
    lock(override)
    if outcome not in ("approve", "reject"):
        raise OverrideError(_("Choose whether to approve or reject the proposal."), "outcome")
    check_password(actor, password)
    reasons = required_text(reasons, "reasons")
    if override.state != OverrideState.PROPOSED:
        raise OverrideError(
            with_last_change(
                _("This proposal is already decided: %(state)s.", state=state_label(override)),
                override,
            )
        )
    today = local_today()
    if outcome == "approve":
        _approve(actor, override, reasons, today)
    else:
        _reject(actor, override, reasons)


def _approve(actor, override: RatingOverride, reasons: str, today: date) -> None:
    if override.ends_on < today:
        raise OverrideError(
            _(
                "Its end day (%(day)s) has passed; reject it, and propose anew if needed.",
                day=format_date(override.ends_on, "medium"),
            )
        )
    if is_listed(override.agency, today):
        raise OverrideError(_("This agency is on the blacklist: it has no stars to adjust."))
    replaced = _in_force(override.agency_id, today)
    _settle(actor, override, OverrideState.APPROVED, reasons)
    override.starts_on = today
    for earlier in replaced:
        _end(actor, earlier, _("Replaced by override %(number)d.", number=override.id))
    record(
        "rating_override.approved",
        actor=actor,
        obj=override,
        details={
            "agency": override.agency.credit_code,
            "stars": override.stars,
            "starts_on": today.isoformat(),
            "ends_on": override.ends_on.isoformat(),
            "reasons": reasons,
            "replaced": [earlier.id for earlier in replaced],
        },
    )
    notices.tell_agency("override.approved", override, starts_on=today, reasons=reasons)
    notices.tell_proposer("override.approved", override, actor, starts_on=today, reasons=reasons)


def _reject(actor, override: RatingOverride, reasons: str) -> None:
    _settle(actor, override, OverrideState.REJECTED, reasons)
    record(
        "rating_override.rejected",
        actor=actor,
        obj=override,
        details={"agency": override.agency.credit_code, "reasons": reasons},
    )
    notices.tell_agency("override.rejected", override, reasons=reasons)
    notices.tell_proposer("override.rejected", override, actor, reasons=reasons)


def _settle(actor, override: RatingOverride, state: OverrideState, reasons: str) -> None:
    override.state = state.value
    override.decided_by_id = actor.id
    override.decided_at = utcnow()
    override.decision_reasons = reasons


def _in_force(agency_id: int, today: date) -> list[RatingOverride]:
    """The agency's approved overrides still running, each locked and read afresh: one
    revoked meanwhile is left alone, not revoked twice."""
    rows = db.session.execute(
        select(RatingOverride)
        .where(
            RatingOverride.agency_id == agency_id,
            RatingOverride.state == OverrideState.APPROVED.value,
            RatingOverride.ends_on >= today,
        )
        .order_by(RatingOverride.id)
    ).scalars()
    return [row for row in map(lock, list(rows)) if row.state == OverrideState.APPROVED]


# --- revoking ------------------------------------------------------------------------------


def revoke_override(actor, override: RatingOverride, reason: str) -> None:
    """A regulator or reviewer ends an approved override early, with a reason; the computed
    grade is shown again. Refused: one that is not approved, or whose end day has passed."""
    require(can_revoke_override, actor)
    lock(override)
    if override.state != OverrideState.APPROVED:
        raise OverrideError(
            with_last_change(
                _(
                    "Only an approved override can be revoked; this one is %(state)s.",
                    state=state_label(override),
                ),
                override,
            )
        )
    if override.ends_on < local_today():
        raise OverrideError(
            _(
                "This override already ended on %(day)s.",
                day=format_date(override.ends_on, "medium"),
            )
        )
    reason = required_text(reason, "reason")
    _end(actor, override, reason)


def _end(actor, override: RatingOverride, reason: str) -> None:
    override.state = OverrideState.REVOKED.value
    override.revoked_by_id = actor.id
    override.revoked_at = utcnow()
    override.revoke_reason = reason
    db.session.flush()
    record(
        "rating_override.revoked",
        actor=actor,
        obj=override,
        details={"agency": override.agency.credit_code, "reason": reason},
    )
    notices.tell_agency("override.revoked", override, reason=reason)
    notices.tell_proposer("override.revoked", override, actor, reason=reason)


# --- shared --------------------------------------------------------------------------------


def require_decider(actor, override: RatingOverride) -> None:
    """A reviewer, not the proposer, without a conflict with the agency."""
    if can_decide_override(actor, override):
        return
    if not is_reviewer(actor):
        raise PermissionDenied("can_decide_override")
    if actor.id == override.proposed_by_id:
        raise OverrideError(_("You proposed this override; another reviewer must decide it."))
    if in_conflict(actor, override.agency_id):
        raise OverrideError(_("You declared a conflict of interest with this agency."))
    raise PermissionDenied("can_decide_override")


def check_password(actor, password: str) -> None:
    """A reviewer's decision is confirmed by typing their password again."""
    if not password or not actor.check_password(password):
        raise OverrideError(_("The password is not right."), "password")


def required_text(value: str | None, field_name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise OverrideError(_("This field is required."), field_name)
    if len(text) > MAX_TEXT:
        raise OverrideError(_("At most %(n)d characters.", n=MAX_TEXT), field_name)
    return text


def state_label(override: RatingOverride) -> str:
    return str(STATE_LABELS[OverrideState(override.state)])
