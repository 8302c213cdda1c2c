import pytest
from sqlalchemy import select

from registry.accounts.models import Account
from registry.audit.models import AuditEvent
from registry.db import db
from tests.conftest import PASSWORD, post_form

NEW = {
    "email": "Li.Na@Example.org",
    "display_name": "李娜",
    "role": "regulator",
    "new_password": "amber meadow 2026 tide",
    "confirm": "amber meadow 2026 tide",
}


def account_by_email(email):
    db.session.expire_all()
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one_or_none()


def last_event():
    return db.session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()


def test_admin_creates_an_account_with_a_temporary_password(client, login_as, auth):
    admin = login_as("admin")
    response = post_form(client, "/admin/accounts/new", NEW)
    assert response.status_code == 302
    created = account_by_email("li.na@example.org")
    assert (created.role, created.display_name, created.must_change_password) == (
        "regulator",
        "李娜",
        True,
    )
    event = last_event()
    assert (event.action, event.actor_id, event.object_id) == (
        "account.created",
        admin.id,
        str(created.id),
    )
    auth.logout()
    response = auth.login("li.na@example.org", "amber meadow 2026 tide")
    assert response.headers["Location"] == "/account/password"


def test_duplicate_email_is_refused_and_the_form_kept(client, login_as, make_account):
    make_account("agency", email="li.na@example.org")
    login_as("admin")
    response = post_form(client, "/admin/accounts/new", NEW)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "该邮箱已被其他账号使用" in page
    assert "李娜" in page, "what the admin typed is still there"


def test_weak_temporary_password_creates_nothing(client, login_as):
    login_as("admin")
    post_form(client, "/admin/accounts/new", {**NEW, "new_password": "short", "confirm": "short"})
    assert account_by_email("li.na@example.org") is None


def test_unknown_role_is_refused(client, login_as):
    login_as("admin")
    response = post_form(client, "/admin/accounts/new", {**NEW, "role": "superuser"})
    assert response.status_code == 200
    assert account_by_email("li.na@example.org") is None


def test_role_change_is_recorded_and_signs_the_account_out(app, client, login_as, make_account):
    target = make_account("regulator")
    their_device = app.test_client()
    post_form(their_device, "/login", {"email": target.email, "password": PASSWORD})
    login_as("admin")
    response = post_form(
        client,
        f"/admin/accounts/{target.id}",
        {"display_name": target.display_name, "role": "reviewer"},
    )
    assert response.status_code == 302
    assert account_by_email(target.email).role == "reviewer"
    event = last_event()
    assert (event.action, event.details) == (
        "account.role_changed",
        {"from": "regulator", "to": "reviewer"},
    )
    assert their_device.get("/workspace").status_code == 302


def test_disabling_asks_for_confirmation_then_signs_the_account_out(
    app, client, login_as, make_account
):
    target = make_account("agency")
    their_device = app.test_client()
    post_form(their_device, "/login", {"email": target.email, "password": PASSWORD})
    login_as("admin")
    confirm_page = client.get(f"/admin/accounts/{target.id}/disable")
    assert confirm_page.status_code == 200
    assert account_by_email(target.email).active, "opening the page changes nothing"
    post_form(client, f"/admin/accounts/{target.id}/disable")
    assert not account_by_email(target.email).active
    assert their_device.get("/workspace").status_code == 302
    assert last_event().action == "account.disabled"
    post_form(client, f"/admin/accounts/{target.id}/enable")
    assert account_by_email(target.email).active
    assert last_event().action == "account.enabled"


def test_admin_cannot_disable_themselves(client, login_as):
    admin = login_as("admin")
    response = post_form(client, f"/admin/accounts/{admin.id}/disable", follow_redirects=True)
    assert "不能停用您自己的账号" in response.get_data(as_text=True)
    assert account_by_email(admin.email).active


def test_admin_cannot_demote_themselves(client, login_as, make_account):
    admin = login_as("admin")
    make_account("admin")
    response = post_form(
        client,
        f"/admin/accounts/{admin.id}",
        {"display_name": admin.display_name, "role": "regulator"},
    )
    assert "不能取消您自己的系统管理员角色" in response.get_data(as_text=True)
    assert account_by_email(admin.email).role == "admin"


def test_the_last_active_admin_cannot_be_disabled(app, client, login_as, make_account):
    other_admin = make_account("admin")
    login_as("admin")
    post_form(client, f"/admin/accounts/{other_admin.id}/disable")
    assert not account_by_email(other_admin.email).active
    # Now only the signed-in admin remains; disabling others is fine, but demoting the
    # remaining one through another admin is not possible because there is none.
    from registry.accounts import services
    from registry.accounts.permissions import SYSTEM

    me = db.session.execute(
        select(Account).where(Account.role == "admin", Account.active.is_(True))
    ).scalar_one()
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(services.AccountError, match="At least one active administrator"),
    ):
        services.set_account_active(SYSTEM, me, False)


def test_admin_sets_a_temporary_password(client, login_as, make_account, auth):
    target = make_account("enterprise")
    login_as("admin")
    post_form(
        client,
        f"/admin/accounts/{target.id}/password",
        {"new_password": "copper willow 88 dawn", "confirm": "copper willow 88 dawn"},
    )
    assert last_event().action == "account.password_reset"
    auth.logout()
    response = auth.login(target.email, "copper willow 88 dawn")
    assert response.headers["Location"] == "/account/password"


def test_account_list_filters_by_role_and_text(client, login_as, make_account):
    make_account("agency", email="zhang@agency.example", name="张三")
    make_account("enterprise", email="li@firm.example", name="李四")
    login_as("admin")
    page = client.get("/admin/accounts/?role=agency").get_data(as_text=True)
    assert "zhang@agency.example" in page
    assert "li@firm.example" not in page
    page = client.get("/admin/accounts/?q=李").get_data(as_text=True)
    assert "li@firm.example" in page
    assert "zhang@agency.example" not in page
    page = client.get("/admin/accounts/?q=%25").get_data(as_text=True)
    assert "zhang@agency.example" not in page, "% is matched literally"


def test_account_list_is_paginated(app, client, login_as, make_account):
    app.config["PAGE_SIZE"] = 3
    for _ in range(7):
        make_account("enterprise")
    login_as("admin")
    page = client.get("/admin/accounts/?page=3").get_data(as_text=True)
    assert page.count("/admin/accounts/") >= 1
    assert "共 8 个" in page or "8" in page


def test_cli_creates_an_account(runner):
    result = runner.invoke(
        args=[
            "accounts",
            "create",
            "ops@example.org",
            "--role",
            "admin",
            "--password",
            "granite harbour 42 fog",
        ]
    )
    assert result.exit_code == 0, result.output
    created = account_by_email("ops@example.org")
    assert created.role == "admin"
    assert last_event().actor_label == "system"


def test_cli_refuses_a_weak_password_and_creates_nothing(runner):
    result = runner.invoke(
        args=["accounts", "create", "ops@example.org", "--role", "admin", "--password", "password"]
    )
    assert result.exit_code != 0
    assert account_by_email("ops@example.org") is None


def test_cli_lists_accounts(runner, make_account):
    make_account("agency", email="listed@example.org")
    result = runner.invoke(args=["accounts", "list"])
    assert "listed@example.org\tagency\tactive" in result.output
