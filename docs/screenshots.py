"""Take the guides' screenshots: a throwaway demo registry, driven through Chromium.

Run from the repository root as `.venv/bin/python docs/screenshots.py` (`make screenshots`).
Signed-in pages are reached as a user reaches them: through links, forms and the navbar.
Selectors use names, values and URLs, never visible text, so they hold in any language.
Any error page, failed form, script error, console error or CSP violation stops the run
with a non-zero exit.
"""

import logging
import os
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import flask_migrate
from flask import Flask, current_app
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlalchemy import func, select
from stdnum.cn import uscc
from werkzeug.serving import make_server

from registry import create_app
from registry.accounts import services
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.agencies.categories import AgencyStatus
from registry.agencies.credit_code import ALPHABET
from registry.agencies.models import Agency, Enterprise, FeeCap, FeeSchedule, ServiceItem
from registry.agents.models import TownAgent
from registry.config import DEFAULTS, PROJECT_ROOT
from registry.dates import local_today
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
    "--lang=zh-CN",
]
# Chromium's own widgets (date inputs, file buttons) in Chinese: headless Chromium follows
# LANGUAGE, given its Chinese resources (Debian's chromium-l10n package).
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN"}
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

# People who register themselves during the tour: (email, name, password).
REGISTRANT = ("wuting@example.com", "吴婷", "Wangjiang-survey-2026")
AGENCY_COLLEAGUE = ("qianwei@example.com", "钱伟", "Approval-desk-Chengjiang-7")
ENTERPRISE_COLLEAGUE = ("sunhao@example.com", "孙浩", "Precision-lathe-Chengxing-5")
# The registrant's agency: its details as typed into the registration form.
NEW_AGENCY = {
    "name": "江阴市望江测绘有限公司",
    "address": "江阴市澄江街道人民东路218号5幢302室",
    "legal_representative": "吴建国",
    "contact_person": "吴婷",
    "phone": "0510-86281234",
    "agency_email": "wangjiang@example.com",
    "business_scope": "工程测量；不动产测绘；地理信息系统工程；房产面积测算",
}
NEW_AGENCY_CHOICES = {"category": "surveying", "region": "江阴市|澄江街道"}
QUALIFICATION = {
    "qualifications-0-name": "测绘资质证书",
    "qualifications-0-level": "乙级",
    "qualifications-0-number": "乙测资字32500318",
    "qualifications-0-issuer": "江苏省自然资源厅",
    "qualifications-0-valid_from": "2024-03-01",
    "qualifications-0-valid_until": "2029-02-28",
}
# A scan is checked by its first bytes only; a one-page PDF stands in for a real one.
SCAN = {
    "name": "测绘资质证书.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
}
# A genuine-looking code whose 18th character is wrong: the registrant claims it is genuine.
CODE_BODY = "91320281MA1X7Q3K5"
CODE_EXCEPTION_REASON = (
    "已核对营业执照原件及国家企业信用信息公示系统，该代码真实有效，校验位系发证机关赋码所致。"
)
REJECTION_REASON = "营业执照所载住所与填报地址不一致，请核实后更正地址并重新提交。"
CORRECTED_ADDRESS = "江阴市澄江街道人民东路218号5幢305室"
SUSPENSION_REASON = (
    "经投诉核查，该机构在房屋面积测算服务中超出公示收费标准收费，责令暂停执业整改三个月。"
)
ENGAGEMENT_PROJECT = "新厂房建设工程规划放线测量"
EXTENSION_JUSTIFICATION = "现场放线受连续降雨影响，需待场地积水排除后复测，申请延长5个工作日。"
COMPLAINT_TEXT = "公示收费最高1200元，实际收取2000元，另收“加急费”800元且未出具收费明细。"
EVALUATION_REMARKS = "办事指南公开完整，收费与公示一致；个别项目出件时间偏长，建议加强进度告知。"
INSPECTION_FINDINGS = "1. 收费公示与实际收费一致；\n2. 两份报告未按规定归档，已责令限期整改。"
OBJECTION_STATEMENT = "涉事报告数据系委托方提供，我方已复核更正并重新出具报告，请求不予列入黑名单。"
DECISION_NUMBER = "澄审信黑〔2026〕7号"
DECISION_REASONS = "经复核，该机构出具报告数据与现场不符事实清楚，异议理由不成立，决定列入黑名单。"
FEE_CHANGE_BASIS = "按《江阴市企业投资项目代办服务收费指引》，以项目审批环节数计费，含全程跟踪服务"


class ScreenshotError(RuntimeError):
    """A page did not look the way a screenshot needs it to."""


@dataclass(frozen=True)
class FeeChange:
    """A change of one of the demo agency's fees, within its cap and statutory limit."""

    item_id: int
    fee_min: int
    fee_max: int
    promised_days: int


