"""Escalating overdue work: the reviewers hear of it once per item and due date.

"The accountable person's reviewer": accounts have roles but no line manager, so an item is
escalated to every active reviewer (the senior regulators), leaving out the accountable
person when they are a reviewer themselves (unless nobody else is left). The Escalation row
records who was told; its unique (kind, object_id, due) makes escalation happen once however
often the daily job runs, and whoever gets there first (the job, or a regulator by hand).

Each function checks its actor's permission, writes the audit event and leaves the commit to
the caller.
"""

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.accounts.models import Account
from registry.accounts.permissions import require
from registry.accounts.roles import Role
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import db
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify
from registry.supervision.items import Item, deadline_items
from registry.supervision.models import Escalation
from registry.supervision.permissions import can_escalate

describe(
    actions={"supervision.escalated": _l("Overdue work escalated")},
    objects={"supervision_escalation": _l("Escalation")},
)
register_kind(
    "supervision.escalated",
    _l("Escalated: %(reference)s overdue since %(due)s"),
    _l(
        "%(reference)s (%(agency)s) was due on %(due)s and is %(days)s working days overdue. "
        "Accountable: %(accountable)s. It is marked escalated on the supervision dashboard."
    ),
)

DASHBOARD = ("supervision.dashboard", {})


class SupervisionError(ValueError):
    """A refused act on the dashboard; the message is for the user."""


def escalate(actor, item: Item) -> Escalation:
    """Escalate an overdue item to the reviewers, once for its due date.

    Refused: anyone but a regulator or reviewer (the daily job acts as the system); an item
    not overdue; an item already escalated for this due date.
    """
    require(can_escalate, actor)
    if not item.is_overdue:
        raise SupervisionError(_("This item is not overdue; there is nothing to escalate."))
    _refuse_if_escalated(item)
    recipients = reviewers_to_tell(item)
    escalation = Escalation(
        kind=item.kind.value,
        object_id=item.object_id,
        due=item.due,
        overdue_working_days=item.overdue_working_days,
        accountable=item.accountable_name[:200],
        escalated_by_id=getattr(actor, "id", None),
        notified=recipients,
    )
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
    except IntegrityError:
        # Someone escalated it between the check and the insert: the constraint held, and
        # (PostgreSQL waits for their commit before it refuses) their row is there to name.
        _refuse_if_escalated(item)
        raise
    notify(
        recipients,
        "supervision.escalated",
        params={
            "reference": item.reference,
            "agency": item.agency.name,
            "due": item.due,
            "days": item.overdue_working_days,
            "accountable": item.accountable_name,
        },
        link=item.link or DASHBOARD,
        dedupe_key=f"supervision-escalated:{item.kind.value}:{item.object_id}:{item.due}",
    )
    record(
        "supervision.escalated",
        actor=actor,
        obj=escalation,
        details={
            "kind": item.kind.value,
            "object_id": item.object_id,
            "reference": item.reference,
            "agency": item.agency.credit_code,
            "due": item.due.isoformat(),
            "overdue_working_days": item.overdue_working_days,
            "accountable": item.accountable_name,
            "notified": recipients,
        },
    )
    return escalation


def _refuse_if_escalated(item: Item) -> None:
    """Refuse a second escalation for the item's due date, saying who escalated it and when."""
    earlier = escalation_of(item)
    if earlier is not None:
        raise SupervisionError(
            with_last_change(_("This item was already escalated for this due date."), earlier)
        )


def escalate_overdue(actor, today: date) -> list[Escalation]:
    """The daily job: escalate every item overdue by more than the configured working days
    that is not escalated yet for its due date. Running it again escalates nothing new, nor
    does an item a regulator escalated by hand while the job ran."""
    threshold = current_app.config["SUPERVISION_ESCALATE_AFTER_WORKING_DAYS"]
    items = [item for item in deadline_items(today) if item.overdue_working_days > threshold]
    done = escalations_for(items)
    escalated = []
    for item in items:
        if item.key in done:
            continue
        try:
            escalated.append(escalate(actor, item))
        except SupervisionError:
            continue  # escalated meanwhile by someone else: once is what counts
    return escalated


def reviewers_to_tell(item: Item) -> list[int]:
    """Every active reviewer but the accountable person, unless they are the only one."""
    reviewers = list(
        db.session.execute(
            select(Account.id)
            .where(Account.role == Role.REVIEWER.value, Account.active.is_(True))
            .order_by(Account.id)
        ).scalars()
    )
    others = [account_id for account_id in reviewers if account_id != item.accountable_account_id]
    return others or reviewers


def escalation_of(item: Item) -> Escalation | None:
    return db.session.execute(
        select(Escalation).where(
            Escalation.kind == item.kind.value,
            Escalation.object_id == item.object_id,
            Escalation.due == item.due,
        )
    ).scalar_one_or_none()


def escalations_for(items: list[Item]) -> dict[tuple[str, int, date], Escalation]:
    """The recorded escalations of these items for their current due dates, by item key."""
    ids = {item.object_id for item in items}
    if not ids:
        return {}
    found = {}
    for batch in _chunks(sorted(ids), 500):
        rows = db.session.execute(
            select(Escalation).where(Escalation.object_id.in_(batch))
        ).scalars()
        found.update({(row.kind, row.object_id, row.due): row for row in rows})
    keys = {item.key for item in items}
    return {key: row for key, row in found.items() if key in keys}


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]
