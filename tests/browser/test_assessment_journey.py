"""A supervisor evaluates an agency, a regulator records an inspection with its report, and
the public profile shows both: in English, at desktop and phone sizes."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from registry import dates
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_journey import PASSWORD, open_menu_on_phone
from tests.ratings.assessments.conftest import PDF

START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 28 November 2026, 10:00 local


@pytest.fixture
def moved_clock(monkeypatch):
    """The registry's clock, shared with the live server's thread."""
    monkeypatch.setattr(dates, "now", lambda: START)


@pytest.fixture(params=list(VIEWPORTS))
def english_pages(request, browser):
    """Fresh pages, one per person, in English browsers at a desktop or a phone viewport."""
    contexts = []

    def new_page():
        context = browser.new_context(
            viewport=VIEWPORTS[request.param],
            locale="en-GB",
            extra_http_headers={"Accept-Language": "en"},
            is_mobile=request.param == "phone",
            has_touch=request.param == "phone",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/workspace$"))


def test_supervisor_evaluates_regulator_inspects_and_the_profile_shows_both(
    app, live_server, english_pages, make_agency, moved_clock, tmp_path
):
    with app.app_context():
        agency = make_agency("active", name="江阴澄信测绘有限公司")
        agency_id, credit_code = agency.id, agency.credit_code
    page = english_pages()
    sign_in(page, live_server, "supervisor@example.com")
    open_menu_on_phone(page)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My evaluations"
    ).click()
    page.get_by_label("Agency name or credit code").fill("澄信")
    page.get_by_role("button", name="Find an agency to evaluate").click()
    page.get_by_role("link", name="Evaluate", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Evaluate 江阴澄信测绘有限公司")
    page.get_by_label("4 – good").check()
    page.get_by_label("Remarks").fill("收费公示清楚，企业反映办理及时。")
    page.get_by_role("button", name="Submit evaluation").click()
    expect(page.get_by_text("Your evaluation of 江阴澄信测绘有限公司 is saved.")).to_be_visible()
    expect(page.get_by_test_id("my-evaluations")).to_contain_text("Q4 2026")

    # Back on the form, the supervisor finds this quarter's evaluation to change, not a new one.
    page.goto(f"{live_server}/supervisor/agencies/{agency_id}/evaluation")
    expect(page.get_by_test_id("current-evaluation")).to_contain_text("with 4 out of 5")

    page = english_pages()
    sign_in(page, live_server, "regulator@example.com")
    page.goto(f"{live_server}/regulator/agencies/{agency_id}")
    page.get_by_role("link", name="Inspections and evaluations").click()
    page.get_by_role("link", name="Record an inspection").click()
    page.get_by_label("Day of the inspection").fill("2026-11-20")
    page.get_by_label("Score (0–100)").fill("86")
    page.get_by_label("Findings").fill("资质证书在有效期内；收费项目已在平台公示，与实际收费一致。")
    report = tmp_path / "检查报告.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Inspection report (PDF, JPEG or PNG; optional)").set_input_files(report)
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.get_by_text("Inspection recorded; the staff of")).to_be_visible()
    expect(page.get_by_test_id("findings")).to_contain_text("资质证书在有效期内")
    expect(page.get_by_test_id("report-link")).to_contain_text("检查报告.pdf")

    page = english_pages()  # anyone, signed out
    page.goto(f"{live_server}/agencies/{credit_code}")
    panel = page.get_by_test_id("assessments-panel")
    expect(panel.get_by_test_id("inspection-score")).to_have_text("86")
    expect(panel.get_by_test_id("latest-inspection")).to_contain_text("Nov 20, 2026")
    expect(panel.get_by_test_id("supervisor-evaluations")).to_contain_text(
        "1 evaluation, average 4.0 / 5"
    )
    expect(page.get_by_text("资质证书在有效期内")).to_have_count(0)
