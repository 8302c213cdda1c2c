"""Optional mail: sent after commit when MAIL_SERVER is set; a failure never breaks the sender."""

import smtplib

import pytest

from registry.db import db
from registry.inbox import services
from tests.conftest import post_form

PARAMS = {"name": "王芳", "town": "华士镇"}


class FakeSMTP:
    """Stands in for smtplib.SMTP and keeps what it was asked to do."""

    sent: list = []
    calls: list = []
    fail_with: Exception | None = None

    def __init__(self, host, port, timeout=None):
        if self.fail_with:
            raise self.fail_with
        self.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.calls, FakeSMTP.fail_with = [], [], None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_PORT=587, MAIL_FROM="noreply@x.org")
    return FakeSMTP


def test_without_a_mail_server_nothing_is_mailed(app, make_account, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", None)  # any attempt would fail loudly
    services.notify(make_account("agency"), "test.agent_added", params=PARAMS)
    db.session.commit()


def test_a_notice_is_mailed_after_commit_in_the_default_language(app, make_account, smtp):
    account = make_account("agency", email="staff@example.org")
    services.notify(account, "test.agent_added", params=PARAMS, dedupe_key="k")
    assert smtp.sent == [], "nothing leaves before the commit"
    db.session.commit()
    (message,) = smtp.sent
    assert message["To"] == "staff@example.org"
    assert message["From"] == "noreply@x.org"
    assert message["Subject"] == "已添加代办员 王芳。"
    assert "王芳 将重新列入华士镇代办员公开名录。" in message.get_content()
    assert smtp.calls == [("connect", "smtp.example.org", 587)]


def test_a_rolled_back_notice_is_not_mailed(app, make_account, smtp):
    services.notify(make_account("agency"), "test.agent_added", params=PARAMS)
    db.session.rollback()
    db.session.commit()
    assert smtp.sent == []


def test_tls_and_login_when_configured(app, make_account, smtp):
    app.config.update(MAIL_USE_TLS=True, MAIL_USERNAME="registry", MAIL_PASSWORD="secret")
    services.notify(make_account("agency"), "test.agent_added", params=PARAMS)
    db.session.commit()
    assert smtp.calls[1:] == [("starttls",), ("login", "registry", "secret")]
    assert len(smtp.sent) == 1


@pytest.mark.own_app  # it adds a route
def test_a_mail_from_a_request_links_to_the_notice(client, login_as, make_account, smtp):
    """A regulator's action in a request notifies someone; the mail links to the notice."""
    from flask import Blueprint

    from registry.accounts.permissions import allow, signed_in

    recipient = make_account("agency")
    trigger = Blueprint("trigger", __name__)

    @trigger.route("/trigger", methods=["POST"])
    @allow(signed_in)
    def send_one():
        services.notify(recipient.id, "test.agent_added", params=PARAMS)
        db.session.commit()
        return "sent"

    client.application.register_blueprint(trigger)
    login_as("regulator")
    assert post_form(client, "/trigger").status_code == 200
    (message,) = smtp.sent
    assert "http://localhost/inbox/" in message.get_content()


def test_a_failing_mail_server_is_logged_not_raised(app, make_account, smtp, caplog):
    smtp.fail_with = OSError("connection refused")
    account = make_account("agency")
    services.notify(account, "test.agent_added", params=PARAMS)
    db.session.commit()
    assert "could not be sent" in caplog.text
    assert services.unread_count(account) == 1


def test_a_mail_from_a_command_links_to_the_notice_only_with_a_site_url(app, make_account, smtp):
    account = make_account("agency")
    services.notify(account, "test.agent_added", params=PARAMS)
    db.session.commit()
    app.config["MAIL_SITE_URL"] = "https://registry.example.org/"
    (with_url,) = services.notify(account, "test.agent_added", params=PARAMS)
    db.session.commit()
    first, second = (message.get_content() for message in smtp.sent)
    assert "/inbox/" not in first
    assert f"https://registry.example.org/inbox/{with_url.id}" in second
