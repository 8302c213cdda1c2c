"""Reads of one account's inbox that the pages, the navigation and other packages share."""

from sqlalchemy import Select, func, select

from registry.db import db
from registry.inbox.models import Notice


def unread_count(account) -> int:
    """How many notices the account has not read (one indexed COUNT)."""
    return db.session.execute(
        select(func.count())
        .select_from(Notice)
        .where(Notice.recipient_id == account.id, Notice.read_at.is_(None))
    ).scalar_one()


def inbox_of(account, *, unread_only: bool = False) -> Select:
    """The account's notices, newest first."""
    query = select(Notice).where(Notice.recipient_id == account.id)
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    return query.order_by(Notice.created_at.desc(), Notice.id.desc())


def notice_of(account, notice_id: int) -> Notice | None:
    """The notice if it is in this account's inbox, else None (someone else's looks absent)."""
    return db.session.execute(
        select(Notice).where(Notice.id == notice_id, Notice.recipient_id == account.id)
    ).scalar_one_or_none()


def newest_notice_id(account) -> int:
    """The id of the account's newest notice, 0 when the inbox is empty."""
    return (
        db.session.execute(
            select(func.max(Notice.id)).where(Notice.recipient_id == account.id)
        ).scalar_one()
        or 0
    )
