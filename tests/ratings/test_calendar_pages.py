"""The calendar pages: regulators enter and replace notices; bad lines are named; anyone reads."""

from datetime import date

import pytest
from flask import render_template_string

from ratings.working_days import Deadline
from registry.dates import local_today
from tests.conftest import post_form
from tests.ratings.conftest import ENGLISH, NOTICE_2027, actions, nothing_stored, stored_notice

OUTSIDERS = ["agency", "enterprise", "supervisor", "admin"]
REGULATOR_PAGES = [
    "/regulator/calendar",
    "/regulator/calendar/2027",
    "/regulator/calendar/2027/notice",
]


def page_of(response) -> str:
    return response.get_data(as_text=True)


def enter(client, data=None, year=2027):
    return post_form(
        client, f"/regulator/calendar/{year}/notice", data or NOTICE_2027, headers=ENGLISH
    )


# --- who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_cannot_open_or_post_to_the_regulator_pages(client, login_as, role):
    login_as(role)
    for path in REGULATOR_PAGES:
        assert client.get(path).status_code == 403, path
    assert enter(client).status_code == 403
    assert nothing_stored()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in REGULATOR_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    assert enter(client).status_code == 302
    assert nothing_stored()


@pytest.mark.parametrize("role", [None, *OUTSIDERS, "regulator"])
def test_the_public_pages_are_open_to_anyone(client, login_as, role):
    if role:
        login_as(role)
    assert client.get("/working-days").status_code == 200
    assert client.get("/working-days/2026").status_code == 200


def test_years_outside_2000_to_2099_are_not_found(client, login_as):
    login_as("regulator")
    for path in (
        "/working-days/1999",
        "/regulator/calendar/2100",
        "/regulator/calendar/2100/notice",
    ):
        assert client.get(path).status_code == 404, path


# --- reading -----------------------------------------------------------------------------


def test_the_overview_shows_where_each_years_days_come_from(client, login_as):
    login_as("regulator")
    page = page_of(client.get("/regulator/calendar", headers=ENGLISH))
    this_year = local_today().year
    for year in range(this_year - 1, this_year + 3):
        assert f'data-year="{year}"' in page
    assert "Calendar library" in page  # 2026 and before
    assert "2028’s official holidays are not known yet" in page


def test_the_2026_page_lists_the_national_day_week_and_its_working_saturday(client):
    page = page_of(client.get("/working-days/2026", headers=ENGLISH))
    assert "Calendar library" in page
    assert "Oct 1, 2026 – Oct 7, 2026" in page
    assert "Oct 10, 2026" in page
    assert "National Day" in page


def test_the_2026_page_names_holidays_in_chinese_by_default(client):
    page = page_of(client.get("/working-days/2026"))
    assert "国庆节" in page
    assert "春节" in page


def test_a_year_nobody_knows_carries_the_warning(client):
    page = page_of(client.get("/working-days/2031", headers=ENGLISH))
    assert "2031’s official holidays are not known yet" in page


# --- entering and replacing ----------------------------------------------------------------