@dataclass(frozen=True)
class Picks:
    """The demo rows the tour shows, chosen by query so that each picture has something to say."""

    profile_code: str  # an active agency whose fees have a history
    service_code: str  # a government-guided item whose cap changed, offered by many agencies
    suspend_code: str  # an active agency, for the suspension page
    agency_code: str  # the agency agency@example.com acts for
    agency_name: str
    enterprise_code: str  # the enterprise enterprise@example.com acts for
    enterprise_name: str
    agent_id: int  # an active town agent with current training and several records
    agent_name: str
    fee_change: FeeChange


def main() -> int:
    """Build the demo app, serve it, take every screenshot and print how many."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    require_compiled_catalogues()
    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(Path(tmp))
        with app.app_context():
            picks = pick_demo_rows()
        with serving(app) as base:
            taken = take_all(base, picks)
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
    """A migrated app in `tmp` holding the demo accounts and data, and a few more people."""
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
        run_command(app, "demo", "accounts")
        run_command(app, "demo", "load")
        add_people()
    return app


def run_command(app: Flask, *args: str) -> None:
    """Run a flask command as an operator would; fail on a non-zero exit."""
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise ScreenshotError(f"flask {' '.join(args)} failed: {result.output}")


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


# --- choosing the demo rows to show -----------------------------------------------------------


def pick_demo_rows() -> Picks:
    """Query the demo data for the agencies, item and agent the pictures show."""
    agency = account_of("agency@example.com").agency
    enterprise = db.session.get(Enterprise, account_of("enterprise@example.com").enterprise_id)
    profile_code = agency_with_fee_history()
    agent = agent_with_current_training()
    return Picks(
        profile_code=profile_code,
        service_code=item_with_cap_history(),
        suspend_code=other_active_agency({agency.credit_code, profile_code}),
        agency_code=agency.credit_code,
        agency_name=agency.name,
        enterprise_code=enterprise.credit_code,
        enterprise_name=enterprise.name,
        agent_id=agent.id,
        agent_name=agent.name,
        fee_change=fee_change_for(agency),
    )


def account_of(email: str) -> Account:
    """A demo account, which must exist."""
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one()


def first(query):
    """The first value of a query, which must have one."""
    value = db.session.execute(query.limit(1)).scalar()
    if value is None:
        raise ScreenshotError(f"the demo data has no row for: {query}")
    return value


def agency_with_fee_history() -> str:
    """The credit code of the active agency with a changed fee that offers the most services."""
    changed = select(FeeSchedule.agency_id).where(FeeSchedule.effective_to.is_not(None))
    return first(
        select(Agency.credit_code)
        .join(FeeSchedule, FeeSchedule.agency_id == Agency.id)
        .where(Agency.status == AgencyStatus.ACTIVE, Agency.id.in_(changed))
        .group_by(Agency.id)
        .order_by(func.count(FeeSchedule.id).desc(), Agency.credit_code)
    )


def item_with_cap_history() -> str:
    """The code of the government-guided item with several caps that most agencies offer."""
    capped = (
        select(FeeCap.service_item_id)
        .group_by(FeeCap.service_item_id)
        .having(func.count(FeeCap.id) > 1)
    )
    return first(
        select(ServiceItem.code)
        .join(FeeSchedule, FeeSchedule.service_item_id == ServiceItem.id)
        .where(ServiceItem.id.in_(capped), FeeSchedule.effective_to.is_(None))
        .group_by(ServiceItem.id)
        .order_by(func.count(FeeSchedule.id).desc(), ServiceItem.code)
    )


def other_active_agency(shown: set[str]) -> str:
    """An active agency not shown elsewhere, for the suspension page."""
    return first(
        select(Agency.credit_code)
        .where(Agency.status == AgencyStatus.ACTIVE, Agency.credit_code.not_in(shown))
        .order_by(Agency.name_normalised)
    )


def agent_with_current_training() -> TownAgent:
    """The active town agent with current training who has the most training records."""
    months = current_app.config["AGENT_TRAINING_VALID_MONTHS"]
    agents = db.session.execute(
        select(TownAgent).where(TownAgent.active.is_(True)).order_by(TownAgent.id)
    ).scalars()
    trained = [agent for agent in agents if agent.training_current_on(local_today(), months)]
    if not trained:
        raise ScreenshotError("no demo town agent has current training")
    return max(trained, key=lambda agent: len(agent.trainings))


def fee_change_for(agency: Agency) -> FeeChange:
    """A lower fee and a shorter time for the agency's first offer, within the rules."""
    offer = (
        db.session.execute(
            select(FeeSchedule)
            .where(FeeSchedule.agency_id == agency.id, FeeSchedule.effective_to.is_(None))
            .order_by(FeeSchedule.service_item_id)
        )
        .scalars()
        .first()
    )
    if offer is None:
        raise ScreenshotError(f"{agency.name} publishes no fee")
    highest = int(offer.fee_max) * 95 // 100
    cap = offer.service_item.cap_in_force_on(local_today())
    if cap is not None:
        highest = min(highest, int(cap.cap))
    return FeeChange(
        item_id=offer.service_item_id,
        fee_min=in_hundreds(highest * 80 // 100),
        fee_max=in_hundreds(highest),
        promised_days=max(1, offer.promised_days - 2),
    )


def in_hundreds(yuan: int) -> int:
    """Rounded down to whole hundreds of yuan, as price lists are written."""
    return yuan - yuan % 100


def failing_credit_code() -> str:
    """CODE_BODY with a check character one step off the right one."""
    right = uscc.calc_check_digit(CODE_BODY)
    return CODE_BODY + ALPHABET[(ALPHABET.index(right) + 1) % len(ALPHABET)]


# --- serving and the browser ------------------------------------------------------------------


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


def take_all(base: str, picks: Picks) -> list[str]:
    """Walk through the registry as each kind of user, at a desktop and a phone size."""
    taken: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
        )
        try:
            with touring(browser, base, taken, phone=False) as tour:
                desktop_tour(tour, picks)
            with touring(browser, base, taken, phone=True) as tour:
                phone_tour(tour, picks)
        finally:
            browser.close()
    return taken


