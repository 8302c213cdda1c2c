"""Two regulators entering a year's holiday notice at once: one notice is stored, the other
regulator is refused with who entered it and when, and may read it before replacing it (on
PostgreSQL the acts overlap; on SQLite they run in turn)."""

from datetime import date

import pytest

from ratings import calendar_services as services
from ratings.calendar_queries import notice_for_year
from ratings.calendar_services import NoticeLine
from ratings.models import HolidayNotice
from registry.accounts.models import Account
from registry.db import db
from tests.factories import Clock
from tests.ratings.conftest import actions, count, stored_notice
from tests.ratings.races import names, one_refused, winner

NATIONAL_DAY = [NoticeLine(date(2027, 10, 1), date(2027, 10, 7), "国庆节")]
CORRECTED = [NoticeLine(date(2027, 10, 1), date(2027, 10, 8), "国庆节")]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)  # 29 September 2026, 10:00 local


@pytest.fixture
def regulators(make_account):
    return make_account("regulator", name="周监管"), make_account("regulator", name="郑监管")


def _seen_now() -> HolidayNotice | None:
    """The 2027 notice as a regulator's form shows it now (None: there is none yet)."""
    notice = notice_for_year(2027)
    if notice is not None:
        db.session.expunge(notice)  # held by that regulator's request, not the test
    return notice


def _enters(account, title: str, holidays, seen: HolidayNotice | None):
    """An act: the regulator, who opened the form when `seen` was stored, saves a notice for
    2027 in its place."""

    def act():
        actor = db.session.get(Account, account.id)
        yield
        return services.enter_holiday_notice(actor, 2027, title, holidays, replacing=seen)

    return act


def test_two_first_notices_for_a_year_at_once_store_one(app, clock, regulators, race):
    seen = _seen_now()  # both open the form before either saves
    outcomes = race(
        _enters(regulators[0], "2027年部分节假日安排", NATIONAL_DAY, seen),
        _enters(regulators[1], "2027年节假日安排（更正）", CORRECTED, seen),
    )
    refusal = one_refused(outcomes, services.NoticeError)
    first = winner(outcomes, *regulators)
    assert names(refusal, first, "2026-09-29 10:00")
    assert count(HolidayNotice) == 1
    assert stored_notice(2027).entered_by_id == first.id
    assert actions() == ["holiday_notice.entered"]


def test_two_replacements_of_the_same_notice_at_once_replace_it_once(app, clock, regulators, race):
    services.enter_holiday_notice(regulators[0], 2027, "2027年部分节假日安排", NATIONAL_DAY)
    db.session.commit()
    clock.set(date(2026, 10, 9))
    seen = _seen_now()  # both open the form before either saves
    outcomes = race(
        _enters(regulators[0], "2027年节假日安排（更正）", CORRECTED, seen),
        _enters(regulators[1], "2027年节假日安排（再更正）", NATIONAL_DAY, seen),
    )
    refusal = one_refused(outcomes, services.NoticeError)
    first = winner(outcomes, *regulators)
    assert names(refusal, first, "2026-10-09 10:00")
    notice = stored_notice(2027)
    assert notice.entered_by_id == first.id
    assert len(notice.holidays) == (8 if first is regulators[0] else 7)
    assert actions() == ["holiday_notice.entered", "holiday_notice.replaced"]
