"""An enterprise records an engagement, the agency confirms it and delivers late (across the
2026 National Day week), the enterprise confirms the delivery and reviews it, and the review
shows on the agency's public profile. In English, at desktop and phone sizes."""

import random
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registry import dates
from registry.accounts.models import Account
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Enterprise, FeeSchedule, fen
from registry.db import db
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_journey import PASSWORD, open_menu_on_phone

SHANGHAI = dates.ZoneInfo("Asia/Shanghai")


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), SHANGHAI).astimezone(UTC)


@pytest.fixture
def moved_clock(monkeypatch):
    """The registry's clock, shared with the live server's thread; the test moves it."""
    moments = {"now": moment(date(2026, 9, 28))}
    monkeypatch.setattr(dates, "now", lambda: moments["now"])
    return moments


@pytest.fixture(params=list(VIEWPORTS))
def english_page(request, browser):
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        locale="en",
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        # No collapse and dropdown animations for a click to race.
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def parties(app, make_agency, make_service_item):
    """The demo enterprise and agency accounts, linked; the agency offers a guided service."""
    with app.app_context():
        accounts = {
            account.email: account
            for account in db.session.scalars(
                select(Account).where(
                    Account.email.in_(["agency@example.com", "enterprise@example.com"])
                )
            )
        }
        enterprise = Enterprise(credit_code=generate_credit_code(random.Random(7)))
        enterprise.set_name("江阴澄星精密机械制造有限公司")
        db.session.add(enterprise)
        db.session.flush()
        accounts["enterprise@example.com"].enterprise_id = enterprise.id
        db.session.commit()
        agency = make_agency(
            "active", name="江阴澄信测绘有限公司", users=[accounts["agency@example.com"]]
        )
        item = make_service_item(
            pricing="government_guided", cap="1000", name="建设工程规划放线测量"
        )
        db.session.add(
            FeeSchedule(
                agency_id=agency.id,
                service_item_id=item.id,
                fee_min_fen=fen(Decimal("500")),
                fee_max_fen=fen(Decimal("800")),
                unit="项",
                basis="按项目收费",
                promised_days=5,
                effective_from=date(2026, 1, 1),
            )
        )
        db.session.commit()
        return agency.credit_code


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/workspace$"))


def open_menu(page):
    """On a phone, open the collapsed navigation once the page's scripts have run."""
    page.wait_for_load_state("load")
    open_menu_on_phone(page)
    expect(page.locator("#nav-main.show, #nav-main:not(.collapsing)").first).to_be_visible()


def sign_out(page):
    open_menu(page)
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def open_engagements(page):
    open_menu(page)
    page.get_by_role("link", name="Engagements", exact=True).click()
    expect(page.locator("h1")).to_have_text("Engagements")


def open_engagement(page):
    open_engagements(page)
    # A table on a desktop, cards on a phone: the link shown.
    page.wait_for_load_state("load")
    page.get_by_role("link", name="建设工程规划放线测量").filter(visible=True).first.click()
    expect(page.locator("h1")).to_contain_text("建设工程规划放线测量")


def test_enterprise_records_agency_delivers_late_and_the_review_is_public(
    app, live_server, english_page, make_agency, make_service_item, moved_clock
):
    credit_code = parties(app, make_agency, make_service_item)
    page = english_page

    # The enterprise records that it hired the agency, on Monday 28 September.
    sign_in(page, live_server, "enterprise@example.com")
    open_engagements(page)
    page.get_by_role("link", name="Record an engagement").click()
    page.get_by_label("Agency name or credit code").fill("澄信")
    page.get_by_role("button", name="Find the agency").click()
    page.get_by_role("link", name=re.compile("江阴澄信测绘有限公司")).click()
    page.get_by_label(re.compile("建设工程规划放线测量")).check()
    page.get_by_label("Agreed fee (yuan per unit of the service)").fill("700")
    page.get_by_label("Start date").fill("2026-09-28")
    page.get_by_role("button", name="Record the engagement").click()
    expect(page.get_by_text("Engagement recorded.")).to_be_visible()
    expect(page.get_by_test_id("engagement-status")).to_have_attribute(
        "data-status", "awaiting_agency"
    )
    sign_out(page)

    # The agency confirms it; the work is due Saturday 10 October (after the holidays).
    sign_in(page, live_server, "agency@example.com")
    open_engagement(page)
    page.get_by_role("link", name="Confirm the engagement…").click()
    page.get_by_role("button", name="Confirm the engagement").click()
    expect(page.get_by_test_id("engagement-status")).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("deadline").first.locator("time")).to_have_attribute(
        "datetime", "2026-10-10"
    )

    # It delivers on Wednesday 14 October: three working days late.
    moved_clock["now"] = moment(date(2026, 10, 14))
    page.reload()
    expect(page.get_by_test_id("deadline-status").first).to_contain_text(
        "overdue by 3 working days"
    )
    page.get_by_role("link", name="Mark delivered…").click()
    page.get_by_role("button", name="Mark delivered").click()
    expect(page.get_by_test_id("late").first).to_contain_text("3 working days late")
    sign_out(page)

    # The enterprise confirms the delivery and reviews the work.
    sign_in(page, live_server, "enterprise@example.com")
    open_engagement(page)
    page.get_by_role("link", name="Confirm the delivery…").click()
    page.get_by_role("button", name="Confirm the delivery").click()
    expect(page.get_by_test_id("engagement-status")).to_have_attribute("data-status", "confirmed")
    page.get_by_role("link", name="Review the work…").click()
    page.get_by_label("Quality of the work").select_option("5")
    page.get_by_label("Timeliness").select_option("2")
    page.get_by_label("Fees as published").select_option("5")
    page.get_by_label("Conduct of the staff").select_option("4")
    page.get_by_label(re.compile("Your review")).fill("放线成果准确，但晚交了三个工作日。")
    page.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("Thank you.")).to_be_visible()

    # Anyone reads it on the agency's public profile.
    page.goto(f"{live_server}/agencies/{credit_code}")
    review = page.get_by_test_id("review").first
    expect(review.get_by_test_id("review-text")).to_have_text("放线成果准确，但晚交了三个工作日。")
    expect(review).to_contain_text("江阴澄星精密机械制造有限公司")