@contextmanager
def touring(browser: Browser, base: str, taken: list[str], *, phone: bool):
    """A fresh Chinese-speaking browser that fails loudly on script and console errors."""
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
    )
    tour = Tour(context.new_page(), base, taken)
    try:
        yield tour
    finally:
        context.close()
    if tour.problems:
        raise ScreenshotError("; ".join(tour.problems))


class Tour:
    """One browser page on the served app, with the moves a user makes and a camera."""

    def __init__(self, page: Page, base: str, taken: list[str]):
        self.page = page
        self.base = base
        self.taken = taken
        self.problems: list[str] = []
        self.refusals: set[tuple[str, int]] = set()  # (URL, status) provoked on purpose
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self.note_console_error)

    def note_console_error(self, message: ConsoleMessage) -> None:
        """Keep console errors (a CSP violation, a failed request) but deliberate refusals."""
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if any(
            url == where and f"status of {status}" in message.text
            for where, status in self.refusals
        ):
            return
        kind = "CSP violation" if "Content Security Policy" in message.text else "console error"
        self.problems.append(f"{kind}: {message.text} ({url})")

    def open(self, path: str) -> None:
        """Go to a path of the app and insist on a successful answer."""
        response = self.page.goto(self.base + path)
        if response is None or not response.ok:
            status = response.status if response else "no response"
            raise ScreenshotError(f"{path} answered {status}")

    def click(self, selector: str, *, status: int | None = None) -> None:
        """Click a link or a form's button and wait for the answer: a success, or `status`
        from a form that posts to its own page (a refusal provoked on purpose)."""
        if status:
            self.refusals.add((self.page.url, status))
        self.open_menu_holding(selector)
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        response = navigation.value
        if response is None:
            return
        if (response.status != status) if status else not response.ok:
            raise ScreenshotError(f"{selector} led to {response.url}: {response.status}")

    def open_menu_holding(self, selector: str) -> None:
        """Open the navbar menu that holds the link, as a user would, if it is closed."""
        target = self.page.locator(selector).first
        menu = target.locator("xpath=ancestor::li[contains(@class, 'dropdown')]")
        if menu.count() and not target.is_visible():
            menu.locator("[data-bs-toggle=dropdown]").first.click()

    def fill(self, fields: dict[str, str] | None = None, **named: str) -> None:
        """Type into the inputs and text areas with these names (in the page's main part)."""
        for name, value in {**(fields or {}), **named}.items():
            self.page.fill(f'main [name="{name}"]', value)

    def choose(self, **choices: str) -> None:
        """Pick an option, by value, in the selects with these names."""
        for name, value in choices.items():
            self.page.select_option(f'main select[name="{name}"]', value)

    def submit(self, selector: str, expect: str) -> None:
        """Send a form and insist it was accepted: no invalid field, no refusal, on `expect`."""
        self.click(selector)
        refused = self.page.locator("main .is-invalid, main .alert-danger[role=alert]")
        if refused.count():
            raise ScreenshotError(f"form refused on {self.page.url}: {refused.first.inner_text()}")
        self.expect_path(expect)

    def path(self) -> str:
        """The path of the page the browser is on."""
        return urlsplit(self.page.url).path

    def expect_path(self, path: str) -> None:
        """Insist that the browser is on `path`."""
        if self.path() != path:
            raise ScreenshotError(f"expected {path}, got {self.page.url}")

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the login form."""
        self.open("/login")
        self.fill(email=email, password=password)
        self.click("main form button[type=submit]")
        if self.path() == "/login":
            raise ScreenshotError(f"could not sign in as {email}")

    def sign_out(self) -> None:
        """Sign out through the account dropdown in the navbar."""
        self.page.click("#account-menu")
        self.click("nav form[action$='/logout'] button[type=submit]")
        self.expect_path("/")

    def unfold(self, selector: str) -> None:
        """Open a <details> element by clicking its summary."""
        self.page.click(f"{selector} > summary")
        if not self.page.locator(selector).first.evaluate("element => element.open"):
            raise ScreenshotError(f"{selector} did not open")

    def shoot(self, name: str, *, full_page: bool = False) -> None:
        """Save the page as screenshots/<name>.png, unless it is an error page."""
        if self.page.locator("[data-error-message]").count():
            raise ScreenshotError(f"{name}: {self.page.url} is an error page")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.page.mouse.move(0, 0)
        partial = OUTPUT / f"{name}.png.tmp"
        self.page.screenshot(
            path=partial, type="png", full_page=full_page, animations="disabled", caret="hide"
        )
        partial.replace(OUTPUT / f"{name}.png")
        self.taken.append(name)
        print(f"  {name}.png  {self.page.url.removeprefix(self.base)}")


# --- the desktop tour -----------------------------------------------------------------------


def desktop_tour(tour: Tour, picks: Picks) -> None:
    """Every desktop screenshot, in the order a reader of the guides meets them."""
    tour.open("/")
    tour.shoot("home")
    tour.open("/login")
    tour.shoot("login")
    public_tour(tour, picks)
    register_agency(tour)
    ask_to_join_agency(tour, picks)
    ask_to_join_enterprise(tour, picks)
    admin_tour(tour)
    first_sign_in(tour)
    regulator_tour(tour, picks)
    overrides_and_methodology_tour(tour, picks)
    registrant_tour(tour)
    agency_tour(tour, picks)
    enterprise_tour(tour)
    evidence_tour(tour, picks)
    blacklist_tour(tour)
    statistics_tour(tour, picks)
    supervision_tour(tour, picks)
    for role in ("reviewer", "supervisor"):
        tour.sign_in(f"{role}@example.com")
        tour.shoot(f"workspace-{role}")
        tour.sign_out()
    english_home(tour)


def public_tour(tour: Tour, picks: Picks) -> None:
    """What anyone can read: a search, the catalogue, one item, a profile, the town agents."""
    tour.open("/?q=%E6%B5%8B%E7%BB%98")
    tour.shoot("search")
    tour.open("/?q=jy&category=surveying")
    tour.shoot("search-initials")
    tour.open("/")
    tour.click("main a[href$='/services']")
    tour.shoot("catalogue")
    tour.click(f"main a[href$='/services/{picks.service_code}']")
    tour.shoot("service-item", full_page=True)
    tour.open(f"/agencies/{picks.profile_code}")
    tour.unfold("article[data-testid=offer] details.mt-1")
    tour.shoot("agency-profile", full_page=True)
    tour.open("/")
    tour.click("main a[href$='/agents']")
    tour.shoot("agents-directory")


def register_agency(tour: Tour) -> None:
    """The registrant registers a new agency, claiming a failing credit code is genuine."""
    email, name, password = REGISTRANT
    open_registration(tour, "agency")
    fill_account(tour, email, name, password)
    tour.fill(credit_code=failing_credit_code())
    tour.page.check("main input[name=code_is_genuine]")
    fill_agency_details(tour, NEW_AGENCY)
    tour.fill(QUALIFICATION)
    tour.page.set_input_files('main input[name="qualifications-0-certificate"]', SCAN)
    tour.shoot("register-agency", full_page=True)
    tour.submit("main form button[type=submit]", expect="/my/agency/")
    tour.shoot("agency-pending")
    tour.sign_out()


def ask_to_join_agency(tour: Tour, picks: Picks) -> None:
    """A colleague registers with the demo agency's credit code: a link request."""
    email, name, password = AGENCY_COLLEAGUE
    open_registration(tour, "agency")
    fill_account(tour, email, name, password)
    tour.fill(credit_code=picks.agency_code)
    fill_agency_details(tour, {**NEW_AGENCY, "name": picks.agency_name})
    tour.submit("main form button[type=submit]", expect="/my/agency/")
    tour.sign_out()


