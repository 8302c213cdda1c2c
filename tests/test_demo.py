import pytest
from sqlalchemy import func, select

from registry.accounts.models import Account
from registry.db import db

DEMO_EMAILS = {
    f"{role}@example.com"
    for role in ("admin", "regulator", "reviewer", "agency", "enterprise", "supervisor", "public")
}


def test_demo_accounts_need_demo_mode(runner):
    result = runner.invoke(args=["demo", "accounts"])
    assert result.exit_code != 0
    assert "DEMO_MODE=1" in result.output
    assert db.session.execute(select(func.count(Account.id))).scalar() == 0


def test_demo_accounts_are_created_once_and_can_sign_in(app, runner, auth):
    app.config["DEMO_MODE"] = True
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    result = runner.invoke(args=["demo", "accounts"])
    assert "0 created, 7 already there" in result.output
    emails = set(db.session.execute(select(Account.email)).scalars())
    assert emails == DEMO_EMAILS
    for email in sorted(DEMO_EMAILS):
        assert auth.login(email, "demo-pass-2026").status_code == 302
        auth.logout()


def test_login_page_lists_demo_accounts_only_in_demo_mode(app, client):
    assert "demo-pass-2026" not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_MODE"] = True
    assert "demo-pass-2026" in client.get("/login").get_data(as_text=True)


@pytest.mark.demo_data("accounts", "load")
def test_demo_load_gives_the_demo_agency_and_enterprise_users_an_organisation(
    app, runner, client, auth, demo_data
):
    app.config["DEMO_MODE"] = True
    assert demo_data["load"].exit_code == 0
    auth.login("agency@example.com", "demo-pass-2026")
    page = client.get("/my/agency/fees")
    assert page.status_code == 200
    auth.logout()
    auth.login("enterprise@example.com", "demo-pass-2026")
    assert "江阴澄星精密机械制造有限公司" in client.get("/my/enterprise/").get_data(as_text=True)
    assert "nothing changed" in runner.invoke(args=["demo", "load"]).output
