"""/healthz tells the truth: each component, 503 when people cannot use the registry, 200
"degraded" when it works with less, and quickly even when the database hangs."""

import socket
import sqlite3
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import make_url

from ratings.results.models import RatingRun
from registry.audit.services import record
from registry.db import db, utcnow
from tests.conftest import build_app


@pytest.fixture
def clock(monkeypatch):
    """registry.dates.now, moved by the test: clock.move(hours=31)."""
    from registry import dates

    class Clock:
        offset = timedelta()

        def move(self, **delta):
            self.offset += timedelta(**delta)

    clock = Clock()
    real_now = dates.now
    monkeypatch.setattr(dates, "now", lambda: real_now() + clock.offset)
    return clock


def health(app):
    response = app.test_client().get("/healthz")
    return response.status_code, response.json


def test_healthz_reports_every_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    components = response.json["components"]
    assert set(components) == {"database", "disk", "signing_key", "redis", "daily_job"}
    assert all(component["ok"] for component in components.values())
    assert components["database"]["readable"] is True
    assert components["database"]["writable"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_whether_chinese_text_search_works(client):
    assert client.get("/healthz").json["components"]["database"]["text_search"] == "ok"


def test_healthz_is_503_when_the_database_is_down():
    app = build_app("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    status, body = health(app)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["components"]["database"]["ok"] is False
    assert body["components"]["database"]["readable"] is False


@pytest.fixture
def read_only_app(database_url, tmp_path):
    """The app on its database opened read-only, as SQLite opens a file it may not write
    and as PostgreSQL serves a read-only standby."""
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database
        app = build_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    else:
        options = {"connect_args": {"options": "-c default_transaction_read_only=on"}}
        app = build_app(database_url, SQLALCHEMY_ENGINE_OPTIONS=options)
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_is_503_when_the_database_cannot_be_written(read_only_app):
    status, body = health(read_only_app)
    assert status == 503
    database = body["components"]["database"]
    assert database["readable"] is True
    assert database["writable"] != "ok"
    assert database["ok"] is False


@pytest.fixture
def write_lock_held(database_url):
    """Another connection holds the write lock (SQLite) or the probed row (PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
        holder.execute("SELECT * FROM alembic_version FOR UPDATE")
    yield
    holder.rollback()
    holder.close()


def test_a_held_write_lock_degrades_without_keeping_healthz_waiting(app, write_lock_held):
    started = time.monotonic()
    status, body = health(app)
    assert time.monotonic() - started < 3  # users' writes wait 15 s for the lock; this does not
    assert status == 200
    assert body["status"] == "degraded"
    assert body["components"]["database"]["writable"] == "busy"


def test_healthz_answers_in_time_when_the_database_hangs(tmp_path):
    """A server that accepts the connection and never answers: /healthz says so within its
    timeout, and a second check does not wait for the first one's stuck probe."""
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    app = build_app(
        f"postgresql+psycopg://nobody@127.0.0.1:{port}/none?connect_timeout=5",
        HEALTH_TIMEOUT_SECONDS=0.5,
    )
    app.instance_path = str(tmp_path / "instance")
    with socket.socket() as silent_server:
        silent_server.bind(("127.0.0.1", port))
        silent_server.listen()
        for _ in range(2):
            started = time.monotonic()
            status, body = health(app)
            assert time.monotonic() - started < 2
            assert status == 503
            assert body["components"]["database"]["error"] == "timeout"


def test_a_probe_that_breaks_is_reported_not_a_crash(app, monkeypatch):
    from registry.public import health as checks

    def broken(app):
        raise RuntimeError("a bug in the probe")

    monkeypatch.setattr(checks, "_read_then_write", broken)
    status, body = health(app)
    assert status == 503
    assert body["components"]["database"]["error"] == "RuntimeError"


def test_a_nearly_full_disk_degrades_and_a_full_one_makes_it_unavailable(app):
    app.config["HEALTH_DISK_LOW_FREE_MB"] = 2**40  # more than any disk here holds
    status, body = health(app)
    assert (status, body["status"]) == (200, "degraded")
    assert body["components"]["disk"]["status"] == "degraded"

    app.config["HEALTH_DISK_MIN_FREE_MB"] = 2**40
    status, body = health(app)
    assert (status, body["status"]) == (503, "unavailable")
    assert body["components"]["disk"]["free_mb"] < body["components"]["disk"]["min_free_mb"]


def test_a_configured_signing_key_that_is_missing_makes_it_unavailable(app, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "nowhere.pem")
    status, body = health(app)
    assert status == 503
    assert body["components"]["signing_key"] == {
        "ok": False,
        "status": "unavailable",
        "error": "missing",
    }


def test_an_unreadable_signing_key_makes_it_unavailable(app, tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    app.config["SIGNING_KEY_FILE"] = str(garbage)
    status, body = health(app)
    assert status == 503
    assert body["components"]["signing_key"]["error"] == "unusable"


def test_the_signing_key_in_use_is_named(app):
    from registry.commitments import keys

    key = keys.private_key()  # created in the instance folder, as on first signature
    status, body = health(app)
    assert status == 200
    assert body["components"]["signing_key"]["key_id"] == keys.key_id_of(key.public_key())


def test_redis_down_degrades_but_keeps_the_registry_up(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    status, body = health(app)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["components"]["redis"] == {
        "ok": False,
        "status": "degraded",
        "configured": True,
        "error": "ConnectionError",
    }


def test_a_fresh_installation_has_not_missed_its_daily_job(app, clock):
    record("test.installed")
    db.session.commit()
    status, body = health(app)
    assert status == 200
    assert body["components"]["daily_job"]["ok"] is True
    assert body["components"]["daily_job"]["last_success"] is None

    clock.move(hours=31)
    status, body = health(app)
    assert (status, body["status"]) == (200, "degraded")
    assert body["components"]["daily_job"]["status"] == "degraded"


def test_the_daily_job_counts_from_its_last_success(app, clock):
    finished = utcnow()
    db.session.add(
        RatingRun(
            as_of=finished.date(),
            method_version="v1",
            started_at=finished,
            finished_at=finished,
            agencies=0,
            changed=0,
        )
    )
    db.session.commit()
    daily_job = health(app)[1]["components"]["daily_job"]
    assert daily_job["ok"] is True
    assert daily_job["last_success"] == finished.isoformat(timespec="seconds") + "Z"

    clock.move(hours=31)
    daily_job = health(app)[1]["components"]["daily_job"]
    assert daily_job["status"] == "degraded"
    assert daily_job["age_hours"] >= 31


def test_a_non_utf8_ctype_is_reported(monkeypatch):
    from registry.db import text_search_problem

    class Connection:
        class dialect:
            name = "postgresql"

        def exec_driver_sql(self, sql):
            class Result:
                def scalar_one(self):
                    return "C"

            return Result()

    assert "not UTF-8" in text_search_problem(Connection())