def test_a_regulator_enters_the_2027_notice(client, login_as, auth):
    regulator = login_as("regulator")
    response = enter(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/regulator/calendar/2027"
    page = page_of(client.get("/regulator/calendar/2027", headers=ENGLISH))
    assert "Official notice" in page
    assert NOTICE_2027["title"] in page
    assert "国庆节调休" in page
    assert stored_notice(2027).entered_by_id == regulator.id
    assert actions() == ["holiday_notice.entered"]
    notice_id = stored_notice(2027).id
    history = client.get(
        f"/audit/?object_type=holiday_notice&object_id={notice_id}", headers=ENGLISH
    )
    assert "Holiday notice entered" in page_of(history)
    auth.logout()
    public = page_of(client.get("/working-days/2027", headers=ENGLISH))
    assert NOTICE_2027["title"] in public
    assert regulator.display_name not in public, "the public page does not name the regulator"


def test_the_form_starts_from_the_librarys_days(client, login_as):
    login_as("regulator")
    page = page_of(client.get("/regulator/calendar/2026/notice", headers=ENGLISH))
    assert "2026-10-01/2026-10-07 National Day" in page
    assert "2026-10-10 National Day" in page


def test_replacing_a_notice_asks_for_confirmation_first(client, login_as):
    login_as("regulator")
    enter(client)
    changed = {**NOTICE_2027, "title": "更正通知", "holidays": "2027-01-01/2027-01-03"}
    response = enter(client, changed)
    page = page_of(response)
    assert response.status_code == 200
    assert "Replace the holiday notice for 2027?" in page
    assert stored_notice(2027).title == NOTICE_2027["title"], "nothing replaced yet"
    assert actions() == ["holiday_notice.entered"]

    response = enter(client, {**changed, "replace": "Replace the notice"})
    assert response.status_code == 302
    assert stored_notice(2027).title == "更正通知"
    assert actions() == ["holiday_notice.entered", "holiday_notice.replaced"]


def test_going_back_from_the_confirmation_keeps_what_was_typed(client, login_as):
    login_as("regulator")
    enter(client)
    changed = {**NOTICE_2027, "title": "更正通知", "back": "Change what I entered"}
    page = page_of(enter(client, changed))
    assert 'value="更正通知"' in page
    assert "Save the notice" in page
    assert stored_notice(2027).title == NOTICE_2027["title"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"holidays": "2027-01-01\n2027-10-01 until 2027-10-07"},
            "Line 2: “2027-10-01 until 2027-10-07” is not a date or a range of dates",
        ),
        ({"holidays": "2027-01-01\n2027-02-30"}, "Line 2: 2027-02-30 is not a date."),
        ({"holidays": "2027-01-01\n\n2028-01-01 元旦"}, "Line 3: 2028-01-01 is not in 2027."),
        (
            {"holidays": "2027-10-01/2027-10-07", "working_days": "2027-10-03"},
            "Line 1: 2027-10-03 is both a holiday and an adjusted working day.",
        ),
        (
            {"holidays": "2027-10-01", "working_days": "2027-10-09\n2027-10-12"},
            "Line 2: 2027-10-12 is a weekday and a working day anyway",
        ),
        ({"holidays": "   \n"}, "Enter at least one holiday."),
        ({"title": ""}, "This field is required."),
    ],
    ids=[
        "malformed line",
        "no such date",
        "outside the year",
        "both kinds",
        "weekday worked",
        "no holiday",
        "no title",
    ],
)
def test_bad_input_is_named_the_typing_kept_and_nothing_saved(client, login_as, changes, message):
    login_as("regulator")
    data = {**NOTICE_2027, **changes}
    response = enter(client, data)
    page = page_of(response)
    assert response.status_code == 200
    assert message in page
    for typed in data.values():
        assert typed.strip().split("\n")[0] in page, "what the regulator typed is still there"
    assert nothing_stored()


def test_full_width_digits_and_chinese_range_words_are_read(client, login_as):
    login_as("regulator")
    data = {
        **NOTICE_2027,
        "holidays": "２０２７－１０－０１至２０２７－１０－０７ 国庆节",
        "working_days": "",
    }
    assert enter(client, data).status_code == 302
    assert len(stored_notice(2027).holidays) == 7


# --- the deadline macro ----------------------------------------------------------------------

MACRO = '{% from "_macros/deadline.html" import deadline %}{{ deadline(d) }}'


def render_deadline(app, **facts) -> str:
    with app.test_request_context(headers=ENGLISH):
        return render_template_string(MACRO, d=Deadline(**facts))


def test_the_macro_shows_working_days_left(app):
    html = render_deadline(
        app,
        due=date(2026, 10, 10),
        today=date(2026, 9, 30),
        working_days_left=3,
        overdue_working_days=0,
        uncertain_years=(),
    )
    assert 'datetime="2026-10-10"' in html
    assert "3 working days left" in html
    assert "not known yet" not in html


def test_the_macro_shows_overdue_days_and_the_warning(app):
    html = render_deadline(
        app,
        due=date(2027, 1, 5),
        today=date(2028, 1, 7),
        working_days_left=0,
        overdue_working_days=262,
        uncertain_years=(2027, 2028),
    )
    assert "overdue by 262 working days" in html
    assert "The official holidays of 2027, 2028 are not known yet; counted Monday–Friday." in html
    assert 'href="/working-days"' in html


def test_the_macro_says_due_today_and_one_unknown_year(app):
    html = render_deadline(
        app,
        due=date(2028, 3, 1),
        today=date(2028, 3, 1),
        working_days_left=0,
        overdue_working_days=0,
        uncertain_years=(2028,),
    )
    assert "due today" in html
    assert "2028's official holidays are not known yet; counted Monday–Friday." in html


def test_the_public_page_shows_todays_time_limits(client):
    page = page_of(client.get("/working-days", headers=ENGLISH))
    assert page.count('data-testid="deadline"') == 3
