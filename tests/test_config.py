"""Configuration from the environment; secrets never in the code."""

import pytest

from registry import create_app
from registry.config import normalise_database_url


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "i"))
    first = create_app()
    second = create_app()
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    key_file = tmp_path / "i" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    monkeypatch.setenv("DEMO_MODE", "yes")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert app.config["TRUSTED_PROXIES"] == 2
    assert app.config["DEMO_MODE"] is True


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg_3(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u@h/db"


def test_login_limits_are_kept_in_redis_when_configured(tmp_path, monkeypatch):
    """With REDIS_URL set, every worker counts failed logins in the same place."""
    import flask_migrate
    import redis

    from tests.conftest import post_form

    store = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    store.flushdb()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    app = create_app(
        {
            "SECRET_KEY": "s",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite3",
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    statuses = [
        post_form(
            app.test_client(), "/login", {"email": "a@example.org", "password": "wrong password 1"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert any(b"login:a@example.org" in key for key in store.scan_iter())
    store.flushdb()


def test_under_gunicorn_the_registry_logs_to_gunicorns_error_log(monkeypatch):
    import logging

    from registry import log_where_gunicorn_logs

    class Kept(logging.Handler):
        def __init__(self):
            super().__init__()
            self.records = []

        def emit(self, record):
            self.records.append(record)

    kept, root = Kept(), logging.getLogger()
    monkeypatch.setattr(logging.getLogger("gunicorn.error"), "handlers", [kept])
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    log_where_gunicorn_logs()
    logging.getLogger("registry.errors").error("unhandled error on /somewhere")
    assert [record.getMessage() for record in kept.records] == ["unhandled error on /somewhere"]
