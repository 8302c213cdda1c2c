import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.accounts import models
from registry.accounts.models import Account
from registry.audit.models import AuditEvent
from registry.db import db
from tests.conftest import PASSWORD, post_form


def actions_recorded():
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert 'lang="zh-CN"' in page


def test_regulator_signs_in_and_lands_on_workspace(client, auth, make_account):
    account = make_account("regulator", name="王监管")
    response = auth.login(account.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace"
    page = client.get("/workspace").get_data(as_text=True)
    assert "王监管" in page
    assert "审计日志" in page
    assert actions_recorded()[-1] == "account.login"


def test_email_is_matched_whatever_its_case_and_spaces(auth, make_account):
    account = make_account("enterprise")
    assert auth.login("  " + account.email.upper() + " ").status_code == 302


def test_wrong_password_is_refused_and_recorded(client, auth, make_account):
    account = make_account("agency")
    response = auth.login(account.email, "not the password at all")
    assert response.status_code == 401
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert account.email in response.get_data(as_text=True), "the typed email is kept"
    assert client.get("/workspace").status_code == 302
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    assert (event.action, event.details["reason"]) == ("account.login_failed", "wrong_password")


def test_unknown_email_gets_the_same_message_as_a_wrong_password(auth):
    response = auth.login("nobody@example.org", PASSWORD)
    assert response.status_code == 401
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    event = db.session.execute(select(AuditEvent)).scalars().one()
    assert event.details == {"email": "nobody@example.org", "reason": "unknown_email"}


def test_disabled_account_cannot_sign_in(auth, make_account):
    account = make_account("agency", active=False)
    response = auth.login(account.email)
    assert response.status_code == 401
    assert "已停用" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused_with_a_message(client, make_account):
    account = make_account("regulator")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert actions_recorded() == ["account.created"]


def test_stale_csrf_token_is_refused(client, make_account):
    account = make_account("regulator")
    response = client.post(
        "/login", data={"email": account.email, "password": PASSWORD, "csrf_token": "forged.token"}
    )
    assert response.status_code == 400


def test_next_parameter_redirects_inside_the_site(client, make_account):
    account = make_account("regulator")
    response = post_form(
        client,
        "/login?next=/audit/?action=account.login",
        {"email": account.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/audit/?action=account.login"


def test_forged_next_parameter_is_ignored(client, make_account):
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        account = make_account("regulator")
        response = post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            query_string={"next": target},
        )
        assert response.headers["Location"] == "/workspace", target
        post_form(client, "/logout")


def test_protected_page_sends_anonymous_user_to_login_with_next(client):
    response = client.get("/audit/?action=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/audit/")


def test_remember_me_keeps_the_login_for_14_days(client, auth, make_account):
    account = make_account("enterprise")
    auth.login(account.email, remember="y")
    cookie = client.get_cookie("registry_remember")
    assert cookie is not None
    assert cookie.expires is not None
    lifetime = cookie.expires - cookie.expires.now(cookie.expires.tzinfo)
    assert timedelta(days=13, hours=23) < lifetime <= timedelta(days=14)


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, make_account):
    account = make_account("enterprise")
    response = auth.login(account.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "registry_session" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_logout_needs_a_post_with_csrf(client, auth, make_account):
    account = make_account("regulator")
    auth.login(account.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/workspace").status_code == 302
    assert actions_recorded()[-1] == "account.logout"


def test_repeated_failures_are_throttled_with_a_clear_429(client, auth, make_account):
    account = make_account("agency")
    for _ in range(5):
        assert auth.login(account.email, "wrong password 123").status_code == 401
    response = auth.login(account.email)
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_successful_logins_do_not_count_towards_the_throttle(client, auth, make_account):
    account = make_account("agency")
    for _ in range(7):
        assert auth.login(account.email).status_code == 302
        auth.logout()


def test_throttle_is_per_account(auth, make_account):
    victim, other = make_account("agency"), make_account("agency")
    for _ in range(5):
        auth.login(victim.email, "wrong password 123")
    assert auth.login(other.email).status_code == 302


def test_throttle_per_address_stops_spraying_many_accounts(app, auth):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 5 minutes"
    for number in range(3):
        assert auth.login(f"guess{number}@example.org", "wrong password 123").status_code == 401
    assert auth.login("guess9@example.org", "wrong password 123").status_code == 429


def test_workspace_shows_the_previous_sign_in(client, auth, make_account):
    account = make_account("agency")
    auth.login(account.email)
    assert "这是您首次登录" in client.get("/workspace").get_data(as_text=True)
    auth.logout()
    auth.login(account.email)
    page = client.get("/workspace").get_data(as_text=True)
    assert "这是您首次登录" not in page
    assert 'data-testid="previous-login"' in page


def test_the_password_is_checked_before_the_sign_in_takes_the_write_lock(
    app, auth, make_account, monkeypatch
):
    """On SQLite a write transaction holds the whole database: a sign-in must not hash the
    password inside one, or people signing in at once wait for each other's hashes."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    account = make_account("enterprise")
    path = db.engine.url.database
    writer_could_begin = []
    real_check = models.check_password_hash

    def check_while_another_writes(hashed, password):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writer_could_begin.append(True)
        except sqlite3.OperationalError:  # database is locked: the sign-in holds it
            writer_could_begin.append(False)
        finally:
            other.close()
        return real_check(hashed, password)

    monkeypatch.setattr(models, "check_password_hash", check_while_another_writes)
    assert auth.login(account.email).status_code == 302
    assert writer_could_begin == [True]


def test_a_password_changed_while_it_was_checked_counts_as_wrong(
    app, auth, make_account, monkeypatch
):
    account = make_account("enterprise")
    real_check = models.check_password_hash

    def check_then_change(hashed, password):
        matched = real_check(hashed, password)
        with app.app_context():  # another request changes the password meanwhile
            changed = db.session.get(Account, account.id)
            changed.set_password("an entirely new passphrase 2027")
            db.session.commit()
        return matched

    monkeypatch.setattr(models, "check_password_hash", check_then_change)
    assert auth.login(account.email).status_code == 401
    assert actions_recorded()[-1] == "account.login_failed"
