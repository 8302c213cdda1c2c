import pytest

from registry.accounts.passwords import password_problem
from tests.conftest import PASSWORD, post_form


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("qwerty123456", "too common"),
        ("Password12345!!", "too common"),
        ("aaaaaaaaaaaaaaaa", "4 different characters"),
        ("wangfang-secret-2026", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app, password, problem):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert problem in password_problem(password, email="wangfang@example.org")


def test_a_long_uncommon_password_is_accepted(app):
    with app.test_request_context():
        assert password_problem("river lantern 7 ochre", email="li@example.org") is None


def test_password_change_needs_the_current_password(client, login_as):
    login_as("agency")
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": "wrong current pass",
            "new_password": "fresh lantern sky 9",
            "confirm": "fresh lantern sky 9",
        },
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_and_old_one_still_works(client, login_as, auth):
    account = login_as("agency")
    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "1qaz2wsx3edc", "confirm": "1qaz2wsx3edc"},
    )
    assert "过于常见" in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(account.email, PASSWORD).status_code == 302


def test_changing_the_password_signs_out_other_sessions_only(app, client, login_as, auth):
    account = login_as("regulator")
    other_device = app.test_client()
    assert (
        post_form(
            other_device, "/login", {"email": account.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert other_device.get("/workspace").status_code == 200

    response = post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "fresh lantern sky 9",
            "confirm": "fresh lantern sky 9",
        },
    )
    assert response.status_code == 302
    assert client.get("/workspace").status_code == 200, "this session stays signed in"
    assert other_device.get("/workspace").status_code == 302, "the other session is ended"
    auth.logout()
    assert auth.login(account.email, "fresh lantern sky 9").status_code == 302


def test_password_change_ends_remembered_sessions_too(app, client, login_as):
    account = login_as("regulator")
    laptop = app.test_client()
    post_form(laptop, "/login", {"email": account.email, "password": PASSWORD, "remember": "y"})
    remember = laptop.get_cookie("registry_remember").value
    post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "fresh lantern sky 9",
            "confirm": "fresh lantern sky 9",
        },
    )
    stolen = app.test_client()
    stolen.set_cookie("registry_remember", remember)
    assert stolen.get("/workspace").status_code == 302


def test_temporary_password_must_be_changed_before_anything_else(client, login_as):
    login_as("enterprise", must_change_password=True)
    response = client.get("/workspace")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "fresh lantern sky 9",
            "confirm": "fresh lantern sky 9",
        },
    )
    assert client.get("/workspace").status_code == 200


def test_new_passwords_must_match(client, login_as):
    login_as("enterprise")
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "fresh lantern sky 9",
            "confirm": "fresh lantern sky 8",
        },
    )
    assert "两次输入的密码不一致" in response.get_data(as_text=True)
