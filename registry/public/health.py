"""What /healthz checks, for load balancers and monitors (docs/operator.md "Health checks").

Each component says {"ok": bool, "status": ..., details}; the registry's status is the worst
of them: "unavailable" (503) when people cannot use it (the database cannot be read or
written, the disk is full, receipts cannot be signed), "degraded" (200) when it works with
less (Redis away: each worker counts sign-in attempts itself; the daily job late: deadlines
still show right, but escalations, notices and ratings wait; the disk nearly full; the
database's write lock held by a long job).

The database is asked in a thread of its own, and the answer awaited HEALTH_TIMEOUT_SECONDS
at most: a server that stopped answering (which no driver timeout notices on an open
connection) makes /healthz say so quickly instead of hanging with it.
"""

import logging
import os
import shutil
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import redis
from cryptography.exceptions import InvalidSignature
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ratings.results.models import RatingRun
from registry.audit.models import AuditEvent
from registry.commitments import keys
from registry.db import db, reading_only, text_search_problem, utcnow

log = logging.getLogger(__name__)

OK, DEGRADED, UNAVAILABLE = "ok", "degraded", "unavailable"
SEVERITY = {OK: 0, DEGRADED: 1, UNAVAILABLE: 2}
# How long the probe write waits for the write lock (SQLite) or a row lock (PostgreSQL)
# before it reports the database busy rather than keeping a worker waiting.
WRITE_WAIT_MS = 1000
BUSY_SQLITE = "SQLITE_BUSY"
BUSY_SQLSTATES = frozenset({"55P03", "57014"})  # lock_not_available, query_canceled
# The probe write: a row every installation has, changed to itself and rolled back.
PROBE_WRITE = "UPDATE alembic_version SET version_num = version_num"

_probes: dict[Engine, tuple[Future, float]] = {}  # per engine: the probe running, its start
_probes_lock = threading.Lock()


@dataclass
class Report:
    components: dict[str, dict]

    @property
    def status(self) -> str:
        return max((c["status"] for c in self.components.values()), key=SEVERITY.__getitem__)

    @property
    def http_status(self) -> int:
        return 503 if self.status == UNAVAILABLE else 200

    @property
    def body(self) -> dict:
        return {"status": self.status, "components": self.components}


def check(app: Flask) -> Report:
    """Every component's state, now (in a request or app context of `app`)."""
    database, daily_job = database_and_daily_job(app)
    return Report(
        {
            "database": database,
            "disk": disk(app),
            "signing_key": signing_key(app),
            "redis": redis_state(app),
            "daily_job": daily_job,
        }
    )


def component(status: str, **details) -> dict:
    return {"ok": status == OK, "status": status, **details}


# --- the database and the daily job ----------------------------------------------------------


def last_daily_job_success(connection: Connection) -> datetime | None:
    """When `flask jobs daily` last succeeded (UTC), or None if it never did.

    Until the daily job records its runs, its last step stands for it: the latest full
    rating recompute (also run by `flask ratings recompute`). Re-point this at the job runs'
    last_success("daily") when they land (db.session works here too); nothing else changes.
    """
    return connection.execute(select(func.max(RatingRun.finished_at))).scalar()


def installed_since(connection: Connection) -> datetime | None:
    """When the registry first recorded anything: a younger one has not missed a night."""
    return connection.execute(select(func.min(AuditEvent.occurred_at))).scalar()


