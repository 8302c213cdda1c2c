"""The incremental path: every change of rating evidence refreshes its agencies' results in
the same transaction, whichever service made it.

after_flush notes the agencies whose evidence a flush changed (a new, deleted or changed
row of a watched model, only for the attributes that can move a rating), and what a review
or a confirmed engagement added to or took from its month; before_commit adds those
changes to the monthly rows (RatingMonth) and refreshes the agencies reading them
(ratings.results.services.refresh_ratings), so the cost does not grow with an agency's
number of reviews. The full recompute reads the evidence rows and rebuilds the monthly
rows; tests/ratings/results/test_properties.py checks both ways agree on random evidence.
The refresh's own writes are bulk statements outside the unit of work and run with a flag
set, so they never note anything again; a commit that changed no evidence costs one look at
the flushed rows.
"""

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from registry.db import db

PENDING = "ratings.pending_agencies"
DELTAS = "ratings.month_deltas"
UNKNOWN = "ratings.unknown_months"
REFRESHING = "ratings.refreshing"

# The attributes whose change can move a rating, per evidence model; a new or deleted row
# of these models always can. Models are named, not imported, so that loading the hook with
# the models imports nothing else.
WATCHED = {
    "Review": (
        "agency_id",
        "quality",
        "timeliness",
        "fee_compliance",
        "conduct",
        "created_at",
        "hidden_at",
    ),
    "Engagement": (
        "agency_id",
        "status",
        "confirmed_on",
        "late_working_days",
        "overcharge_fen",
        "start_date",
    ),
    "Complaint": ("agency_id", "status", "severity", "concluded_on"),
    "SupervisorEvaluation": ("agency_id", "score", "evaluated_on"),
    "Inspection": ("agency_id", "score", "inspected_on", "withdrawn_at"),
    "CommitmentSignature": ("agency_id", "valid_until", "revoked_at"),
    "RatingOverride": ("agency_id", "state", "stars", "starts_on", "ends_on"),
    "Agency": ("listed_from", "listed_until"),
}


def _agency_ids_touched(instance, is_new: bool, is_deleted: bool) -> set[int]:
    name = type(instance).__name__
    attributes = WATCHED.get(name)
    if attributes is None:
        return set()
    key = "id" if name == "Agency" else "agency_id"
    state = inspect(instance)
    own = state.dict.get(key)
    if is_deleted or is_new:
        return {own} - {None}
    touched = set()
    for attribute in attributes:
        history = state.attrs[attribute].history
        if history.has_changes():
            touched.add(own)
            if attribute == key:  # moved from another agency: that one changes too
                touched.update(value for value in history.deleted if value is not None)
    return touched - {None}


# --- monthly rows: what a review or a confirmed engagement adds to its month --------------

MONTH_FIELDS = {
    "Review": (
        "agency_id",
        "created_at",
        "hidden_at",
        "quality",
        "timeliness",
        "fee_compliance",
        "conduct",
    ),
    "Engagement": ("agency_id", "status", "confirmed_on", "late_working_days"),
}


def _contribution(name: str, values: dict) -> tuple | None:
    """((agency_id, month), (reviews, review_points, confirmed, overdue)) or None."""
    from ratings.results.evidence import local_date, month_index

    if values["agency_id"] is None:
        return None
    if name == "Review":
        if values["hidden_at"] is not None or values["created_at"] is None:
            return None
        points = sum(values[key] for key in ("quality", "timeliness", "fee_compliance", "conduct"))
        day = local_date(values["created_at"])
        return (values["agency_id"], month_index(day)), (1, points, 0, 0)
    if values["status"] != "confirmed" or values["confirmed_on"] is None:
        return None
    late = 1 if (values["late_working_days"] or 0) > 0 else 0
    return (values["agency_id"], month_index(values["confirmed_on"])), (0, 0, 1, late)


def _month_deltas(instance, is_new: bool, is_deleted: bool, deltas: dict) -> bool:
    """Add what the flush changed in its months to deltas; False if a value is unknown (not
    loaded), so the agency must be read from its evidence rows instead."""
    name = type(instance).__name__
    fields = MONTH_FIELDS.get(name)
    if fields is None:
        return True
    state = inspect(instance)
    # A new row's unset columns are None (these have no defaults); a changed row's unloaded
    # ones are unknown.
    if not is_new and any(field not in state.dict for field in fields):
        return False
    new = {field: state.dict.get(field) for field in fields}
    old = dict(new)
    for field in fields:
        history = state.attrs[field].history
        if history.deleted:
            old[field] = history.deleted[0]
    before = None if is_new else _contribution(name, old)
    after = None if is_deleted else _contribution(name, new)
    for sign, part in ((-1, before), (1, after)):
        if part is not None:
            key, values = part
            total = deltas.setdefault(key, [0, 0, 0, 0])
            for index, value in enumerate(values):
                total[index] += sign * value
    return True


@event.listens_for(Session, "after_flush")
def _collect_changed_evidence(session, flush_context) -> None:
    """Note the agencies whose evidence this flush changed, and what changed in their months."""
    if session.info.get(REFRESHING) or not has_app_context():
        return
    touched: set[int] = set()
    unknown: set[int] = set()
    deltas = session.info.setdefault(DELTAS, {})
    for group, is_new, is_deleted in (
        (session.new, True, False),
        (session.dirty, False, False),
        (session.deleted, False, True),
    ):
        for instance in group:
            agencies = _agency_ids_touched(instance, is_new, is_deleted)
            if agencies:
                touched |= agencies
                if not _month_deltas(instance, is_new, is_deleted, deltas):
                    unknown |= agencies
    if touched:
        session.info.setdefault(PENDING, set()).update(touched)
    if unknown:
        session.info.setdefault(UNKNOWN, set()).update(unknown)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session) -> None:
    """Refresh the noted agencies' results, in the transaction about to commit."""
    if session.info.get(REFRESHING) or not has_app_context():
        return
    session.flush()  # changes not flushed yet are noted too
    pending = session.info.pop(PENDING, None)
    deltas = session.info.pop(DELTAS, None)
    unknown = session.info.pop(UNKNOWN, set())
    if not pending or session is not db.session():
        return
    from ratings.results.services import apply_month_deltas, refresh_ratings

    apply_month_deltas(deltas or {})
    known = sorted(pending - unknown)
    if known:
        refresh_ratings(known, maintained=True)
    if unknown:
        refresh_ratings(sorted(unknown))  # read from the evidence rows; rebuilds their months
    session.flush()


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session, transaction) -> None:
    if transaction.parent is None:
        for key in (PENDING, DELTAS, UNKNOWN):
            session.info.pop(key, None)
