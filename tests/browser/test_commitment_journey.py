"""An agency signs the commitment letter, anyone verifies the receipt; a regulator publishes a
version requiring re-signing, the old signature is superseded after the grace period, and
the agency signs again."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from registry import dates
from registry.accounts.models import Account
from registry.commitments import services
from registry.commitments.services import TemplateDetails
from registry.db import db
from tests.browser.test_journey import PASSWORD, sign_in

START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def moved_clock(monkeypatch):
    """The registry's clock, shared with the live server's thread; tests move it."""
    moments = {"now": START}
    monkeypatch.setattr(dates, "now", lambda: moments["now"])
    return moments


def first_version(app, make_account, make_agency):
    with app.app_context():
        regulator = make_account("regulator")
        staff = db.session.scalars(select(Account).where(Account.email == "agency@example.com"))
        make_agency("active", name="江阴澄信测绘有限公司", users=[staff.one()])
        template = services.draft_template(
            regulator,
            TemplateDetails(
                title_zh="中介机构服务承诺书",
                title_en="Commitment letter",
                body_zh="一、严格执行公示的收费标准。\n二、在承诺时限内完成服务。",
                body_en="1. We charge the published fees.\n2. We finish on time.",
                validity_months=12,
                requires_resigning=False,
                grace_days=30,
            ),
        )
        services.publish_template(regulator, template)
        db.session.commit()


def sign_letter(page, base):
    page.goto(base + "/my/agency/commitment")
    expect(page.get_by_test_id("letter-text")).to_contain_text("严格执行公示的收费标准")
    page.get_by_label("您的姓名").fill("王承诺")
    page.get_by_label("您在机构中的职务").fill("总经理")
    page.get_by_label("我已阅读上述承诺书，并代表本机构签署。").check()
    page.get_by_label("您的密码（确认本人操作）").fill(PASSWORD)
    page.get_by_role("button", name="签署承诺书").click()
    expect(page.get_by_text("签署成功")).to_be_visible()
    return page.get_by_test_id("receipt-code").first.inner_text()


def test_agency_signs_receipt_verifies_and_re_signs_after_a_new_version(
    app, live_server, screen, make_account, make_agency, moved_clock
):
    first_version(app, make_account, make_agency)
    page = screen
    sign_in(page, live_server, "agency@example.com")
    receipt = sign_letter(page, live_server)
    expect(page.get_by_test_id("receipt-genuine")).to_have_attribute("data-genuine", "yes")

    # Anyone, signed out, verifies the receipt by its code from the footer's page.
    stranger = page.context.browser.new_context(locale="zh-CN", viewport=page.viewport_size)
    public = stranger.new_page()
    public.goto(live_server + "/verify")
    public.get_by_role("textbox", name="回执编号").fill(receipt.lower())
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_test_id("receipt-genuine")).to_have_attribute("data-genuine", "yes")
    expect(public.get_by_test_id("commitment-status")).to_have_attribute("data-status", "valid")
    payload = public.get_by_test_id("payload").inner_text()
    signature = public.get_by_test_id("signature").inner_text()
    public.goto(live_server + "/verify")
    public.get_by_label("签名数据原文（花括号内的文本，原样粘贴）").fill(
        payload.replace("王承诺", "李冒名")
    )
    public.get_by_label("签名（base64）").fill(signature)
    public.get_by_role("button", name="核验", exact=True).click()
    expect(public.get_by_test_id("check-result")).to_have_attribute("data-genuine", "no")

    # A regulator publishes version 2, requiring re-signing within 10 days.
    # Signing out through the menu is tested elsewhere; here the next person starts afresh.
    page.context.clear_cookies()
    sign_in(page, live_server, "regulator@example.com")
    page.goto(live_server + "/regulator/commitments/templates")
    page.get_by_role("link", name="拟定新版本").click()
    page.get_by_label("正文（中文）").fill("一、严格执行公示的收费标准。\n二、不弄虚作假。")
    page.get_by_label("宽限期（天）").fill("10")
    page.get_by_label("持有旧版本签署的机构须重新签署").check()
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("link", name="发布…").click()
    page.locator("main").get_by_role("button", name="发布").click()
    expect(page.get_by_text("第 2 版已发布。")).to_be_visible()

    # Eleven days later the grace period is over: the first receipt is superseded.
    moved_clock["now"] = START + timedelta(days=11)
    public.goto(live_server + f"/commitments/{receipt}")
    expect(public.get_by_test_id("commitment-status")).to_have_attribute(
        "data-status", "superseded"
    )
    stranger.close()

    page.context.clear_cookies()
    sign_in(page, live_server, "agency@example.com")
    page.goto(live_server + "/my/agency/commitment")
    expect(page.get_by_test_id("commitment-status").first).to_have_attribute(
        "data-status", "superseded"
    )
    second = sign_letter(page, live_server)
    assert second != receipt
    page.goto(live_server + "/my/agency/commitment")
    expect(page.get_by_test_id("commitment-status").first).to_have_attribute("data-status", "valid")
    expect(page.get_by_text(re.compile("无需再次签署"))).to_be_visible()
