"""Someone looks for an agency: by two characters, initials and code, filters, pages, and
opens a profile."""

from playwright.sync_api import expect


def test_searching_and_opening_a_profile(app, live_server, screen, make_agency):
    with app.app_context():
        app.config["PAGE_SIZE"] = 2
        target = make_agency(
            "active", name="江阴环评咨询有限公司", category="environmental", town="华士镇"
        )
        make_agency("active", name="澄江环保科技有限公司", category="environmental")
        for number in range(3):
            make_agency("active", name=f"江阴市长江测绘{number}有限公司")
        code = target.credit_code
    page = screen
    page.goto(live_server + "/")
    box = page.get_by_role("searchbox")
    box.fill("环评")
    page.locator("main").get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("江阴环评咨询有限公司")
    expect(results).not_to_contain_text("澄江环保科技有限公司")

    page.get_by_role("searchbox").fill("jyscj")
    page.locator("main").get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("results").locator("a")).to_have_count(2)
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_test_id("results").locator("a")).to_have_count(1)
    expect(page).to_have_url(__import__("re").compile(r"q=jyscj"))

    page.get_by_role("searchbox").fill("环")
    page.get_by_label("机构类别").select_option("environmental")
    page.get_by_label("镇街", exact=True).select_option("江阴市|华士镇")
    page.locator("main").get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("results").locator("a")).to_have_count(1)

    page.get_by_label("机构类别").select_option("")
    page.get_by_label("镇街", exact=True).select_option("")
    page.get_by_role("searchbox").fill(code.lower())
    page.locator("main").get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="江阴环评咨询有限公司").click()
    expect(page.locator("h1")).to_contain_text("江阴环评咨询有限公司")
    expect(page.get_by_text(code)).to_be_visible()
