"""Dates as the registry's users live them: in the registry's time zone (Asia/Shanghai)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def registry_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def now() -> datetime:
    """The current moment, aware, in UTC: the one clock of the registry (tests move it)."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date where the registry is, whatever the server's clock zone."""
    return now().astimezone(registry_zone()).date()