def ask_to_join_enterprise(tour: Tour, picks: Picks) -> None:
    """A colleague registers with the demo enterprise's credit code: a link request."""
    email, name, password = ENTERPRISE_COLLEAGUE
    open_registration(tour, "enterprise")
    fill_account(tour, email, name, password)
    tour.fill(credit_code=picks.enterprise_code, enterprise_name=picks.enterprise_name)
    tour.shoot("register-enterprise")
    tour.submit("main form button[type=submit]", expect="/my/enterprise/")
    tour.sign_out()


def open_registration(tour: Tour, kind: str) -> None:
    """From the navbar's Register button to the agency's or the enterprise's form."""
    tour.open("/")
    tour.click("nav a[href$='/register/']")
    tour.click(f"main a[href$='/register/{kind}']")


def fill_account(tour: Tour, email: str, name: str, password: str) -> None:
    """The registration form's account part."""
    tour.fill(display_name=name, email=email, password=password, confirm=password)


def fill_agency_details(tour: Tour, details: dict[str, str]) -> None:
    """The registration form's agency part."""
    tour.fill(details)
    tour.choose(**NEW_AGENCY_CHOICES)


# --- administrators -----------------------------------------------------------------------


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
    tour.choose(role=role)
    tour.fill(new_password=NEWCOMER_TEMPORARY, confirm=NEWCOMER_TEMPORARY)
    tour.shoot("admin-new-account")
    tour.click("main form button[type=submit]")
    tour.shoot("admin-account-edit")


