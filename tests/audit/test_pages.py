from datetime import date, timedelta

from registry.accounts.permissions import SYSTEM
from registry.audit.services import record
from registry.db import db


def test_regulator_browses_and_filters_the_log(client, login_as, make_account):
    make_account("agency", email="filtered@example.org")
    login_as("regulator", email="reg@example.org")
    page = client.get("/audit/").get_data(as_text=True)
    assert "account.created" in page
    assert "account.login" in page

    page = client.get("/audit/?action=account.login").get_data(as_text=True)
    assert "reg@example.org" in page
    assert "filtered@example.org" not in page

    page = client.get("/audit/?actor=system&object_type=account").get_data(as_text=True)
    assert "filtered@example.org" in page


def test_filter_by_date_range(client, login_as):
    login_as("reviewer")
    today = date.today()
    day = timedelta(days=1)
    page = client.get(f"/audit/?date_from={today - day}&date_to={today + day}")
    assert "account.login" in page.get_data(as_text=True)
    page = client.get(f"/audit/?date_to={today - timedelta(days=3)}")
    assert "没有符合" in page.get_data(as_text=True)


def test_malformed_or_inverted_dates_are_refused_with_a_message(client, login_as):
    login_as("regulator")
    response = client.get("/audit/?date_from=2026-13-45")
    assert response.status_code == 400
    response = client.get("/audit/?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 400
    assert "结束日期早于开始日期" in response.get_data(as_text=True)


def test_unknown_action_filter_is_refused(client, login_as):
    login_as("regulator")
    assert client.get("/audit/?action=no.such.action").status_code == 400


def test_event_page_shows_its_hashes(client, login_as):
    login_as("admin")
    event = record("test.event", actor=SYSTEM, details={"note": "<script>alert(1)</script>"})
    db.session.commit()
    page = client.get(f"/audit/{event.seq}").get_data(as_text=True)
    assert "test.event" in page
    assert "<script>alert(1)</script>" not in page, "details are escaped"
    assert client.get("/audit/999").status_code == 404


def test_audit_log_is_paginated(app, client, login_as):
    app.config["PAGE_SIZE"] = 5
    for _ in range(12):
        record("test.event", actor=SYSTEM)
    db.session.commit()
    login_as("regulator")
    page = client.get("/audit/?page=3").get_data(as_text=True)
    assert page.count('href="/audit/') >= 3
    assert 'aria-current="page">3<' in page


def test_actions_are_named_in_the_users_language(client, login_as):
    login_as("regulator")
    page = client.get("/audit/").get_data(as_text=True)
    assert "创建账号" in page
    assert '<option value="account.login">登录</option>' in page


def test_date_filters_count_days_in_china_time(app):
    from datetime import datetime

    from registry.audit.queries import start_of_local_day

    assert start_of_local_day(date(2026, 10, 1)) == datetime(2026, 9, 30, 16, 0)


def test_the_newest_event_offers_no_next_link(client, login_as):
    login_as("regulator")
    page = client.get("/audit/2").get_data(as_text=True)
    assert 'href="/audit/1"' in page
    assert 'href="/audit/3"' not in page
