"""Errors read clearly, in the user's language; the API answers in JSON."""

import pytest
from flask import abort

from registry.accounts.permissions import allow, anyone
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
