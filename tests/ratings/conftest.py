"""Helpers for the working-day calendar: notices as a regulator types them, and counters."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from ratings.models import HolidayNotice, HolidayNoticeDay
from registry.audit.models import AuditEvent
from registry.db import db

ENGLISH = {"Accept-Language": "en"}

# A notice for 2027 as a regulator would type it. The State Council had not published 2027's
# arrangement when this was written, so the days are illustrative; what matters is that
# they differ from Monday–Friday (1 October 2027 is a Friday, 9 October a Saturday).
NOTICE_2027 = {
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "document_number": "国办发明电〔2026〕9号",
    "holidays": "2027-01-01\n\n2027-10-01/2027-10-07 国庆节\n2027-02-05 to 2027-02-11 春节",
    "working_days": "2027-10-09 国庆节调休\n2027-02-13",
}


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def actions(action_prefix: str = "holiday_notice.") -> list[str]:
    return list(
        db.session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith(action_prefix))
            .order_by(AuditEvent.seq)
        ).scalars()
    )


def stored_notice(year: int) -> HolidayNotice | None:
    db.session.expire_all()
    return db.session.execute(
        select(HolidayNotice).where(HolidayNotice.year == year)
    ).scalar_one_or_none()


def nothing_stored() -> bool:
    return count(HolidayNotice) == 0 and count(HolidayNoticeDay) == 0 and actions() == []


@contextmanager
def counting_queries():
    """Collect the queries (SELECTs) the database is sent inside the block."""
    statements: list[str] = []

    def count_statement(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)


@pytest.fixture
def regulator(make_account):
    return make_account("regulator")
