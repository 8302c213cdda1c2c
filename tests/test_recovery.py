"""The registry recovers by itself, without a restart, once a fault ends: a database that was
read-only, PostgreSQL connections its server ended; and Redis down never stops sign-in."""

import logging

import psycopg
import pytest
from sqlalchemy import event, make_url

from registry.db import db
from tests.conftest import PASSWORD, TEST_DATABASE_URL, AuthActions, build_app, post_form

only_postgresql = pytest.mark.skipif(not TEST_DATABASE_URL, reason="a PostgreSQL server's fault")


@pytest.fixture
def database_access(app, database_url):
    """Whether the registry may write its database. SQLite opens a file it may not write
    read-only, silently, and that connection stays read-only; a PostgreSQL server that became
    a standby (a fail-over) accepts only reads. While `writable` is off, connections open
    that way (SQLite: mode=ro, since tests run as root, who may write any file whatever its
    mode; PostgreSQL: default_transaction_read_only)."""
    path = make_url(database_url).database

    class Access:
        writable = True

    access = Access()

    @event.listens_for(db.engine, "do_connect")
    def open_as_allowed(dialect, record, cargs, cparams):
        if access.writable:
            return
        if dialect.name == "sqlite":
            cargs[0] = f"file:{path}?mode=ro"
            cparams["uri"] = True
        else:
            cparams["options"] = "-c default_transaction_read_only=on"

    return access


def test_writes_work_again_once_the_database_is_writable(
    app, client, make_account, database_access
):
    account = make_account("regulator")
    database_access.writable = False
    db.engine.dispose()  # from here on, connections open as they would now: read-only
    assert client.get("/").status_code == 200  # reading works
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = AuthActions(client).login(account.email)
    assert refused.status_code == 503  # signing in writes to the audit log
    assert "The registry's database is not available" in refused.get_data(as_text=True)

    database_access.writable = True  # the operator fixes the file or the fail-over; no restart
    signed_in = AuthActions(client).login(account.email)
    assert signed_in.status_code == 302
    assert client.get("/workspace").status_code == 200


def test_healthz_sees_a_read_only_database_and_then_its_recovery(app, client, database_access):
    database_access.writable = False
    db.engine.dispose()
    assert client.get("/healthz").status_code == 503
    database_access.writable = True
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def named_app(database_url, tmp_path):
    """The app with its PostgreSQL connections named, so the test ends only its own."""

    def build(**options):
        engine_options = {"connect_args": {"application_name": "registry-recovery-test"}}
        app = build_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={**engine_options, **options})
        app.instance_path = str(tmp_path / "instance")
        return app

    return build


def end_the_app_connections(database_url) -> int:
    """What `SELECT pg_terminate_backend(...)` by an administrator does, or a server restart."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(url, autocommit=True) as administrator:
        return administrator.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'registry-recovery-test'"
            " AND datname = current_database()"
        ).fetchone()[0]


@only_postgresql
def test_the_next_request_succeeds_after_the_server_ended_every_connection(
    named_app, make_account, database_url
):
    app = named_app(pool_pre_ping=True)
    account = make_account("regulator")
    client = app.test_client()
    assert AuthActions(client).login(account.email).status_code == 302
    assert end_the_app_connections(database_url) >= 1
    assert client.get("/workspace").status_code == 200
    with app.app_context():
        db.engine.dispose()


@only_postgresql
def test_a_connection_lost_mid_request_is_discarded(named_app, make_account, database_url):
    """Without the check before use, the request that meets the ended connection is told to
    retry (503); the connection and the others pooled with it are discarded, so the next
    request succeeds."""
    app = named_app(pool_pre_ping=False)
    account = make_account("regulator")
    client = app.test_client()
    assert AuthActions(client).login(account.email).status_code == 302
    assert end_the_app_connections(database_url) >= 1
    assert client.get("/workspace").status_code == 503
    assert client.get("/workspace").status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def redis_down_app(app, database_url, tmp_path):
    """REDIS_URL set, and nothing answering on its port. Built after `app`: the one limiter
    object keeps the storage of the app bound last (one app per process outside tests)."""
    from registry.extensions import limiter

    app = build_app(
        database_url,
        REDIS_URL="redis://127.0.0.1:9/0",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
        LOGIN_LIMIT_PER_ACCOUNT="3 per 5 minutes",
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()
    limiter._storage_dead = False  # the next app's storage is not the one that was down


def test_sign_in_works_while_redis_is_down(redis_down_app, make_account, caplog):
    caplog.set_level(logging.WARNING)
    account = make_account("enterprise")
    client = redis_down_app.test_client()
    response = AuthActions(client).login(account.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/workspace").status_code == 200
    assert "Rate limit storage unreachable" in caplog.text


def test_failed_sign_ins_are_still_limited_while_redis_is_down(redis_down_app, make_account):
    account = make_account("enterprise")
    client = redis_down_app.test_client()
    statuses = [
        post_form(client, "/login", {"email": account.email, "password": "wrong 1"}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_postgresql_connections_give_up_instead_of_hanging():
    from registry.config import engine_options

    options = engine_options("postgresql+psycopg://u@h/db", {"pool_pre_ping": True}, 5)
    assert options == {
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 5, "tcp_user_timeout": 5000},
    }
    own = engine_options("postgresql+psycopg://u@h/db?connect_timeout=2", {}, 5)
    assert "connect_timeout" not in own["connect_args"]
    assert engine_options("sqlite:///x.sqlite3", {"pool_pre_ping": True}, 5) == {
        "pool_pre_ping": True
    }
