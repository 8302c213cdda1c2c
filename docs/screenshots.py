"""Take the guides' screenshots: a throwaway demo registry, driven through Chromium.

Run from the repository root as `.venv/bin/python docs/screenshots.py` (`make screenshots`).
Signed-in pages are reached as a user reaches them: through links, forms and the navbar.
Selectors use names, values and URLs, never visible text, so they hold in any language.
"""

import logging
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import flask_migrate
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from werkzeug.serving import make_server

from registry import create_app
from registry.accounts import services
from registry.accounts.permissions import SYSTEM
from registry.config import DEFAULTS, PROJECT_ROOT
from registry.db import db

OUTPUT = Path(__file__).resolve().parent / "screenshots"
CATALOGUES = PROJECT_ROOT / "registry" / "translations"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # Chromium's own widgets (date pickers) in Chinese too
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = DEFAULTS["DEMO_PASSWORD"]

# Fictional people beside the demo accounts, so that lists and the log are not empty.
# Throwaway credentials of a throwaway database.
PEOPLE_PASSWORD = "Jiangbei-district-2026"  # noqa: S105
PEOPLE = [
    ("wangfang@example.com", "王芳", "regulator"),
    ("zhoumin@example.com", "周敏", "regulator"),
    ("liqiang@example.com", "李强（恒信测绘有限公司）", "agency"),
    ("chenjing@example.com", "陈静（华源建材股份有限公司）", "enterprise"),
    ("zhaolei@example.com", "赵磊（区人大代表）", "supervisor"),
]
NEWCOMER = ("sunli@example.com", "孙丽（绿洲环评咨询中心）", "agency")
NEWCOMER_TEMPORARY = "Huanping-temporary-88"
NEWCOMER_OWN = "Lushan-lake-walk-2026"
MISTYPED = "Jiangbei-distrikt-2026"


class ScreenshotError(RuntimeError):
    """A page did not look the way a screenshot needs it to."""


def main() -> int:
    """Build the demo app, serve it, take every screenshot and print how many."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    require_compiled_catalogues()
    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, serving(demo_app(Path(tmp))) as base:
        taken = take_all(base)
    print(f"{len(taken)} screenshots in {OUTPUT.relative_to(PROJECT_ROOT)}/")
    return 0


def require_compiled_catalogues() -> None:
    """Refuse to run on missing or stale .mo files: the pages would show old or no Chinese."""
    catalogues = CATALOGUES.glob("*/LC_MESSAGES/messages.po")
    stale = [str(po) for po in catalogues if not is_compiled(po)]
    if stale:
        raise ScreenshotError(f"compile the translations first (make translations): {stale}")


def is_compiled(po: Path) -> bool:
    """Whether the catalogue's .mo file exists and is newer than the .po file."""
    mo = po.with_suffix(".mo")
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def demo_app(tmp: Path) -> Flask:
    """A migrated app in `tmp` holding the demo accounts and a few more people."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/registry.sqlite3",
            "SECRET_KEY": "screenshots",
            "DEMO_MODE": True,
            "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
            "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "accounts"])
        if result.exit_code != 0:
            raise ScreenshotError(f"flask demo accounts failed: {result.output}")
        add_people()
    return app


def add_people() -> None:
    """Create the fictional people as a flask command would, and commit."""
    for email, name, role in PEOPLE:
        services.create_account(
            SYSTEM,
            email=email,
            display_name=name,
            role=role,
            password=PEOPLE_PASSWORD,
            must_change_password=False,
        )
    db.session.commit()


@contextmanager
def serving(app: Flask):
    """Serve the app on a free local port in a daemon thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


def take_all(base: str) -> list[str]:
    """Walk through the registry as each kind of user, at a desktop and a phone size."""
    taken: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with touring(browser, base, taken, phone=False) as tour:
                desktop_tour(tour)
            with touring(browser, base, taken, phone=True) as tour:
                phone_tour(tour)
        finally:
            browser.close()
    return taken


@contextmanager
def touring(browser: Browser, base: str, taken: list[str], *, phone: bool):
    """A fresh Chinese-speaking browser that fails loudly on script errors and CSP blocks."""
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
    )
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: note_csp_violation(message, problems))
    try:
        yield Tour(page, base, taken)
    finally:
        context.close()
    if problems:
        raise ScreenshotError("; ".join(problems))


def note_csp_violation(message: ConsoleMessage, problems: list[str]) -> None:
    """Keep console errors about the Content-Security-Policy: something was blocked."""
    if message.type == "error" and "Content Security Policy" in message.text:
        problems.append(f"CSP violation: {message.text}")


class Tour:
    """One browser page on the served app, with the moves a user makes and a camera."""

    def __init__(self, page: Page, base: str, taken: list[str]):
        self.page = page
        self.base = base
        self.taken = taken

    def open(self, path: str) -> None:
        """Go to a path of the app and insist on a successful answer."""
        response = self.page.goto(self.base + path)
        if response is None or not response.ok:
            status = response.status if response else "no response"
            raise ScreenshotError(f"{path} answered {status}")

    def click(self, selector: str) -> None:
        """Click a link or a form's button and wait for the page that answers."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def fill(self, **fields: str) -> None:
        """Type into the inputs with these names."""
        for name, value in fields.items():
            self.page.fill(f"input[name={name}]", value)

    def expect_path(self, path: str) -> None:
        """Insist that the browser is on `path`."""
        if urlsplit(self.page.url).path != path:
            raise ScreenshotError(f"expected {path}, got {self.page.url}")

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the login form."""
        self.open("/login")
        self.fill(email=email, password=password)
        self.click("main form button[type=submit]")
        if urlsplit(self.page.url).path == "/login":
            raise ScreenshotError(f"could not sign in as {email}")

    def sign_out(self) -> None:
        """Sign out through the account dropdown in the navbar."""
        self.page.click("#account-menu")
        self.click("nav form[action$='/logout'] button[type=submit]")
        self.expect_path("/")

    def shoot(self, name: str, *, full_page: bool = False) -> None:
        """Save the page as screenshots/<name>.png, unless it is an error page."""
        if self.page.locator("[data-error-message]").count():
            raise ScreenshotError(f"{name}: {self.page.url} is an error page")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.mouse.move(0, 0)
        partial = OUTPUT / f"{name}.png.tmp"
        self.page.screenshot(
            path=partial, type="png", full_page=full_page, animations="disabled", caret="hide"
        )
        partial.replace(OUTPUT / f"{name}.png")
        self.taken.append(name)
        print(f"  {name}.png  {self.page.url.removeprefix(self.base)}")