def change_role(tour: Tour, email: str, role: str) -> None:
    """Open an account from the list and save it with another role."""
    open_account(tour, email)
    tour.choose(role=role)
    tour.click("main form:has(select[name=role]) button[type=submit]")


def disable_account(tour: Tour, email: str) -> None:
    """Open an account, show the disable confirmation, and confirm it."""
    open_account(tour, email)
    tour.click("main a[href$='/disable']")
    tour.shoot("admin-disable-confirm")
    tour.click("main form button[type=submit]")


def open_account(tour: Tour, email: str) -> None:
    """Find one account through the accounts list's search (the demo has many) and open it."""
    tour.click("nav a[href$='/admin/accounts/']")
    tour.fill(q=email)
    tour.click("main form[role=search] button[type=submit]")
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


# --- regulators ---------------------------------------------------------------------------


def regulator_tour(tour: Tour, picks: Picks) -> None:
    """The regulator's workspace, audit log, agencies, catalogue and town agents."""
    mistype_password(tour, "regulator@example.com")
    tour.sign_in("regulator@example.com")
    tour.shoot("workspace-regulator")
    audit_tour(tour)
    review_registration(tour)
    suspension_page(tour, picks)
    catalogue_tour(tour, picks)
    agents_tour(tour, picks)
    commitments_tour(tour)
    tour.sign_out()


def commitments_tour(tour: Tour) -> None:
    """Who signed the commitment letter, the versions, and a new version being written."""
    tour.open("/regulator/commitments/")
    tour.shoot("regulator-commitments")
    tour.click("main a[href$='/regulator/commitments/templates']")
    tour.shoot("regulator-commitment-versions")
    tour.click("main a[href$='/regulator/commitments/templates/new']")
    tour.shoot("regulator-commitment-new", full_page=True)


def overrides_and_methodology_tour(tour: Tour, picks: Picks) -> None:
    """The methodology and the red list; a regulator's override queue and proposal form; a
    reviewer's decision page for the demo's waiting proposal."""
    tour.open("/methodology")
    tour.shoot("methodology", full_page=True)
    tour.open("/red-list")
    tour.shoot("red-list")
    tour.sign_in("regulator@example.com")
    tour.open("/regulator/overrides?show=in_force")
    tour.click("main a[href*='/regulator/overrides/']")
    tour.click("main a[href*='/regulator/agencies/']")
    tour.shoot("override-propose", full_page=True)
    tour.open("/regulator/overrides")
    tour.shoot("regulator-overrides")
    tour.sign_out()
    tour.sign_in("reviewer@example.com")
    tour.open("/regulator/overrides")
    tour.click("main a[href*='/regulator/overrides/']")
    tour.click("main a[href$='/decide']")
    tour.shoot("override-decide", full_page=True)
    tour.sign_out()


def mistype_password(tour: Tour, email: str) -> None:
    """Try a wrong password once: refused, and recorded in the audit log."""
    tour.open("/login")
    tour.fill(email=email, password=MISTYPED)
    tour.click("main form button[type=submit]", status=401)
    tour.expect_path("/login")


def audit_tour(tour: Tour) -> None:
    """The audit log, filtered twice, one event, and the password page."""
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


def filter_audit_log(tour: Tour, action: str) -> None:
    """Choose one action in the audit log's filter and apply it."""
    tour.choose(action=action)
    tour.click("main form[method=get] button[type=submit]")


