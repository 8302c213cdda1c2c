"""Electronic supervision in a browser, in English, at desktop and phone sizes: a regulator
opens the dashboard from the workspace, narrows it to overdue engagements and escalates one;
a supervisor reads the same dashboard without a single action, and evaluates how a
concluded complaint was handled, which shows in the figures per regulator."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS
from tests.conftest import PASSWORD
from tests.supervision.conftest import clock, world  # noqa: F401 - fixtures


@pytest.fixture(params=list(VIEWPORTS))
def people(request, browser, live_server):
    """Open a signed-in English page for an account of the world: people(account)."""
    contexts = []

    def open_as(account):
        context = browser.new_context(
            locale="en",
            viewport=VIEWPORTS[request.param],
            is_mobile=request.param == "phone",
            has_touch=request.param == "phone",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server + "/login")
        page.get_by_label("Email").fill(account.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/workspace$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_regulator_escalates_and_supervisor_reads_and_evaluates(world, people):  # noqa: F811
    # The regulator opens the dashboard from the workspace: every kind, with who is accountable.
    regulator = people(world.regulator)
    regulator.get_by_test_id("supervision-link").click()
    expect(regulator.get_by_role("heading", name="Electronic supervision")).to_be_visible()
    expect(regulator.get_by_test_id("item")).to_have_count(9)
    conclusion = regulator.locator('[data-kind="complaint_conclusion"]')
    expect(conclusion.get_by_test_id("accountable")).to_have_text("周监管")

    # Overdue engagements only; one is escalated by hand, after a confirmation.
    regulator.get_by_label("Kind").select_option("engagement")
    regulator.get_by_label("Overdue only").check()
    regulator.get_by_role("button", name="Filter").click()
    expect(regulator.get_by_test_id("item")).to_have_count(1)
    regulator.get_by_role("link", name="Escalate now").click()
    expect(regulator.get_by_text("This cannot be undone.")).to_be_visible()
    regulator.get_by_role("button", name="Escalate", exact=True).click()
    expect(regulator.get_by_text("the reviewers are notified")).to_be_visible()
    row = regulator.locator('[data-kind="engagement"]')
    expect(row.get_by_test_id("escalated")).to_contain_text("Escalated")

    # The supervisor reads everything, with no button to act.
    supervisor = people(world.supervisor)
    supervisor.get_by_test_id("supervision-link").click()
    expect(supervisor.get_by_test_id("item")).to_have_count(9)
    expect(supervisor.get_by_test_id("read-only")).to_be_visible()
    expect(supervisor.get_by_role("link", name="Escalate now")).to_have_count(0)

    # ... and evaluates how the concluded complaint was handled.
    supervisor.get_by_role("link", name="Evaluations of the regulators").first.click()
    supervisor.get_by_role("link", name="Evaluate", exact=True).click()
    expect(supervisor.get_by_test_id("handling")).to_contain_text("周监管")
    supervisor.locator("#timeliness-4").check()
    supervisor.locator("#fairness-5").check()
    supervisor.get_by_label("Remarks").fill("办结及时，理由清楚。")
    supervisor.get_by_role("button", name="Submit evaluation").click()
    expect(supervisor.get_by_test_id("my-evaluation")).to_have_text("Timeliness 4, fairness 5")
    figures = supervisor.get_by_test_id("regulator-row")
    expect(figures).to_contain_text("周监管")
    expect(figures).to_contain_text("4.0")
    expect(figures).to_contain_text("5.0")
