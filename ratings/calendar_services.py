"""Entering a year's official holiday notice, the one write of the working-day calendar.

The function checks its actor's permission, validates, changes rows, writes the audit event
and leaves the commit to the caller. A replaced notice's days are gone from the tables but
not from the record: the audit event keeps what the notice said before.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ratings.models import (
    FIRST_NOTICE_YEAR,
    LAST_NOTICE_YEAR,
    DayKind,
    HolidayNotice,
    HolidayNoticeDay,
)
from ratings.working_days import forget_calendar
from registry.accounts.permissions import is_regulator, require
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import db, lock, utcnow

describe(
    actions={
        "holiday_notice.entered": _l("Holiday notice entered"),
        "holiday_notice.replaced": _l("Holiday notice replaced"),
    },
    objects={"holiday_notice": _l("Holiday notice")},
)


class NoticeError(ValueError):
    """A refused notice; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NoticeLine:
    """One line of a notice: a day or a range of days, with what the notice calls them."""

    first: date
    last: date
    label: str = ""
    line: int = 0  # its number in the text the regulator typed; 0 when not typed

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class NoticeDays:
    """A checked notice: each day of the year it lists, with its kind and label."""

    holidays: dict[date, str]
    working_days: dict[date, str]


def check_holiday_notice(
    year: int,
    holidays: Iterable[NoticeLine | date],
    working_days: Iterable[NoticeLine | date] = (),
) -> NoticeDays:
    """The days a notice lists, or NoticeError for the first problem found.

    Refused: a year outside 2000–2099; no holiday; a range that ends before it begins; a day
    outside the year; a day both a holiday and an adjusted working day; an adjusted working
    day on a weekday (Monday to Friday work anyway, so it is a typing mistake).
    Allowed: a holiday on a Saturday or Sunday (notices list the whole break); a day typed
    twice in the same list.
    """
    if not FIRST_NOTICE_YEAR <= year <= LAST_NOTICE_YEAR:
        raise NoticeError(
            _(
                "Enter a year from %(first)d to %(last)d.",
                first=FIRST_NOTICE_YEAR,
                last=LAST_NOTICE_YEAR,
            )
        )
    rest = _days_in_year(year, holidays, "holidays")
    if not rest:
        raise NoticeError(_("Enter at least one holiday."), "holidays")
    work = _days_in_year(year, working_days, "working_days")
    for day, (_label, line) in work.items():
        if day in rest:
            raise NoticeError(
                at_line(line, _("%(day)s is both a holiday and an adjusted working day.", day=day)),
                "working_days",
            )
        if day.weekday() < 5:
            raise NoticeError(
                at_line(
                    line,
                    _(
                        "%(day)s is a weekday and a working day anyway; an adjusted working "
                        "day is a Saturday or Sunday worked.",
                        day=day,
                    ),
                ),
                "working_days",
            )
    return NoticeDays(
        holidays={day: label for day, (label, _line) in rest.items()},
        working_days={day: label for day, (label, _line) in work.items()},
    )


def enter_holiday_notice(
    actor,
    year: int,
    title: str,
    holidays: Iterable[NoticeLine | date],
    working_days: Iterable[NoticeLine | date] = (),
    document_number: str = "",
    *,
    replacing=...,
) -> HolidayNotice:
    """A regulator enters a year's official notice, or replaces the one entered before.

    replacing: the year's notice as the regulator saw it when choosing to replace it, or
    None when they saw none. A notice entered or replaced by someone else since is not
    overwritten unseen: the regulator is refused, told who entered it and when, and may
    look at it and replace it then. Left out (commands, imports), whatever is stored is
    replaced. The stored notice is locked before this check; a first notice for the year
    entered twice at once is held by the year's unique key, and the second is refused.
    """
    require(is_regulator, actor)
    # What the regulator saw, before the lock below reads the stored notice afresh.
    seen_at = replacing.entered_at if isinstance(replacing, HolidayNotice) else None
    title, document_number = (title or "").strip(), (document_number or "").strip()
    if not title:
        raise NoticeError(_("Enter the notice's title."), "title")
    days = check_holiday_notice(year, holidays, working_days)
    notice = _stored_notice(year)
    if notice is not None:
        lock(notice)
        if replacing is not ... and (replacing is None or notice.entered_at != seen_at):
            raise NoticeError(_changed_meanwhile(notice))
    entered = {
        "title": title,
        "document_number": document_number,
        "entered_by_id": actor.id if getattr(actor, "is_authenticated", False) else None,
        "entered_at": utcnow(),
    }
    previous = None
    if notice is None:
        notice = _first_notice(year, entered)
    else:
        previous = notice_facts(notice)
        notice.days.clear()
        db.session.flush()  # the old days go before new ones take their (notice, day) key
        for name, value in entered.items():
            setattr(notice, name, value)
    notice.days.extend(_rows(days))
    db.session.flush()
    facts = notice_facts(notice)
    if previous is None:
        record("holiday_notice.entered", actor=actor, obj=notice, details=facts)
    else:
        record(
            "holiday_notice.replaced",
            actor=actor,
            obj=notice,
            details={**facts, "previous": previous},
        )
    forget_calendar()
    return notice


def _stored_notice(year: int) -> HolidayNotice | None:
    return db.session.execute(
        select(HolidayNotice).where(HolidayNotice.year == year)
    ).scalar_one_or_none()


def _first_notice(year: int, entered: dict) -> HolidayNotice:
    """The year's first notice; if another regulator's was stored meanwhile, a refusal."""
    notice = HolidayNotice(year=year, **entered)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        # Both found no notice; the year's unique key let the other's in first.
        raise NoticeError(_changed_meanwhile(_stored_notice(year))) from None
    return notice


def _changed_meanwhile(notice: HolidayNotice) -> str:
    return with_last_change(
        _(
            "The notice for %(year)d was entered or changed while you were writing yours; "
            "read it, then replace it if it still needs to be.",
            year=notice.year,
        ),
        notice,
    )


def notice_facts(notice: HolidayNotice) -> dict:
    """What a notice says, as the audit log keeps it."""
    return {
        "year": notice.year,
        "title": notice.title,
        "document_number": notice.document_number,
        "holidays": [day.isoformat() for day in notice.holidays],
        "working_days": [day.isoformat() for day in notice.working_days],
    }


def _days_in_year(
    year: int, entries: Iterable[NoticeLine | date], field: str
) -> dict[date, tuple[str, int]]:
    """Each listed day with its label and line; the first mention of a day wins."""
    found: dict[date, tuple[str, int]] = {}
    for entry in entries:
        line = entry if isinstance(entry, NoticeLine) else NoticeLine(entry, entry)
        if line.last < line.first:
            raise NoticeError(at_line(line.line, _("The range ends before it begins.")), field)
        for day in (line.first, line.last):
            if day.year != year:
                raise NoticeError(
                    at_line(line.line, _("%(day)s is not in %(year)d.", day=day, year=year)), field
                )
        for day in line.days():
            found.setdefault(day, (line.label, line.line))
    return found


def at_line(line: int, problem: str) -> str:
    """The problem, prefixed with the line of the text it is on when it came from a form."""
    return _("Line %(line)d: %(problem)s", line=line, problem=problem) if line else problem


def _rows(days: NoticeDays) -> list[HolidayNoticeDay]:
    kinds = ((DayKind.HOLIDAY, days.holidays), (DayKind.WORKING_DAY, days.working_days))
    return [
        HolidayNoticeDay(day=day, kind=kind.value, label=label)
        for kind, listed in kinds
        for day, label in sorted(listed.items())
    ]