def database_and_daily_job(app: Flask) -> tuple[dict, dict]:
    """The database's state and the daily job's (which is read from it), within the timeout."""
    timeout = float(app.config["HEALTH_TIMEOUT_SECONDS"])
    engine = db.engine
    with _probes_lock:
        for finished in [key for key, (future, _) in _probes.items() if future.done()]:
            del _probes[finished]
        if engine not in _probes:  # else the probe still running answers this check too
            _probes[engine] = (_start_probe(app), time.monotonic())
        future, started = _probes[engine]
    try:
        return future.result(timeout=max(0.0, started + timeout - time.monotonic()))
    except FutureTimeout:
        waited = round(time.monotonic() - started, 1)
        log.error("health check: the database has not answered for %s s", waited)
        database = component(
            UNAVAILABLE, backend=engine.dialect.name, error="timeout", waited_seconds=waited
        )
    except Exception as error:  # a probe that failed unexpectedly says so, not a 500
        log.exception("health check: the database probe failed")
        database = component(UNAVAILABLE, backend=engine.dialect.name, error=_name(error))
    return database, component(DEGRADED, error="database unavailable")


def _start_probe(app: Flask) -> Future:
    """Probe in a daemon thread of its own: one stuck on a silent server neither holds up
    another engine's probe nor keeps a worker from exiting."""
    future: Future = Future()

    def run():
        with app.app_context():
            try:
                future.set_result(_read_then_write(app))
            except BaseException as error:  # handed to the request that waits for it
                future.set_exception(error)

    threading.Thread(target=run, name="healthz-probe", daemon=True).start()
    return future


