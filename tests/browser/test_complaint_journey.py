"""A complaint with an evidence file goes from filing to `substantiated` with the agency's
response; each party sees what it should and no more (English pages, desktop and phone)."""

import re

import pytest
from playwright.sync_api import expect

from registry.accounts.models import Account
from registry.db import db
from tests.browser.conftest import VIEWPORTS

PASSWORD = "demo-pass-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
AGENCY = "江阴华澄测绘有限公司"
COMPLAINT = "公示最高收费1200元，实际收取2000元，另收“加急费”未事先告知。"


@pytest.fixture(params=list(VIEWPORTS))
def english(request, browser):
    """A page in an English-speaking browser, at a desktop or a phone viewport."""
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        locale="en",
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in_as(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/workspace$"))


def status(page):
    return page.get_by_test_id("complaint-status")


def test_a_complaint_goes_from_filing_to_substantiated(app, live_server, english, make_agency):
    staff = db.session.execute(
        db.select(Account).where(Account.email == "agency@example.com")
    ).scalar_one()
    make_agency("active", name=AGENCY, users=[staff])
    page = english

    # The enterprise finds the agency, writes what happened and attaches a receipt.
    sign_in_as(page, live_server, "enterprise@example.com")
    page.goto(live_server + "/complaints/new")
    page.get_by_label("Agency's name or credit code").fill("华澄")
    page.get_by_role("button", name="Find the agency").click()
    page.get_by_role("link", name=re.compile(AGENCY)).click()
    page.get_by_label("What is the complaint about?").select_option("overcharging")
    page.get_by_label("What happened").fill(COMPLAINT)
    page.get_by_label("Evidence files (optional)").set_input_files(
        {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(page.get_by_test_id("who-reads")).to_contain_text("never sees your account")
    page.get_by_label(re.compile("What I wrote is true")).check()
    page.get_by_role("button", name="Submit the complaint").click()
    expect(status(page)).to_have_text("Submitted")
    reference = re.search(r"TS-\d{4}-\d{5}", page.locator("h1").inner_text()).group(0)
    complaint_url = page.url

    # Before acceptance the agency does not even know the complaint exists.
    sign_in_as(page, live_server, "agency@example.com")
    assert page.goto(complaint_url).status == 404

    # The regulator accepts it, after confirming.
    sign_in_as(page, live_server, "regulator@example.com")
    page.goto(live_server + "/regulator/complaints")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("complainant")).to_contain_text("enterprise@example.com")
    page.get_by_role("link", name="Accept", exact=True).click()
    expect(page.get_by_test_id("explanation")).to_contain_text("cannot be undone")
    page.get_by_role("button", name="Accept the complaint").click()
    expect(status(page)).to_have_text("Accepted, awaiting the agency's response")

    # The agency reads the complaint and its evidence, never who filed it, and responds.
    sign_in_as(page, live_server, "agency@example.com")
    page.goto(live_server + "/my/agency/complaints")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("timeline")).to_contain_text(COMPLAINT)
    expect(page.locator("main")).not_to_contain_text("enterprise@example.com")
    expect(page.locator("main")).not_to_contain_text("Demo Enterprise User")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("receipt.pdf")).click()
    assert download.value.suggested_filename == "receipt.pdf"
    page.get_by_role("link", name="Respond").click()
    page.get_by_label("Your text").fill("加急费系企业口头要求，附情况说明。")
    page.get_by_label("Evidence files (optional)").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Send").click()
    expect(status(page)).to_have_text("Under investigation")

    # The regulator concludes: substantiated, major, with reasons; a breach of the letter.
    sign_in_as(page, live_server, "regulator@example.com")
    page.goto(complaint_url)
    expect(page.get_by_test_id("timeline")).to_contain_text("加急费系企业口头要求")
    page.get_by_role("link", name="Conclude").click()
    page.get_by_label("Substantiated", exact=True).check()
    page.get_by_label("Severity (when substantiated)").select_option("major")
    page.get_by_label("Reasons, as both parties will read them").fill(
        "加急费无企业书面同意，收费超过公示标准，投诉属实。"
    )
    page.get_by_label(re.compile("the conclusion is final")).check()
    page.get_by_role("button", name="Conclude").click()
    expect(status(page)).to_have_text("Substantiated")
    expect(page.get_by_test_id("breach")).to_be_visible()

    # The complainant learns the outcome and why, and sees the agency's response.
    sign_in_as(page, live_server, "enterprise@example.com")
    page.goto(live_server + "/my/complaints")
    page.get_by_role("link", name=reference).click()
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_contain_text("Substantiated")
    expect(outcome).to_contain_text("Major")
    expect(outcome).to_contain_text("投诉属实")
    expect(page.get_by_test_id("timeline")).to_contain_text("加急费系企业口头要求")
    expect(page.locator("main")).not_to_contain_text("Demo Regulator")
    expect(page.get_by_test_id("actions")).to_have_count(0)

    # The agency learns the outcome too, still without the complainant's account.
    sign_in_as(page, live_server, "agency@example.com")
    page.goto(complaint_url)
    expect(page.get_by_test_id("outcome")).to_contain_text("投诉属实")
    expect(page.locator("main")).not_to_contain_text("enterprise@example.com")
