"""First journey: sign in, switch language, see the role's navigation, sign out."""

import re

from playwright.sync_api import expect

PASSWORD = "demo-pass-2026"


# Below this width the navigation collapses behind its toggler (navbar-expand-xl).
NAVBAR_COLLAPSES_BELOW = 1200


def open_menu_on_phone(page):
    """Open the collapsed navigation on narrow screens; decided by the viewport, not by a
    visibility check that can race the page load."""
    if page.viewport_size["width"] < NAVBAR_COLLAPSES_BELOW:
        # A URL check returns once the page is committed, before Bootstrap's script has run
        # and listens for the toggler: a click then is lost (seen on a loaded CI machine).
        page.wait_for_load_state("load")
        page.locator(".navbar-toggler").click()
        # Shown once Bootstrap's collapse has finished (.show, no longer .collapsing).
        expect(page.locator("#nav-main.collapse.show")).to_be_visible()


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workspace$"))


def test_regulator_signs_in_switches_language_and_signs_out(live_server, screen):
    page = screen
    sign_in(page, live_server, "regulator@example.com")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    open_menu_on_phone(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Workspace")
    expect(page).to_have_url(re.compile(r"/workspace$"))

    open_menu_on_phone(page)
    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(navigation.get_by_role("link", name="Audit log")).to_be_hidden()
    expect(page.locator("#nav-main.collapsing")).to_have_count(0)  # the phone menu has opened
    navigation.get_by_role("button", name="Regulation").click()  # a menu of secondary links
    expect(navigation.get_by_role("link", name="Audit log")).to_be_visible()
    expect(navigation.get_by_role("link", name="Accounts")).to_have_count(0)

    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.locator("#account-menu")).to_have_count(0)
    open_menu_on_phone(page)
    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()


def test_admin_sees_account_management_in_the_navigation(live_server, screen):
    page = screen
    sign_in(page, live_server, "admin@example.com")
    open_menu_on_phone(page)
    navigation = page.get_by_role("navigation", name="主导航")
    navigation.get_by_role("link", name="账号管理").click()
    expect(page.locator("table")).to_contain_text("supervisor@example.com")


def test_enterprise_sees_no_regulator_pages(live_server, screen):
    page = screen
    sign_in(page, live_server, "enterprise@example.com")
    open_menu_on_phone(page)
    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("link", name="审计日志")).to_have_count(0)
    response = page.goto(live_server + "/audit/")
    assert response.status == 403


def test_wrong_password_shows_a_message_and_keeps_the_email(live_server, screen):
    page = screen
    page.goto(live_server + "/login")
    page.get_by_label("邮箱").fill("agency@example.com")
    page.get_by_label("密码").fill("not the password")
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("邮箱或密码不正确")
    expect(page.get_by_label("邮箱")).to_have_value("agency@example.com")


# Whether anything on the bar sticks out of its container or wraps to a second row.
BAR_OVERFLOW = """() => {
  const box = document.querySelector('nav.navbar .container').getBoundingClientRect();
  const bar = 'nav.navbar .container :is(.nav-link, .btn, .navbar-brand)';
  const items = [...document.querySelectorAll(bar)];
  const top = Math.min(...items.map((item) => item.getBoundingClientRect().top));
  return items.filter((item) => {
    const edge = item.getBoundingClientRect();
    return edge.width && (edge.right > box.right || edge.top > top + 24);
  }).map((item) => item.textContent.trim());
}"""


def bar_overflow(page):
    """What sticks out of the bar, once the style sheets have loaded (before, it is all stacked)."""
    page.wait_for_load_state("load")
    return page.evaluate(BAR_OVERFLOW)


def test_the_widest_english_bars_fit_a_1280_pixel_screen(live_server, screen):
    """Secondary links sit in menus, so a reviewer's bar fits in English (the longer one)."""
    page = screen
    if page.viewport_name == "phone":
        return  # the phone's menu is collapsed; the test above opens it
    sign_in(page, live_server, "reviewer@example.com")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Workspace")
    assert bar_overflow(page) == []
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert bar_overflow(page) == []  # a visitor's bar