def _read_then_write(app: Flask) -> tuple[dict, dict]:
    """Read (the schema's revision, the daily job), then write, on one connection."""
    started = time.perf_counter()
    details: dict = {"backend": db.engine.dialect.name}
    try:
        connection = db.engine.connect()
    except SQLAlchemyError as error:
        return _unreadable(details, error)
    with connection, _waiting_briefly(connection, int(app.config["SQLITE_BUSY_TIMEOUT_MS"])):
        try:
            with reading_only():  # SQLite: a plain BEGIN, no write lock for the reads
                details["schema"] = connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version"
                ).scalar()
                details["text_search"] = text_search_problem(connection) or "ok"
                daily_job = daily_job_state(app, connection, utcnow())
                connection.rollback()
        except SQLAlchemyError as error:
            _forget(connection)
            if isinstance(error, OperationalError) and _busy(error.orig):
                database = component(DEGRADED, **details, readable="busy")
                return database, component(DEGRADED, error="database busy")
            return _unreadable(details, error)
        writable = _probe_write(connection)
    status = {"ok": OK, "busy": DEGRADED}.get(writable, UNAVAILABLE)
    if status == UNAVAILABLE:
        log.error("health check: the database cannot be written: %s", writable)
    details.update(readable=True, writable=writable)
    details["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return component(status, **details), daily_job


def _unreadable(details: dict, error: SQLAlchemyError) -> tuple[dict, dict]:
    log.error("health check: the database cannot be read: %s", error)
    database = component(UNAVAILABLE, **details, readable=False, error=_name(error))
    return database, component(DEGRADED, error="database unavailable")


@contextmanager
def _waiting_briefly(connection: Connection, usual_ms: int):
    """SQLite: wait WRITE_WAIT_MS at most for a lock (the write lock, or a recovery after a
    crashed writer), not the 15 s users' requests wait; then the usual wait again."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
    try:
        yield
    finally:
        if not connection.invalidated:
            raw.execute(f"PRAGMA busy_timeout = {usual_ms}")


def _probe_write(connection: Connection) -> str:
    """Write in a transaction that is rolled back: "ok", "busy" (another writer held the lock
    WRITE_WAIT_MS), or the error's name. SQLite holds its write lock for microseconds."""
    try:
        if connection.dialect.name != "sqlite":  # for this transaction only
            connection.exec_driver_sql(
                f"SELECT set_config('lock_timeout', '{WRITE_WAIT_MS}', true),"
                f" set_config('statement_timeout', '{2 * WRITE_WAIT_MS}', true)"
            )
        connection.exec_driver_sql(PROBE_WRITE)
        return "ok"
    except OperationalError as error:
        if _busy(error.orig):
            return "busy"
        return _name(error)
    except SQLAlchemyError as error:
        return _name(error)
    finally:
        _forget(connection)


def _busy(error) -> bool:
    if getattr(error, "sqlite_errorname", None) == BUSY_SQLITE:
        return True
    return getattr(error, "sqlstate", None) in BUSY_SQLSTATES


def daily_job_state(app: Flask, connection: Connection, now: datetime) -> dict:
    """Whether the daily job ran recently enough; a registry younger than the allowed age,
    or one with nothing recorded yet, has not missed it."""
    max_age = timedelta(hours=float(app.config["HEALTH_DAILY_JOB_MAX_AGE_HOURS"]))
    last = last_daily_job_success(connection)
    limit = {"max_age_hours": max_age.total_seconds() / 3600}
    if last is None:
        since = installed_since(connection)
        fresh = since is None or now - since < max_age
        return component(OK if fresh else DEGRADED, last_success=None, **limit)
    age = now - last
    return component(
        OK if age <= max_age else DEGRADED,
        last_success=last.isoformat(timespec="seconds") + "Z",
        age_hours=round(age.total_seconds() / 3600, 1),
        **limit,
    )


def _forget(session_or_connection) -> None:
    try:
        session_or_connection.rollback()
    except SQLAlchemyError:
        log.debug("health check: rollback failed", exc_info=True)


def _name(error: Exception) -> str:
    """The driver error's class, and its SQLite code or PostgreSQL SQLSTATE when it has one."""
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    return f"{type(original).__name__} ({code})" if code else type(original).__name__


# --- files, keys and Redis ---------------------------------------------------------------------


def watched_folders(app: Flask) -> set[Path]:
    """The instance folder (secrets, the signing key) and a SQLite database's folder."""
    folders = {Path(app.instance_path)}
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folders.add(Path(url.database).resolve().parent)
    return {_existing(folder) for folder in folders}


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk(app: Flask) -> dict:
    """The free space of the fullest file system the registry writes to."""
    free_mb = min(shutil.disk_usage(folder).free for folder in watched_folders(app)) // 2**20
    minimum, low = app.config["HEALTH_DISK_MIN_FREE_MB"], app.config["HEALTH_DISK_LOW_FREE_MB"]
    status = UNAVAILABLE if free_mb < minimum else DEGRADED if free_mb < low else OK
    if status != OK:
        log.error("health check: %s MB free on the registry's disk", free_mb)
    return component(status, free_mb=free_mb, min_free_mb=minimum, low_free_mb=low)


def signing_key(app: Flask) -> dict:
    """Whether commitment receipts can be signed: the key file present and usable, or (without
    SIGNING_KEY_FILE) creatable in the instance folder on first use."""
    path = keys.key_file()
    if not path.exists():
        if app.config.get("SIGNING_KEY_FILE"):
            log.error("health check: SIGNING_KEY_FILE %s does not exist", path)
            return component(UNAVAILABLE, error="missing")
        creatable = os.access(_existing(path.parent), os.W_OK)
        return component(OK if creatable else UNAVAILABLE, key_id=None, created_on_first_use=True)
    try:
        key = keys.private_key()
        key.public_key().verify(key.sign(b"healthz"), b"healthz")
    except (keys.SigningKeyMissing, InvalidSignature, OSError, TypeError, ValueError) as error:
        log.error("health check: the signing key %s cannot be used: %s", path, error)
        return component(UNAVAILABLE, error="unusable")
    return component(OK, key_id=keys.key_id_of(key.public_key()))


def redis_state(app: Flask) -> dict:
    """Redis answers, when REDIS_URL is set (without it there is nothing to check)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return component(OK, configured=False)
    client = app.extensions.get("health_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        app.extensions["health_redis"] = client
    try:
        client.ping()
    except redis.RedisError as error:
        log.error("health check: Redis does not answer: %s", error)
        return component(DEGRADED, configured=True, error=type(error).__name__)
    return component(OK, configured=True)