def review_registration(tour: Tour) -> None:
    """The agency list and queue; the new registration's code accepted, then rejected."""
    tour.click("nav a[href$='/regulator/agencies/']")
    tour.shoot("regulator-agencies")
    tour.click("main a[href$='/regulator/agencies/queue']")
    tour.shoot("regulator-queue", full_page=True)
    find_agency(tour, failing_credit_code())
    tour.shoot("regulator-agency-pending", full_page=True)
    tour.fill(reason=CODE_EXCEPTION_REASON)
    tour.submit("main form[action$='/credit-code-exception'] button", expect=tour.path())
    tour.click("main a[href$='/reject']")
    tour.fill(reason=REJECTION_REASON)
    tour.submit("main form button[type=submit]", expect=tour.path().removesuffix("/reject"))


def find_agency(tour: Tour, credit_code: str) -> None:
    """Search the agency list for a credit code and open the one agency found."""
    tour.click("nav a[href$='/regulator/agencies/']")
    tour.fill(q=credit_code)
    tour.click("main form[method=get] button[type=submit]")
    tour.click("main table tbody tr:only-child a")


def suspension_page(tour: Tour, picks: Picks) -> None:
    """The confirmation page of a suspension, with its reason typed in, then cancelled."""
    find_agency(tour, picks.suspend_code)
    tour.click("main a[href$='/suspend']")
    tour.fill(reason=SUSPENSION_REASON)
    tour.shoot("regulator-suspend")
    tour.click("main form a.btn")


def catalogue_tour(tour: Tour, picks: Picks) -> None:
    """The catalogue as regulators keep it: the list, one item, its fee cap page."""
    tour.click("nav a[href$='/workspace']")
    tour.click("main a[href$='/regulator/catalogue']")
    tour.shoot("regulator-catalogue")
    tour.click(f"main table a[href$='/regulator/catalogue/{picks.service_code}/edit']")
    tour.shoot("regulator-service-item")
    tour.click("main a[href$='/cap']")
    tour.shoot("regulator-fee-cap")


def agents_tour(tour: Tour, picks: Picks) -> None:
    """The town agents as regulators keep them: the list, then one agent's page."""
    tour.click("nav a[href$='/regulator/agents']")
    tour.shoot("regulator-agents")
    tour.fill(name=picks.agent_name)
    tour.click("main form[method=get] button[type=submit]")
    tour.click(f"main table a[href$='/regulator/agents/{picks.agent_id}']")
    tour.shoot("regulator-agent")


# --- agencies and enterprises -------------------------------------------------------------


def registrant_tour(tour: Tour) -> None:
    """The registrant reads the rejection, corrects the address and sends it again."""
    email, _name, password = REGISTRANT
    tour.sign_in(email, password)
    tour.click("nav a[href$='/my/agency/']")
    tour.shoot("agency-rejected")
    tour.click("main .alert a[href$='/my/agency/profile']")
    tour.fill(address=CORRECTED_ADDRESS)
    tour.submit("main form button[type=submit]", expect="/my/agency/")
    tour.click("main a[href$='/my/agency/qualifications']")
    tour.shoot("agency-qualifications")
    tour.sign_out()


def agency_tour(tour: Tour, picks: Picks) -> None:
    """The demo agency's user: workspace, a colleague's request, a fee changed."""
    tour.sign_in("agency@example.com")
    tour.shoot("workspace-agency")
    tour.click("nav a[href$='/my/agency/']")
    tour.shoot("agency-overview")
    tour.submit("main button[name=decision][value=approve]", expect="/my/agency/")
    change_fee(tour, picks.fee_change)
    tour.unfold("main .card details")
    tour.shoot("agency-fees", full_page=True)
    sign_commitment(tour)
    tour.sign_out()


def sign_commitment(tour: Tour) -> None:
    """Sign the current commitment letter; the receipt, the printable letter, the check."""
    tour.click("main a[href$='/my/agency/commitment']")
    tour.shoot("agency-commitment", full_page=True)
    tour.fill(signer_name="彭辉海", signer_title="法定代表人", password=DEMO_PASSWORD)
    tour.page.check("main [name=consent]")
    tour.click("main form button[type=submit]")
    if not tour.path().startswith("/commitments/"):
        raise ScreenshotError(f"signing did not lead to a receipt: {tour.page.url}")
    tour.shoot("commitment-receipt", full_page=True)
    tour.click("main a[href$='/letter']")
    tour.shoot("commitment-letter", full_page=True)
    tour.open("/verify")
    tour.shoot("verify-receipt")


def change_fee(tour: Tour, change: FeeChange) -> None:
    """Change one offer from today through its Change button and the fee form."""
    tour.click("main a[href$='/my/agency/fees']")
    tour.click(f"main a[href*='item={change.item_id}']")
    tour.fill(
        fee_min=str(change.fee_min),
        fee_max=str(change.fee_max),
        basis=FEE_CHANGE_BASIS,
        promised_days=str(change.promised_days),
    )
    tour.submit("#fee-form button[type=submit]", expect="/my/agency/fees")


