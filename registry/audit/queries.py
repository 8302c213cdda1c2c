"""Reading the audit log."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import Select, select

from registry.audit.labels import action_label
from registry.audit.models import AuditEvent
from registry.audit.services import object_type_of
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
    """Events matching the filters, newest first. Dates are whole local days, inclusive."""
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
        query = query.where(AuditEvent.occurred_at >= start_of_local_day(date_from))
    if date_to:
        query = query.where(
            AuditEvent.occurred_at < start_of_local_day(date_to + timedelta(days=1))
        )
    return query


def start_of_local_day(day: date) -> datetime:
    """Midnight of `day` in the registry's time zone, as the naive UTC the log stores."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)


def event_exists(seq: int) -> bool:
    return (
        db.session.execute(select(AuditEvent.id).where(AuditEvent.seq == seq)).first() is not None
    )


def last_change(obj) -> AuditEvent | None:
    """The latest recorded action on `obj`."""
    return db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == object_type_of(obj),
            AuditEvent.object_id == str(obj.id),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()


def with_last_change(message: str, obj) -> str:
    """A refusal because of `obj`'s state, followed by who last changed it and when: what
    the second of two people acting at once needs to know ("... Complaint accepted by
    Wang Wu at 2026-12-08 10:03.")."""
    event = last_change(obj)
    if event is None:
        return message
    who = event.actor.display_name if event.actor is not None else event.actor_label
    when = format_datetime(event.occurred_at.replace(tzinfo=UTC), "yyyy-MM-dd HH:mm")
    change = _(
        "%(action)s by %(who)s at %(when)s.",
        action=action_label(event.action),
        who=who,
        when=when,
    )
    return f"{message} {change}"