def desktop_tour(tour: Tour) -> None:
    """Every desktop screenshot, in the order a reader of the guides meets them."""
    tour.open("/")
    tour.shoot("home")
    tour.open("/login")
    tour.shoot("login")
    admin_tour(tour)
    first_sign_in(tour)
    regulator_tour(tour)
    for role in ("reviewer", "agency", "enterprise", "supervisor"):
        tour.sign_in(f"{role}@example.com")
        tour.shoot(f"workspace-{role}")
        tour.sign_out()
    english_home(tour)


def admin_tour(tour: Tour) -> None:
    """The administrator's workspace and account pages, making a few real changes."""
    tour.sign_in("admin@example.com")
    tour.shoot("workspace-admin")
    tour.click("nav a[href$='/admin/accounts/']")
    tour.shoot("admin-accounts")
    create_newcomer(tour)
    change_role(tour, "zhoumin@example.com", "reviewer")
    tour.click("main a[href*='object_type=account']")
    tour.shoot("admin-account-history")
    disable_account(tour, "zhaolei@example.com")
    open_account(tour, "liqiang@example.com")
    tour.click("main a[href$='/password']")
    tour.shoot("admin-temporary-password")
    tour.sign_out()


def create_newcomer(tour: Tour) -> None:
    """Fill in the new-account form, then show the new account's page."""
    tour.click("main a[href$='/admin/accounts/new']")
    email, name, role = NEWCOMER
    tour.fill(email=email, display_name=name)
    tour.page.select_option("select[name=role]", role)
    tour.fill(new_password=NEWCOMER_TEMPORARY, confirm=NEWCOMER_TEMPORARY)
    tour.shoot("admin-new-account")
    tour.click("main form button[type=submit]")
    tour.shoot("admin-account-edit")


def change_role(tour: Tour, email: str, role: str) -> None:
    """Open an account from the list and save it with another role."""
    open_account(tour, email)
    tour.page.select_option("select[name=role]", role)
    tour.click("main form:has(select[name=role]) button[type=submit]")


def disable_account(tour: Tour, email: str) -> None:
    """Open an account, show the disable confirmation, and confirm it."""
    open_account(tour, email)
    tour.click("main a[href$='/disable']")
    tour.shoot("admin-disable-confirm")
    tour.click("main form button[type=submit]")


def open_account(tour: Tour, email: str) -> None:
    """Go to the accounts list through the navbar and open one account."""
    tour.click("nav a[href$='/admin/accounts/']")
    tour.click(f"main table a:text-is('{email}')")


def first_sign_in(tour: Tour) -> None:
    """The newcomer signs in with the temporary password and must choose their own."""
    tour.sign_in(NEWCOMER[0], NEWCOMER_TEMPORARY)
    tour.expect_path("/account/password")
    tour.shoot("first-sign-in")
    tour.fill(current_password=NEWCOMER_TEMPORARY, new_password=NEWCOMER_OWN, confirm=NEWCOMER_OWN)
    tour.click("main form button[type=submit]")
    tour.expect_path("/workspace")
    tour.sign_out()


def regulator_tour(tour: Tour) -> None:
    """The regulator's workspace, the audit log, one event, and the password page."""
    mistype_password(tour, "regulator@example.com")
    tour.sign_in("regulator@example.com")
    tour.shoot("workspace-regulator")
    tour.click("nav a[href$='/audit/']")
    tour.shoot("audit-log", full_page=True)
    filter_audit_log(tour, "account.login")
    tour.shoot("audit-log-filtered")
    filter_audit_log(tour, "account.role_changed")
    tour.click("main table tbody tr:first-child a")
    tour.shoot("audit-event")
    tour.page.click("#account-menu")
    tour.click("nav a.dropdown-item[href$='/account/password']")
    tour.shoot("change-password")
    tour.sign_out()


def mistype_password(tour: Tour, email: str) -> None:
    """Try a wrong password once: refused, and recorded in the audit log."""
    tour.open("/login")
    tour.fill(email=email, password=MISTYPED)
    tour.click("main form button[type=submit]")
    tour.expect_path("/login")


def filter_audit_log(tour: Tour, action: str) -> None:
    """Choose one action in the audit log's filter and apply it."""
    tour.page.select_option("select[name=action]", action)
    tour.click("main form[method=get] button[type=submit]")


def english_home(tour: Tour) -> None:
    """Switch the home page to English with the navbar's language buttons."""
    tour.open("/")
    tour.click("nav button[name=language][value=en]")
    tour.shoot("home-en")


def phone_tour(tour: Tour) -> None:
    """The phone-sized navigation menu, and a workspace on a phone."""
    tour.open("/")
    tour.page.click("button.navbar-toggler")
    tour.page.wait_for_selector("#nav-main.collapse.show")
    tour.shoot("phone-menu")
    tour.sign_in("agency@example.com")
    tour.shoot("phone-workspace-agency")


if __name__ == "__main__":
    sys.exit(main())
