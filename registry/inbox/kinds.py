"""What each kind of notice says: translatable texts, filled with the notice's params when read.

A package registers its kinds when it is imported (next to its audit labels):

    register_kind(
        "commitment.lapsing",
        subject=_l("Your commitment lapses on %(lapses_on)s"),
        body=_l("Sign the current commitment letter before %(lapses_on)s to stay listed."),
    )

The texts are lazy, so a notice is rendered in the reader's language when it is read, not
in the sender's. Dates in params are shown in the reader's date format. A notice whose kind
is no longer registered, or whose text cannot be filled, still shows a generic text.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
KEY_MAX_LENGTH = 64
# How date and datetime params are stored in the notice's JSON.
DATE_TAG, DATETIME_TAG = "$date", "$datetime"
MISSING = "…"

UNKNOWN_SUBJECT = _l("Notice")
UNKNOWN_BODY = _l("The text of this notice is not available.")


@dataclass(frozen=True)
class Kind:
    key: str
    subject: object  # a lazy_gettext string with %(name)s placeholders
    body: object | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


KINDS: dict[str, Kind] = {}


def register_kind(key: str, subject, body=None) -> Kind:
    """Register a kind of notice: a dotted key ("package.event") and its lazy texts."""
    if len(key) > KEY_MAX_LENGTH or not KEY.fullmatch(key):
        raise ValueError(f"notice kind {key!r}: use a dotted lower-case key like 'package.event'")
    kind = Kind(key, subject, body)
    KINDS[key] = kind
    return kind


def is_registered(key: str) -> bool:
    return key in KINDS


def stored_params(params: dict | None) -> dict:
    """Params as the notice keeps them in JSON: dates tagged, everything else as given."""
    stored = {}
    for name, value in (params or {}).items():
        if isinstance(value, datetime):
            stored[name] = {DATETIME_TAG: value.isoformat()}
        elif isinstance(value, date):
            stored[name] = {DATE_TAG: value.isoformat()}
        else:
            stored[name] = value
    return stored


def render(key: str, params: dict | None) -> Rendered:
    """The notice's subject and body in the current language; never raises."""
    kind = KINDS.get(key)
    if kind is None:
        log.warning("inbox: notice of unknown kind %r", key)
        return Rendered(str(UNKNOWN_SUBJECT), str(UNKNOWN_BODY))
    shown = _shown_params(params if isinstance(params, dict) else {})
    subject = _filled(kind.subject, shown, key)
    body = _filled(kind.body, shown, key) if kind.body is not None else ""
    if subject is None or body is None:
        return Rendered(str(UNKNOWN_SUBJECT), str(UNKNOWN_BODY))
    return Rendered(subject, body)


class _Shown(dict):
    """Params for %-formatting: a placeholder the sender did not fill shows as an ellipsis."""

    def __missing__(self, name):
        log.warning("inbox: notice text needs param %r, which was not sent", name)
        return MISSING


def _shown_params(params: dict) -> _Shown:
    return _Shown({name: _displayed(value) for name, value in params.items()})


def _displayed(value):
    if isinstance(value, dict) and len(value) == 1:
        tag, text = next(iter(value.items()))
        try:
            if tag == DATE_TAG:
                return format_date(date.fromisoformat(text))
            if tag == DATETIME_TAG:
                return format_datetime(datetime.fromisoformat(text))
        except (TypeError, ValueError):
            return MISSING
    return value


def _filled(text, params: _Shown, key: str) -> str | None:
    try:
        return str(text) % params
    except (TypeError, ValueError, KeyError):
        log.warning("inbox: the text of notice kind %r cannot be filled", key, exc_info=True)
        return None
