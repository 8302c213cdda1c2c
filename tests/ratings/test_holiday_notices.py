"""Regulators enter a year's official notice; it wins over the library and is audited."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from ratings import calendar_services as services
from ratings.calendar_forms import parse_notice_lines
from ratings.calendar_services import NoticeLine
from ratings.working_days import DaySource, current_calendar
from registry.accounts.permissions import PermissionDenied
from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.db import db
from tests.ratings.conftest import (
    NOTICE_2027,
    actions,
    counting_queries,
    nothing_stored,
    stored_notice,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def enter_2027(actor):
    notice = services.enter_holiday_notice(
        actor,
        2027,
        NOTICE_2027["title"],
        parse_notice_lines(NOTICE_2027["holidays"]),
        parse_notice_lines(NOTICE_2027["working_days"]),
        document_number=NOTICE_2027["document_number"],
    )
    db.session.commit()
    return notice


def test_a_notice_for_2027_makes_its_deadlines_certain(app, regulator):
    assert current_calendar().source_of(2027) is DaySource.WEEKDAYS
    enter_2027(regulator)
    calendar = current_calendar()
    assert calendar.source_of(2027) is DaySource.NOTICE
    # Thursday 30 September 2027: 1–7 October off, Saturday 9 October worked.
    assert calendar.add_working_days(d("2027-09-30"), 1) == d("2027-10-08")
    assert calendar.add_working_days(d("2027-09-30"), 2) == d("2027-10-09")
    assert calendar.deadline(d("2026-12-21"), 10, today=d("2026-12-22")).uncertain_years == ()


def test_a_notice_for_a_year_the_library_knows_takes_precedence(app, regulator):
    services.enter_holiday_notice(
        regulator,
        2026,
        "更正后的2026年安排",
        [NoticeLine(d("2026-10-01"), d("2026-10-08"), "国庆节")],
        [d("2026-10-11")],
    )
    db.session.commit()
    calendar = current_calendar()
    assert calendar.source_of(2026) is DaySource.NOTICE
    assert calendar.add_working_days(d("2026-09-30"), 1) == d("2026-10-09")
    assert not calendar.is_working_day(d("2026-10-10"))


def test_the_notice_is_stored_with_its_days_and_who_entered_it(app, regulator):
    enter_2027(regulator)
    notice = stored_notice(2027)
    assert notice.title == NOTICE_2027["title"]
    assert notice.document_number == "国办发明电〔2026〕9号"
    assert notice.entered_by_id == regulator.id
    assert len(notice.holidays) == 1 + 7 + 7
    assert notice.working_days == [d("2027-02-13"), d("2027-10-09")]
    labels = {entry.day: entry.label for entry in notice.days}
    assert labels[d("2027-10-03")] == "国庆节"
    assert labels[d("2027-10-09")] == "国庆节调休"


def test_entering_and_replacing_are_audited_with_what_the_notice_said(app, regulator):
    enter_2027(regulator)
    services.enter_holiday_notice(regulator, 2027, "更正通知", [d("2027-01-01")])
    db.session.commit()
    assert actions() == ["holiday_notice.entered", "holiday_notice.replaced"]
    events = list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.object_type == "holiday_notice")
            .order_by(AuditEvent.seq)
        ).scalars()
    )
    entered, replaced = (json.loads(event.details_json) for event in events)
    assert "2027-10-01" in entered["holidays"]
    assert replaced["holidays"] == ["2027-01-01"]
    assert replaced["working_days"] == []
    assert replaced["previous"]["title"] == NOTICE_2027["title"]
    assert "2027-10-09" in replaced["previous"]["working_days"]
    assert {event.actor_id for event in events} == {regulator.id}
    assert verify_chain().intact


def test_replacing_a_notice_replaces_its_days(app, regulator):
    enter_2027(regulator)
    services.enter_holiday_notice(regulator, 2027, "更正通知", [d("2027-01-01")])
    db.session.commit()
    notice = stored_notice(2027)
    assert notice.title == "更正通知"
    assert notice.holidays == [d("2027-01-01")]
    assert notice.working_days == []
    assert current_calendar().is_working_day(d("2027-10-01"))


def test_reviewers_may_enter_a_notice(app, make_account):
    enter_2027(make_account("reviewer"))
    assert stored_notice(2027) is not None


@pytest.mark.parametrize("role", ["agency", "enterprise", "supervisor", "admin"])
def test_other_roles_may_not_enter_a_notice(app, make_account, role):
    with pytest.raises(PermissionDenied):
        services.enter_holiday_notice(make_account(role), 2027, "通知", [d("2027-01-01")])
    assert nothing_stored()


@pytest.mark.parametrize(
    ("holidays", "working_days", "field", "message"),
    [
        ([], [], "holidays", "Enter at least one holiday."),
        ([d("2026-12-31")], [], "holidays", "2026-12-31 is not in 2027."),
        (
            [NoticeLine(d("2027-10-01"), d("2028-01-01"), "", 3)],
            [],
            "holidays",
            "Line 3: 2028-01-01 is not in 2027.",
        ),
        (
            [NoticeLine(d("2027-10-07"), d("2027-10-01"), "", 2)],
            [],
            "holidays",
            "Line 2: The range ends before it begins.",
        ),
        (
            [d("2027-10-01")],
            [NoticeLine(d("2027-10-01"), d("2027-10-01"), "", 1)],
            "working_days",
            "Line 1: 2027-10-01 is both a holiday and an adjusted working day.",
        ),
        (
            [d("2027-10-01")],
            [d("2027-10-11")],
            "working_days",
            "2027-10-11 is a weekday and a working day anyway",
        ),
    ],
    ids=[
        "no holiday",
        "outside the year",
        "range leaves the year",
        "reversed range",
        "both",
        "weekday worked",
    ],
)
def test_bad_notices_are_refused_and_nothing_is_stored(
    app, regulator, holidays, working_days, field, message
):
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(services.NoticeError) as refused,
    ):
        services.enter_holiday_notice(regulator, 2027, "通知", holidays, working_days)
    assert message in str(refused.value)
    assert refused.value.field == field
    db.session.rollback()
    assert nothing_stored()


def test_holidays_on_a_weekend_are_accepted(app, regulator):
    services.enter_holiday_notice(regulator, 2027, "通知", [d("2027-10-02"), d("2027-10-03")])
    db.session.commit()
    assert stored_notice(2027).holidays == [d("2027-10-02"), d("2027-10-03")]


def test_a_year_outside_2000_to_2099_is_refused(app, regulator):
    with pytest.raises(services.NoticeError):
        services.enter_holiday_notice(regulator, 2100, "通知", [date(2100, 1, 1)])
    assert nothing_stored()


def test_the_calendar_reads_every_notice_in_one_query_and_then_none(app, regulator):
    enter_2027(regulator)
    services.enter_holiday_notice(regulator, 2028, "通知", [d("2028-01-03")])
    db.session.commit()
    with counting_queries() as statements:
        calendar = current_calendar()
        for start in (d("2026-12-01"), d("2027-09-30"), d("2028-01-01")):
            for _ in range(50):
                calendar.deadline(start, 30, today=d("2028-03-01"))
        assert current_calendar() is calendar
    assert len(statements) == 1
    assert calendar.source_of(2028) is DaySource.NOTICE
