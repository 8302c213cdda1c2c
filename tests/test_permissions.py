"""Every endpoint declares who may use it; each role reaches exactly its pages."""

import pytest
from flask import Blueprint

from registry.accounts.permissions import rule_for
from registry.accounts.roles import Role
from tests.conftest import build_app

ROLES = [role.value for role in Role]

# (path, roles that may open it). Anonymous users are sent to the sign-in page.
PROTECTED_PAGES = [
    ("/workspace", ROLES),
    ("/account/password", ROLES),
    ("/inbox/", ROLES),
    ("/inbox/?show=unread&page=2", ROLES),
    ("/audit/", ["admin", "regulator", "reviewer"]),
    ("/audit/1", ["admin", "regulator", "reviewer"]),
    ("/admin/accounts/", ["admin"]),
    ("/admin/accounts/new", ["admin"]),
    ("/admin/accounts/1", ["admin"]),
    ("/admin/accounts/1/disable", ["admin"]),
    ("/admin/accounts/1/password", ["admin"]),
    ("/regulator/commitments/", ["regulator", "reviewer"]),
    ("/regulator/commitments/?standing=lapsing", ["regulator", "reviewer"]),
    ("/regulator/commitments/templates", ["regulator", "reviewer"]),
    ("/regulator/commitments/templates/new", ["regulator", "reviewer"]),
    ("/regulator/calendar", ["regulator", "reviewer"]),
    ("/regulator/calendar/2027", ["regulator", "reviewer"]),
    ("/regulator/calendar/2027/notice", ["regulator", "reviewer"]),
    ("/regulator/engagements", ["regulator", "reviewer"]),
    ("/regulator/engagements?overdue=y&status=open&agency=测绘", ["regulator", "reviewer"]),
    ("/supervisor/evaluations", ["supervisor"]),
    ("/supervisor/agencies?q=测绘", ["supervisor"]),
    ("/regulator/inspections", ["regulator", "reviewer"]),
    ("/regulator/inspections?state=withdrawn&since=2026-01-01", ["regulator", "reviewer"]),
    ("/complaints/new", ["enterprise", "public"]),
    ("/complaints/new?q=测绘", ["enterprise", "public"]),
    ("/my/complaints", ["enterprise", "public"]),
    ("/my/agency/complaints", ["agency"]),
    ("/regulator/complaints", ["regulator", "reviewer"]),
    ("/regulator/complaints?status=all&overdue=y&assignee=none", ["regulator", "reviewer"]),
    ("/regulator/conflicts", ["regulator", "reviewer"]),
    ("/regulator/blacklist", ["regulator", "reviewer"]),
    ("/regulator/blacklist?state=all&page=2", ["regulator", "reviewer"]),
    ("/my/agency/blacklist", ["agency"]),
    ("/regulator/overrides", ["regulator", "reviewer"]),
    ("/regulator/overrides?show=all&page=2", ["regulator", "reviewer"]),
    ("/supervision/", ["regulator", "reviewer", "supervisor"]),
    ("/supervision/?overdue=y&kind=engagement&page=2", ["regulator", "reviewer", "supervisor"]),
    ("/supervision/dashboard.csv", ["regulator", "reviewer", "supervisor"]),
    ("/supervision/regulators", ["regulator", "reviewer", "supervisor"]),
]
PUBLIC_PAGES = [
    "/",
    "/login",
    "/healthz",
    "/verify",
    "/draws",
    "/api/v1/commitments/public-key",
    "/blacklist",
    "/blacklist?history=1&q=测绘",
    "/methodology",
    "/red-list",
    "/red-list?page=2",
    "/api/v1/blacklist",
    "/api/v1/red-list",
    "/register/",
    "/register/public",
    "/working-days",
    "/working-days/2026",
    "/static/css/app.css",
    "/bootstrap/static/css/bootstrap.min.css",
]


def test_every_endpoint_declares_an_access_rule(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None
    )
    assert missing == []


def test_an_endpoint_without_a_rule_is_refused(database_url):
    app = build_app(database_url)
    undeclared = Blueprint("undeclared", __name__)
    undeclared.add_url_rule("/undeclared", "page", lambda: "secret")
    app.register_blueprint(undeclared)
    assert app.test_client().get("/undeclared").status_code == 403


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_open_to_anyone(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "allowed"), PROTECTED_PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, path, allowed):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), PROTECTED_PAGES)
def test_each_role_reaches_exactly_its_pages(client, login_as, make_account, role, path, allowed):
    login_as(role)
    make_account("admin")  # something for the audit log and account pages to show
    status = client.get(path).status_code
    if role in allowed:
        assert status == 200, f"{role} should open {path}"
    else:
        assert status == 403, f"{role} must not open {path}"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_can_post_account_changes(client, login_as, make_account, role):
    from tests.conftest import post_form

    login_as(role)
    target = make_account("enterprise")
    for path in [
        f"/admin/accounts/{target.id}/disable",
        f"/admin/accounts/{target.id}",
        "/admin/accounts/new",
    ]:
        assert post_form(client, path, {"role": "admin", "display_name": "x"}).status_code == 403