def enterprise_tour(tour: Tour) -> None:
    """The demo enterprise's user: workspace, and the enterprise page with a request."""
    tour.sign_in("enterprise@example.com")
    tour.shoot("workspace-enterprise")
    tour.click("nav a[href$='/my/enterprise/']")
    tour.shoot("enterprise-page")
    tour.submit("main button[name=decision][value=approve]", expect="/my/enterprise/")
    tour.sign_out()


def statistics_tour(tour: Tour, picks: Picks) -> None:
    """The public statistics in Chinese and in English, the regulators' statistics at the
    handling-time figure, and the monthly report."""
    tour.open("/statistics")
    shoot_with_charts(tour, "statistics-public")
    tour.click("nav button[name=language][value=en]")
    shoot_with_charts(tour, "statistics-public-en")
    tour.click("nav button[name=language][value=zh_CN]")
    tour.sign_in("regulator@example.com")
    tour.open("/regulator/statistics")
    tour.page.evaluate(
        "() => document.getElementById('handling-time').scrollIntoView({behavior: 'instant'})"
    )
    shoot_with_charts(tour, "regulator-statistics")
    tour.open("/regulator/statistics/report")
    shoot_with_charts(tour, "statistics-report")
    tour.sign_out()


def supervision_tour(tour: Tour, picks: Picks) -> None:
    """The supervision dashboard as a regulator (with the escalation buttons) and as a
    supervisor (read-only), the evaluations per regulator, and a supervisor's evaluation."""
    tour.sign_in("regulator@example.com")
    tour.click("main a[href$='/supervision/']")
    tour.shoot("supervision-regulator")
    tour.click("main a[href$='/supervision/regulators']")
    tour.shoot("supervision-regulators")
    tour.sign_out()
    tour.sign_in("supervisor@example.com")
    tour.click("main a[href$='/supervision/']")
    tour.shoot("supervision-supervisor")
    tour.click("main a[href$='/supervision/regulators']")
    tour.click("main a.btn-outline-primary[href$='/evaluate']")
    tour.page.check("#timeliness-4")
    tour.page.check("#fairness-4")
    tour.fill(remarks="受理和办结均在时限内，办结理由说明了收费核查的依据，处理公正。")
    tour.shoot("supervision-evaluate", full_page=True)
    tour.submit("main form button[type=submit]", "/supervision/regulators")
    tour.sign_out()


