"""An agency registers, a regulator verifies it, the agency publishes a fee and changes it;
the public profile shows the fee in force and keeps the old one in the history."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from registry.dates import local_today
from tests.browser.test_journey import sign_in

CODE = "91350100M000100Y43"
PASSWORD = "river lantern 7 ochre"


def test_agency_registers_is_verified_and_publishes_a_fee(
    app, live_server, screen, make_service_item
):
    with app.app_context():
        item = make_service_item(code="CH-01", name="地形图测绘", statutory_days=15)
    page = screen
    page.goto(live_server + "/register/agency")
    page.get_by_label("您的姓名").fill("王经理")
    page.get_by_label("您的邮箱").fill("wang@agency.example")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("统一社会信用代码").fill(CODE.lower())
    page.get_by_label("机构名称").fill("江阴华澄测绘有限公司")
    page.get_by_label("机构类别").select_option("surveying")
    page.get_by_label("所在镇街").select_option("江阴市|澄江街道")
    page.get_by_label("地址").fill("江阴市人民东路1号")
    page.get_by_label("法定代表人").fill("李华")
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("联系电话").fill("0510-86000001")
    page.locator("main").get_by_role("button", name="注册").click()
    expect(page.get_by_text("等待监管人员审核")).to_be_visible()

    # Each person starts afresh (signing out through the menus is test_journey's part).
    page.context.clear_cookies()

    sign_in(page, live_server, "regulator@example.com")
    page.goto(live_server + "/regulator/agencies/queue")
    page.get_by_role("link", name=re.compile("江阴华澄测绘有限公司")).click()
    page.get_by_role("link", name="审核通过").click()
    page.locator("main").get_by_role("button", name="审核通过").click()
    expect(page.get_by_test_id("agency-status")).to_have_text("正常")
    page.context.clear_cookies()

    page.goto(live_server + "/login")
    page.get_by_label("邮箱").fill("wang@agency.example")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.goto(live_server + "/my/agency/fees")
    page.get_by_label("服务事项").select_option(str(item.id))
    page.get_by_label("最低收费（元）").fill("800")
    page.get_by_label("最高收费（元）").fill("1200")
    page.get_by_label("收费依据").fill("按《测绘生产成本费用定额》计费")
    page.get_by_label("承诺办理时限（工作日）").fill("10")
    page.locator("#fee-form").get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布")).to_be_visible()

    later = (local_today() + timedelta(days=3)).isoformat()
    page.get_by_label("最高收费（元）").fill("1500")
    page.get_by_label("最低收费（元）").fill("900")
    page.get_by_label("收费依据").fill("按《测绘生产成本费用定额》计费")
    page.get_by_label("承诺办理时限（工作日）").fill("8")
    page.get_by_label("生效日期").fill(later)
    page.locator("#fee-form").get_by_role("button", name="发布").click()

    page.goto(live_server + f"/agencies/{CODE}")
    offer = page.get_by_test_id("offer")
    expect(offer).to_contain_text("地形图测绘")
    expect(offer.get_by_test_id("fee")).to_contain_text("1,200.00")
    offer.get_by_text("收费历史").click()
    expect(offer).to_contain_text("1,500.00")
