"""The public statistics page, opened anonymously in Chinese and in English, at desktop and
phone sizes: every chart image loads (from its own route, under the page's CSP) and its
table carries the same figures."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS

# The page's language, and a category label as its table shows it there.
LANGUAGES = {"zh-CN": "测绘", "en": "Surveying and mapping"}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_anyone_sees_the_statistics_charts_load(
    browser, live_server, make_agency, viewport, locale
):
    for category in ("surveying", "surveying", "environmental"):
        make_agency("active", category=category)
    context = browser.new_context(
        locale=locale,
        viewport=VIEWPORTS[viewport],
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server + "/statistics")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    category = LANGUAGES[locale]
    table = page.get_by_test_id("table-agencies-by-category")
    expect(table).to_contain_text(category)
    charts = page.get_by_test_id("chart")
    expect(charts).to_have_count(2)  # the agencies'; every other figure has no data yet
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0", arg=chart.element_handle()
        )
        assert chart.evaluate("image => image.naturalWidth") > 0
    expect(page.get_by_test_id("no-data").first).to_be_visible()
    assert blocked == []
    context.close()
