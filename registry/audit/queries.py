"""Reading the audit log."""

from datetime import datetime, time, timedelta

from sqlalchemy import Select, select

from registry.audit.models import AuditEvent
from registry.db import LIKE_ESCAPE, contains_pattern, db


def known_actions() -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        ).scalars()
    )


def filtered_events(
    *, actor=None, action=None, object_type=None, object_id=None, date_from=None, date_to=None
) -> Select:
    """Events matching the filters, newest first. Dates are whole days, inclusive."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if actor:
        query = query.where(
            AuditEvent.actor_label.like(contains_pattern(actor.strip().lower()), escape=LIKE_ESCAPE)
        )
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type.strip())
    if object_id:
        query = query.where(AuditEvent.object_id == object_id.strip())
    if date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(date_from, time.min))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        query = query.where(AuditEvent.occurred_at < end)
    return query
