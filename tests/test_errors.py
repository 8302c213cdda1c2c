"""Errors read clearly, in the user's language; the API answers in JSON."""

from datetime import date

import pytest
from flask import abort
from sqlalchemy.exc import OperationalError

from registry.accounts.permissions import allow, anyone
from registry.extensions import csrf
from tests.conftest import build_app, post_form


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_unknown_page_under_api_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


def test_error_message_follows_the_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert "This page does not exist" in response.get_data(as_text=True)


def test_wrong_method_is_a_405(client):
    assert client.delete("/login").status_code == 405


def test_oversized_request_is_a_413_with_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)


def test_role_without_permission_gets_a_403_page(client, login_as):
    login_as("enterprise")
    response = client.get("/admin/accounts/")
    assert response.status_code == 403
    assert "无权执行此操作" in response.get_data(as_text=True)


@pytest.fixture
def crashing_app(database_url):
    app = build_app(database_url)

    @app.route("/boom")
    @allow(anyone)
    def boom():
        raise RuntimeError("kaboom")

    @app.route("/api/v1/boom")
    @allow(anyone)
    def api_boom():
        abort(500)

    return app


def test_a_crash_is_a_500_page_without_details(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "kaboom" not in response.get_data(as_text=True)
    assert "已记录" in response.get_data(as_text=True)


def test_a_crash_under_api_is_json(crashing_app):
    response = crashing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json == {
        "error": {"code": "server_error", "message": response.json["error"]["message"]}
    }


def test_csrf_failure_under_a_form_explains_what_to_do(client, login_as):
    login_as("regulator")
    response = client.post("/account/password", data={"current_password": "x"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_error_pages_keep_the_session(client, login_as):
    account = login_as("regulator")
    client.get("/no/such/page")
    assert account.display_name in client.get("/workspace").get_data(as_text=True)
    assert post_form(client, "/logout").status_code == 302


# --- the database as a last resort: conflicts and outages --------------------------------------


@pytest.fixture
def colliding_app(database_url, tmp_path, make_service_item):
    """An app whose routes write what no service checked first: a catalogue code someone
    else took a moment ago (unique), an agency that is gone (foreign key), a row missing a
    required value (NOT NULL, a bug rather than a race)."""
    from registry.agencies.models import FeeSchedule, ServiceItem
    from registry.db import db

    taken = make_service_item(code="TAKEN-1")
    app = build_app(database_url)
    app.instance_path = str(tmp_path / "instance")

    def item(code, name="另一项服务"):
        return ServiceItem(
            code=code,
            name=name,
            category="surveying",
            legal_basis="《测试条例》",
            pricing_type="market",
            unit="项",
            statutory_days=20,
            acceptance_conditions="材料齐全",
            materials="申请书",
            procedure="受理、办理",
        )

    def deadlock():
        class Deadlock(Exception):
            sqlstate = "40P01"  # PostgreSQL ended this transaction to break a wait-for circle

        raise OperationalError("UPDATE agency ...", {}, Deadlock("deadlock detected"))

    writes = {
        "unique": lambda: db.session.add(item(taken.code)),
        "foreign-key": lambda: db.session.add(
            FeeSchedule(
                agency_id=999_999,
                service_item_id=taken.id,
                fee_min_fen=0,
                fee_max_fen=1,
                unit="项",
                basis="x",
                promised_days=1,
                effective_from=date(2026, 1, 1),
            )
        ),
        "not-null": lambda: db.session.add(item("NEW-1", name=None)),
        "deadlock": deadlock,
    }

    def write(kind):
        writes[kind]()
        db.session.commit()
        return "saved"

    for prefix in ("", "/api/v1"):
        app.add_url_rule(
            f"{prefix}/collide/<kind>",
            f"collide{prefix.replace('/', '_')}",
            allow(anyone)(write),
            methods=["POST"],
        )
        csrf.exempt(app.view_functions[f"collide{prefix.replace('/', '_')}"])
    return app


@pytest.mark.parametrize("kind", ["unique", "foreign-key", "deadlock"])
def test_a_write_that_collides_with_another_is_a_409_page(colliding_app, kind, caplog):
    from registry.agencies.models import ServiceItem
    from registry.db import db

    client = colliding_app.test_client()
    response = client.post(f"/collide/{kind}", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this at the same moment; reload the page and check." in page
    assert 'class="navbar' in page  # the site's layout
    assert response.headers["Cache-Control"] == "no-store"
    assert "conflicting write on POST /collide/" in caplog.text
    with colliding_app.app_context():
        codes = db.session.execute(db.select(ServiceItem.code)).scalars().all()
    assert codes == ["TAKEN-1"]
    assert client.get("/healthz").status_code == 200  # the worker's session was rolled back


def test_a_colliding_write_under_api_is_a_json_409(colliding_app):
    response = colliding_app.test_client().post("/api/v1/collide/unique")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert response.json["error"]["message"]


def test_a_broken_not_null_rule_stays_a_500(colliding_app):
    response = colliding_app.test_client().post("/collide/not-null")
    assert response.status_code == 500


@pytest.fixture
def database_down_app(tmp_path):
    """The registry while its PostgreSQL server is down (nothing listens on the port)."""
    app = build_app("postgresql+psycopg://registry@127.0.0.1:9/registry?connect_timeout=2")
    app.instance_path = str(tmp_path / "instance")
    return app


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "The registry's database is not available at the moment." in page
    assert 'class="navbar' in page  # the site's layout
    assert "<footer" in page
    assert "Internal Server Error" not in page


def test_a_database_outage_is_a_503_page_in_the_site_layout(database_down_app):
    response = database_down_app.test_client().get("/", headers={"Accept-Language": "en"})
    assert_unavailable_page(response)


def test_a_database_outage_is_the_same_page_for_someone_signed_in(
    app, client, login_as, database_down_app
):
    login_as("regulator")
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    visitor = database_down_app.test_client()
    visitor.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie.value)
    for path in ("/workspace", "/inbox/"):
        assert_unavailable_page(visitor.get(path, headers={"Accept-Language": "en"}))
    assert visitor.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None  # still signed in


def test_a_database_outage_speaks_chinese_by_default(database_down_app):
    response = database_down_app.test_client().get("/")
    assert response.status_code == 503
    assert "数据库暂时不可用" in response.get_data(as_text=True)


def test_a_database_outage_under_api_is_a_json_503(database_down_app):
    response = database_down_app.test_client().get("/api/v1/agencies")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json["error"]["code"] == "unavailable"
