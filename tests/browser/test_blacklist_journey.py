"""A blacklist case from proposal to listing and revocation, in English, at desktop and phone
sizes: a regulator proposes and notifies, the agency objects with a file, a second reviewer
lists it with their password; the public list shows it and the default search leaves it out;
a revocation takes it off the list at once."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registry.accounts.models import Account
from registry.db import db
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_journey import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
AGENCY = "江阴澄信测绘有限公司"


@pytest.fixture(params=list(VIEWPORTS))
def people(request, browser, live_server):
    """Open a signed-in English page for a demo account: people("regulator@example.com")."""
    contexts = []

    def open_as(email: str | None):
        context = browser.new_context(
            locale="en",
            viewport=VIEWPORTS[request.param],
            is_mobile=request.param == "phone",
            has_touch=request.param == "phone",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if email:
            page.goto(live_server + "/login")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.locator("main").get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(re.compile(r"/workspace$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_a_case_runs_from_proposal_to_listing_and_revocation(app, live_server, people, make_agency):
    with app.app_context():
        staff = db.session.scalars(select(Account).where(Account.email == "agency@example.com"))
        agency = make_agency("active", name=AGENCY, users=[staff.one()])
        agency_id, code = agency.id, agency.credit_code

    # A regulator proposes the listing from the agency's page, then notifies the agency.
    regulator = people("regulator@example.com")
    regulator.goto(f"{live_server}/regulator/agencies/{agency_id}")
    regulator.get_by_role("link", name="Propose a blacklist listing").click()
    regulator.get_by_label("Ground").select_option("falsified_report")
    regulator.get_by_label("Facts (what the agency did, when, and the evidence)").fill(
        "2026年6月出具的测绘报告高程数据与现场复测不符，经调查属实。"
    )
    regulator.get_by_label("Legal basis for listing").fill(
        "《江阴市中介机构信用管理办法》第十八条第（二）项"
    )
    regulator.get_by_role("button", name="Propose the listing").click()
    expect(regulator.get_by_test_id("case-state")).to_have_attribute("data-state", "proposed")
    case_url = regulator.url
    regulator.get_by_role("link", name="Notify the agency").click()
    expect(regulator.get_by_text("This cannot be undone.")).to_be_visible()
    regulator.get_by_role("button", name="Notify the agency").click()
    expect(regulator.get_by_test_id("case-state")).to_have_attribute("data-state", "notified")

    # The agency reads the ground and objects, with a file, within the window.
    staff_page = people("agency@example.com")
    staff_page.goto(live_server + "/my/agency/blacklist")
    staff_page.get_by_test_id("my-cases").get_by_role("link").first.click()
    expect(staff_page.get_by_test_id("ground")).to_have_text("Falsified report")
    staff_page.get_by_role("link", name="Object to the proposal").click()
    staff_page.get_by_label(re.compile("^Your objection")).fill(
        "报告数据系委托方提供，我方已更正。"
    )
    staff_page.get_by_label(re.compile("^Evidence")).set_input_files(
        {"name": "更正报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    staff_page.get_by_label(re.compile("^I have checked the objection")).check()
    staff_page.get_by_role("button", name="Send the objection").click()
    expect(staff_page.get_by_text("Your objection was sent")).to_be_visible()
    expect(staff_page.get_by_test_id("case-files")).to_contain_text("更正报告.pdf")

    # A second reviewer lists the agency, confirming with their password.
    reviewer = people("reviewer@example.com")
    reviewer.goto(case_url)
    expect(reviewer.get_by_test_id("objection")).to_contain_text("我方已更正")
    reviewer.get_by_role("link", name="Decide: list or reject").click()
    reviewer.get_by_label("List the agency on the blacklist").check()
    reviewer.get_by_label("Decision number (required to list)").fill("澄审信黑〔2026〕8号")
    reviewer.get_by_label("Term (to list)").select_option("2")
    reviewer.get_by_label("Reasons (the agency reads them)").fill("事实清楚，异议理由不成立。")
    reviewer.get_by_label("Your password, to confirm it is you").fill("not my password")
    reviewer.get_by_role("button", name="Record the decision").click()
    expect(reviewer.get_by_text("The password is not right.")).to_be_visible()
    reviewer.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
    reviewer.get_by_role("button", name="Record the decision").click()
    expect(reviewer.get_by_text("The agency is listed")).to_be_visible()
    expect(reviewer.get_by_test_id("case-state")).to_have_attribute("data-state", "listed")

    # Anyone sees it on the public list and the profile; the default search leaves it out.
    public = people(None)
    public.goto(live_server + "/blacklist")
    row = public.get_by_test_id("listing").filter(has_text=AGENCY)
    expect(row).to_contain_text("澄审信黑〔2026〕8号")
    expect(row).to_contain_text(code)
    public.goto(live_server + "/?q=澄信")
    expect(public.get_by_test_id("results")).to_have_count(0)
    public.goto(f"{live_server}/agencies/{code}")
    expect(public.get_by_test_id("blacklist-alert")).to_be_visible()

    # The reviewer revokes the listing: it leaves the public list at once, the record stays.
    reviewer.get_by_role("link", name="Revoke the listing").click()
    reviewer.get_by_label(re.compile("^Why the listing was wrong")).fill("所依据的投诉经复查撤销。")
    reviewer.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
    reviewer.get_by_role("button", name="Revoke the listing").click()
    expect(reviewer.get_by_test_id("case-state")).to_have_attribute("data-state", "revoked")
    public.goto(live_server + "/blacklist")
    expect(public.get_by_test_id("no-listings")).to_be_visible()
    public.goto(live_server + "/blacklist?history=1")
    expect(public.get_by_test_id("listing").filter(has_text=AGENCY)).to_contain_text("Revoked")
    public.goto(live_server + "/?q=澄信")
    expect(public.get_by_test_id("results")).to_contain_text(AGENCY)
