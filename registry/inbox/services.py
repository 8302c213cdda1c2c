"""Sending notices, and their recipients marking them read.

Other packages send through notify, notify_agency and notify_role, inside their own
transaction: nothing here commits, so a notice exists exactly when the change it reports
was committed. The act that causes a notice is audited by its own package; sending and
reading notices is not an audited act, so nothing here writes the audit log.

    from registry.inbox.services import notify_agency
    notify_agency(
        signature.agency_id,
        "commitment.lapsing",
        params={"lapses_on": signature.lapses_on},
        link=("my_agency.overview", {}),
        dedupe_key=f"commitment.lapsing:{signature.id}",
    )
"""

import json

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from registry.accounts.models import Account
from registry.accounts.permissions import PermissionDenied, signed_in
from registry.accounts.roles import Role
from registry.db import db, utcnow
from registry.inbox import kinds, mail
from registry.inbox.models import Notice
from registry.inbox.permissions import is_recipient
from registry.inbox.queries import unread_count
from registry.security import safe_next

__all__ = [
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_agency",
    "notify_role",
    "unread_count",
]

DEDUPE_KEY_MAX_LENGTH = 200  # the column's length


def notify(
    recipients,
    kind: str,
    params: dict | None = None,
    link: str | tuple[str, dict] | None = None,
    dedupe_key: str | None = None,
) -> list[Notice]:
    """Put a notice of a registered `kind` into each recipient's inbox; return those created.

    recipients: an Account or account id, or an iterable of them.
    params: JSON values (and dates) that fill the kind's texts when the notice is read.
    link: a path on this site ("/agencies/…") or (endpoint, url arguments).
    dedupe_key: a recipient who already has a notice with this key gets no second one, even
    when two senders race; the duplicate is skipped without failing the caller's transaction.
    """
    if not kinds.is_registered(kind):
        raise ValueError(f"unknown notice kind {kind!r}: register_kind() it first")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(f"dedupe_key must be 1 to {DEDUPE_KEY_MAX_LENGTH} characters")
    fields = {"kind": kind, "params": _stored_params(params), "link": _stored_link(link)}
    ids = _account_ids(recipients)
    if not ids:
        return []
    if dedupe_key is None:
        notices = [Notice(recipient_id=account_id, **fields) for account_id in ids]
        db.session.add_all(notices)
        db.session.flush()
    else:
        notices = _add_once(ids, dedupe_key, fields)
    mail.queue(notices)
    return notices


def notify_agency(
    agency,
    kind: str,
    params: dict | None = None,
    link: str | tuple[str, dict] | None = None,
    dedupe_key: str | None = None,
) -> list[Notice]:
    """Notify every active account acting for the agency (an Agency or its id)."""
    agency_id = getattr(agency, "id", agency)
    recipients = db.session.execute(
        select(Account.id)
        .where(Account.agency_id == agency_id, Account.active.is_(True))
        .order_by(Account.id)
    ).scalars()
    return notify(list(recipients), kind, params, link, dedupe_key)


def notify_role(
    roles,
    kind: str,
    params: dict | None = None,
    link: str | tuple[str, dict] | None = None,
    dedupe_key: str | None = None,
) -> list[Notice]:
    """Notify every active account with the role, or any of the roles (REGULATOR_ROLES)."""
    wanted = [Role(role).value for role in ([roles] if isinstance(roles, str) else roles)]
    recipients = db.session.execute(
        select(Account.id)
        .where(Account.role.in_(wanted), Account.active.is_(True))
        .order_by(Account.id)
    ).scalars()
    return notify(list(recipients), kind, params, link, dedupe_key)


def mark_read(actor, notice: Notice) -> bool:
    """The recipient marks the notice read; False when it already was."""
    if not is_recipient(actor, notice):
        raise PermissionDenied("is_recipient")
    if notice.read_at is not None:
        return False
    notice.read_at = utcnow()
    return True


def mark_all_read(actor, up_to: int | None = None) -> int:
    """The actor marks every unread notice of their own read (up to the id they last saw)."""
    if not signed_in(actor):
        raise PermissionDenied("signed_in")
    statement = update(Notice).where(Notice.recipient_id == actor.id, Notice.read_at.is_(None))
    if up_to is not None:
        statement = statement.where(Notice.id <= up_to)
    return db.session.execute(statement.values(read_at=utcnow())).rowcount


def _add_once(ids: list[int], dedupe_key: str, fields: dict) -> list[Notice]:
    # The caller's pending rows go first: their errors are theirs, not a duplicate of ours.
    db.session.flush()
    already = _holding_key(ids, dedupe_key)
    created = []
    for account_id in ids:
        if account_id in already:
            continue
        notice = Notice(recipient_id=account_id, dedupe_key=dedupe_key, **fields)
        try:
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            if not _holding_key([account_id], dedupe_key):
                raise  # not a duplicate: an unknown account, say
            continue  # another sender got there between the check and the insert
        created.append(notice)
    return created


def _holding_key(ids: list[int], dedupe_key: str) -> set[int]:
    """Which of these accounts already have a notice with the key."""
    return set(
        db.session.execute(
            select(Notice.recipient_id).where(
                Notice.dedupe_key == dedupe_key, Notice.recipient_id.in_(ids)
            )
        ).scalars()
    )


def _account_ids(recipients) -> list[int]:
    if isinstance(recipients, int) or hasattr(recipients, "id"):
        recipients = [recipients]
    ids = (r if isinstance(r, int) else r.id for r in recipients)
    return list(dict.fromkeys(ids))  # each account once, in the order given


def _stored_params(params: dict | None) -> dict:
    stored = kinds.stored_params(params)
    try:
        json.dumps(stored)
    except (TypeError, ValueError) as error:
        raise TypeError(f"notice params must be JSON values or dates: {error}") from error
    return stored


def _stored_link(link) -> dict | None:
    """The link as the notice keeps it; checked now, so a wrong one fails in the sender's test."""
    if link is None:
        return None
    if isinstance(link, str):
        if safe_next(link) is None:
            raise ValueError(f"notice link {link!r} is not a path on this site")
        return {"path": link}
    endpoint, args = link
    try:
        current_app.url_map.bind("localhost").build(endpoint, args)
    except BuildError as error:
        raise ValueError(f"notice link {link!r} cannot be built: {error}") from error
    return {"endpoint": endpoint, "args": dict(args)}