def shoot_with_charts(tour: Tour, name: str) -> None:
    """Shoot once the chart images in view have loaded (they load lazily, each from its URL)."""
    tour.page.wait_for_function(
        "() => Array.from(document.querySelectorAll('img[data-testid=chart]'))"
        ".filter(image => image.getBoundingClientRect().top < innerHeight)"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    tour.shoot(name)


# --- evidence of conduct (engagements, draws, reviews, complaints, assessments) -------------


def evidence_tour(tour: Tour, picks: Picks) -> None:
    """Engagements, a fair draw, a review with its reply, complaints, evaluations,
    inspections and the working-day calendar, each seen by the party who uses it."""
    enterprise_evidence(tour, picks)
    agency_evidence(tour)
    tour.open(f"/agencies/{picks.agency_code}")
    reply = tour.page.locator("[data-testid=review]:has([data-testid=review-reply])").first
    reply.scroll_into_view_if_needed()
    tour.shoot("review-with-reply")
    tour.open("/working-days")
    tour.shoot("working-days", full_page=True)
    regulator_evidence(tour)
    tour.sign_in("supervisor@example.com")
    tour.open("/supervisor/agencies")
    tour.shoot("supervisor-agencies")
    tour.click("main a[href$='/evaluation']")
    tour.fill(remarks=EVALUATION_REMARKS)
    tour.shoot("supervisor-evaluate", full_page=True)
    tour.sign_out()


def enterprise_evidence(tour: Tour, picks: Picks) -> None:
    """The enterprise's engagements, an engagement being recorded, a fair draw, a complaint."""
    tour.sign_in("enterprise@example.com")
    tour.click("nav a[href$='/my/enterprise/engagements']")
    tour.shoot("enterprise-engagements", full_page=True)
    tour.open(f"/my/enterprise/engagements/new?agency={picks.agency_code}")
    tour.fill(agreed_fee="1800", project=ENGAGEMENT_PROJECT)
    tour.shoot("engagement-record", full_page=True)
    tour.open("/my/enterprise/engagements")
    tour.click("main a[href$='/my/enterprise/draws/new']")
    tour.shoot("fair-draw-new")
    tour.open("/my/enterprise/engagements")
    tour.click("main a[href^='/draws/']")
    tour.shoot("fair-draw-public", full_page=True)
    tour.open(f"/complaints/new/{picks.agency_code}")
    tour.choose(category="overcharging")
    tour.fill(text=COMPLAINT_TEXT)
    tour.shoot("complaint-file", full_page=True)
    tour.sign_out()


def agency_evidence(tour: Tour) -> None:
    """The agency's engagements, and a request for more time on one still running."""
    tour.sign_in("agency@example.com")
    tour.click("nav a[href$='/my/agency/engagements']")
    tour.shoot("agency-engagements", full_page=True)
    open_first_offering(tour, "/my/agency/engagements?status=open", "main a[href$='/extension']")
    tour.click("main a[href$='/extension']")
    tour.fill(extra_days="5", justification=EXTENSION_JUSTIFICATION)
    tour.shoot("engagement-extension")
    tour.sign_out()


def regulator_evidence(tour: Tour) -> None:
    """The complaint queue and one complaint being handled; inspections; the calendar."""
    tour.sign_in("regulator@example.com")
    tour.click("nav a[href$='/regulator/complaints']")
    tour.shoot("regulator-complaints", full_page=True)
    open_first_offering(
        tour, "/regulator/complaints?status=investigating", "main a[href$='/conclude']"
    )
    tour.shoot("regulator-complaint", full_page=True)
    tour.open("/regulator/inspections")
    tour.shoot("regulator-inspections")
    tour.click("main table a[href*='/regulator/agencies/']")
    tour.click("main a[href$='/inspections/new']")
    tour.fill(findings=INSPECTION_FINDINGS)
    tour.shoot("regulator-inspection-new", full_page=True)
    tour.click("nav a[href$='/regulator/calendar']")
    tour.shoot("regulator-calendar", full_page=True)
    tour.sign_out()


def open_first_offering(tour: Tour, list_path: str, action: str) -> None:
    """Open the rows of a list in turn until one's page offers `action` (a link)."""
    tour.open(list_path)
    rows = tour.page.eval_on_selector_all(
        "main table a[href]", "links => links.map(link => link.getAttribute('href'))"
    )
    for href in dict.fromkeys(rows):
        tour.open(href)
        if tour.page.locator(action).count():
            return
    raise ScreenshotError(f"no row of {list_path} offers {action}")


# --- the blacklist --------------------------------------------------------------------------


def blacklist_tour(tour: Tour) -> None:
    """The public list; the regulators' cases and one case; the agency's objection; a
    reviewer's decision page and a credit-repair application to decide."""
    tour.open("/blacklist")
    tour.shoot("blacklist-public", full_page=True)
    tour.sign_in("regulator@example.com")
    tour.click("nav a[href$='/regulator/blacklist']")
    tour.shoot("regulator-blacklist", full_page=True)
    tour.click("main table a[href*='/regulator/blacklist/']")
    tour.shoot("blacklist-case", full_page=True)
    tour.sign_out()
    tour.sign_in("agency@example.com")
    open_first_offering(tour, "/my/agency/blacklist", "main a[href$='/object']")
    tour.click("main a[href$='/object']")
    tour.fill(statement=OBJECTION_STATEMENT)
    tour.shoot("blacklist-objection", full_page=True)
    tour.sign_out()
    tour.sign_in("reviewer@example.com")
    open_first_offering(
        tour, "/regulator/blacklist?state=objection_filed", "main a[href$='/decide']"
    )
    tour.click("main a[href$='/decide']")
    tour.page.check("main input[name=outcome][value=listed]")
    tour.fill(decision_number=DECISION_NUMBER, reasons=DECISION_REASONS)
    tour.choose(term_years="2")
    tour.shoot("blacklist-decide", full_page=True)
    tour.open("/regulator/blacklist")
    tour.click("main ul a[href*='/regulator/blacklist/']")
    tour.click("main a[href*='/regulator/blacklist/repairs/']")
    tour.shoot("blacklist-repair-decide", full_page=True)
    tour.sign_out()


def english_home(tour: Tour) -> None:
    """Switch the home page to English with the navbar's language button."""
    tour.open("/")
    tour.click("nav button[name=language][value=en]")
    tour.shoot("home-en")


# --- the phone tour -------------------------------------------------------------------------


def phone_tour(tour: Tour, picks: Picks) -> None:
    """The phone-sized navigation menu, an agency's profile and a workspace on a phone."""
    tour.open("/")
    tour.page.click("button.navbar-toggler")
    tour.page.wait_for_selector("#nav-main.collapse.show")
    tour.shoot("phone-menu")
    tour.open(f"/agencies/{picks.profile_code}")
    tour.shoot("phone-agency-profile")
    tour.sign_in("agency@example.com")
    tour.shoot("phone-workspace-agency")


if __name__ == "__main__":
    sys.exit(main())
