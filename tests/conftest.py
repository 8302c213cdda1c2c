"""Fixtures in the Flask tutorial's shape: app, client, runner, auth, and factories.

Tests run on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Under
pytest-xdist each worker has a database of its own (PostgreSQL: TEST_DATABASE_URL's name
with the worker's appended, `registry_ci_gw0`, created when missing). The schema is built
once per worker with the real migrations, and one app per worker serves its tests: each
test gets a fresh database (SQLite: the migrated file written back over the worker's;
PostgreSQL: every table emptied after the test) and the app's configuration and rate
limits as they were when it was built. A test that needs an app of its own calls
build_app(database_url, ...), or is marked own_app: the shared one takes no new routes.
"""

import contextvars
import copy
import os
import random
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

import flask_migrate
import psycopg
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from werkzeug.security import generate_password_hash

from registry import create_app
from registry.accounts import models as account_models
from registry.accounts import services as account_services
from registry.accounts.permissions import SYSTEM
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Agency, FeeCap, ServiceItem, fen
from registry.config import DEFAULTS, normalise_database_url
from registry.db import db
from registry.extensions import limiter
from registry.submissions.services import new_token

PASSWORD = "correct horse battery 2026"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# pytest-xdist names its workers gw0, gw1...; unset when the tests run in one process.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "DEMO_MODE": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 5 minutes",
}
# A test's commit need not wait for PostgreSQL to flush its log to disk (it is as visible to
# other sessions either way): tests commit thousands of times, on a disk the machine shares.
NO_FLUSH = {"connect_args": {"options": "-c synchronous_commit=off"}}
# Production hashes passwords with scrypt, slow on purpose (about 0.1 s a hash or a check);
# tests create and sign in thousands of accounts, and that was half the suite's time. They
# hash with one round of PBKDF2: still salted, still checked by check_password_hash.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Every password the tests set, and the dummy hash an unknown email is checked against,
    is hashed the fast way (see TEST_PASSWORD_HASH)."""
    fast = partial(generate_password_hash, method=TEST_PASSWORD_HASH)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_models, "generate_password_hash", fast)
        patch.setattr(account_services, "_DUMMY_HASH", fast("not a real password"))
        yield


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Flask reuses an app context that is already pushed (the `app` fixture pushes one for
    the test's own queries); sharing it would share `g` and the database session between
    the test and its requests. The test's session is also closed first, so a request
    never waits on a transaction the test left open.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.remove()
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_app(url: str, **overrides):
    config = {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url}
    if url.startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"], **NO_FLUSH}
    app = create_app({**config, **overrides})
    app.test_client_class = IsolatedClient
    return app


def _postgres_database_beside(url: str, suffix: str) -> str:
    """The URL of a database named after url's with the suffix, created when missing."""
    given = make_url(url)
    name = f"{given.database}_{suffix}"
    server = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.exec_driver_sql(
                f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                "LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            )
    server.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def _migrate_from_nothing(url: str) -> None:
    """The full schema in the database at url, whatever it held before."""
    app = build_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database URL (PostgreSQL) or file (SQLite) holding the fully migrated schema; on
    PostgreSQL, this worker's own database beside TEST_DATABASE_URL's (`registry_ci_gw0`)."""
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)
        if XDIST_WORKER:
            url = _postgres_database_beside(url, XDIST_WORKER)
        _migrate_from_nothing(url)
        return url
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    _migrate_from_nothing(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def worker_database(migrated_database, tmp_path_factory):
    """The URL of the database this worker's tests use, one after another."""
    if TEST_DATABASE_URL:
        return migrated_database
    return f"sqlite:///{tmp_path_factory.mktemp('worker') / 'registry.sqlite3'}"


@pytest.fixture
def database_url(request, migrated_database, worker_database):
    """The worker's database, fresh: as migrated, or holding the demo data of the test's
    demo_data marker (see DemoDatabases)."""
    if not TEST_DATABASE_URL:
        _restore_sqlite(migrated_database, worker_database.removeprefix("sqlite:///"))
    marker = request.node.get_closest_marker("demo_data")
    if marker:
        demo_databases = request.getfixturevalue("demo_databases")
        demo_databases.write_into(demo_databases.get(marker.args), worker_database)
    yield worker_database
    if TEST_DATABASE_URL:
        _empty_postgres(worker_database)


def _restore_sqlite(template, path: str) -> None:
    """Write the template over the worker's database through SQLite's backup API, which
    connections still open on it (an app a test built itself) see as one more write."""
    source, target = sqlite3.connect(template), sqlite3.connect(path, timeout=15)
    try:
        target.execute("PRAGMA synchronous = OFF")  # a test database need not survive a crash
        source.backup(target)
    finally:
        target.close()
        source.close()


@dataclass
class _Emptier:
    """How to empty a PostgreSQL test database, worked out once per worker."""

    engine: object
    statement: str


_emptiers: dict[str, _Emptier] = {}


def _empty_postgres(url: str) -> None:
    """Empty every table and restart their ids, as TRUNCATE ... RESTART IDENTITY would.

    TRUNCATE gives each table and index a new file (over a second for the schema's forty
    tables, most of the PostgreSQL pass); deleting the few rows a test wrote takes
    milliseconds. The audit log's triggers, and the foreign keys' (so the order does not
    matter), are bypassed as a replica would."""
    emptier = _emptiers.get(url) or _emptiers.setdefault(url, _emptier_for(url))
    with emptier.engine.begin() as connection:
        connection.exec_driver_sql(emptier.statement)


def _emptier_for(url: str) -> _Emptier:
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "audit_chain_head"]
    engine = create_engine(url, **NO_FLUSH)
    with engine.connect() as connection:
        sequences = connection.execute(
            text(
                "SELECT s.relname FROM pg_class s"
                " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                " JOIN pg_class t ON t.oid = d.refobjid"
                " WHERE s.relkind = 'S' AND t.relname = ANY(:tables)"
            ),
            {"tables": tables},
        ).scalars()
        restarts = ", ".join(f"setval('{name}', 1, false)" for name in sorted(sequences))
    statement = "; ".join(
        [
            "SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {name}" for name in reversed(tables)),
            f"UPDATE audit_chain_head SET seq = 0, hash = '{'0' * 64}'",
            f"SELECT {restarts}",
        ]
    )
    return _Emptier(engine, statement)


@dataclass
class WorkerApp:
    """The app this worker's tests share, and its configuration as built."""

    app: Flask
    config: dict

    def reset(self) -> None:
        """Undo what a test did to the app: its configuration and its rate-limit counts."""
        self.app.config.clear()
        self.app.config.update(copy.deepcopy(self.config))
        limiter.init_app(self.app)  # fresh in-memory counts, even if another app took it


@pytest.fixture(scope="session")
def worker_app(worker_database):
    app = build_app(worker_database)
    return WorkerApp(app, copy.deepcopy(dict(app.config)))


@pytest.fixture
def app(request, database_url, worker_database, worker_app, tmp_path):
    """The worker's app on a fresh database. A test marked own_app (it adds routes), or on
    another database (a module's own `database_url`), gets an app of its own."""
    shared = database_url == worker_database and not request.node.get_closest_marker("own_app")
    if shared:
        worker_app.reset()
    app = worker_app.app if shared else build_app(database_url)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        # The test's own rows stay readable after its requests close its session.
        db.session.configure(expire_on_commit=False)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client) -> str:
    """The CSRF token of the client's session, as every page carries it."""
    page = client.get("/", follow_redirects=True)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser would, with the session's CSRF token and, unless `data`
    gives one, a fresh one-time token (a creating form's, as if its page had just been shown)."""
    fields = {"csrf_token": csrf_token(client), "submission_token": new_token(), **(data or {})}
    return client.post(url, data=fields, **kwargs)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return post_form(self._client, "/login", {"email": email, "password": password, **extra})

    def logout(self):
        return post_form(self._client, "/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_account(app):
    """Create a committed account: make_account("regulator", email=..., active=...)."""
    counter = iter(range(1, 10_000))

    def make(
        role: str = "regulator",
        *,
        email: str | None = None,
        password: str = PASSWORD,
        active: bool = True,
        must_change_password: bool = False,
        name: str | None = None,
    ):
        email = email or f"{role}{next(counter)}@example.org"
        account = account_services.create_account(
            SYSTEM,
            email=email,
            display_name=name or f"Test {role}",
            role=role,
            password=password,
            must_change_password=must_change_password,
        )
        if not active:
            account.active = False
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_agency(app):
    """Create a committed agency: make_agency("active", name=..., users=[account])."""
    rng = random.Random(20261128)
    counter = iter(range(1, 100_000))

    def make(
        status: str = "active",
        *,
        name: str | None = None,
        category: str = "surveying",
        credit_code: str | None = None,
        town: str = "澄江街道",
        users=(),
    ):
        number = next(counter)
        agency = Agency(
            credit_code=credit_code or generate_credit_code(rng),
            status=status,
            category=category,
            district="江阴市",
            town=town,
            address=f"江阴市测试路{number}号",
            contact_person="张联系",
            phone="0510-86000000",
            legal_representative="李法人",
        )
        agency.set_name(name or f"江阴测试测绘有限公司{number}")
        db.session.add(agency)
        db.session.flush()
        for account in users:
            db.session.merge(account).agency_id = agency.id
        db.session.commit()
        return agency

    return make


@pytest.fixture
def make_service_item(app):
    """Create a committed catalogue item; government-guided ones get a cap in force."""
    counter = iter(range(1, 100_000))

    def make(
        code: str | None = None,
        *,
        pricing: str = "market",
        cap: str | None = None,
        statutory_days: int = 20,
        category: str = "surveying",
        unit: str = "项",
        name: str | None = None,
    ):
        number = next(counter)
        item = ServiceItem(
            code=code or f"T-{number:03d}",
            name=name or f"测试服务{number}",
            category=category,
            legal_basis="《测试条例》第十条",
            pricing_type=pricing,
            unit=unit,
            statutory_days=statutory_days,
            acceptance_conditions="材料齐全",
            materials="申请书",
            procedure="1. 受理\n2. 办理\n3. 出具报告",
        )
        if pricing == "government_guided":
            item.caps.append(
                FeeCap(
                    cap_fen=fen(Decimal(cap or "1000")),
                    basis="苏价服〔2020〕1号",
                    effective_from=date(2020, 1, 1),
                )
            )
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def login_as(make_account, auth):
    """Create an account with the role and sign the test client in as it."""

    def sign_in(role: str, **kwargs):
        account = make_account(role, **kwargs)
        response = auth.login(account.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return account

    return sign_in


@pytest.fixture
def race(app):
    """Run acts "at once", each in its own thread, app context and database session, the way
    two people's requests do: race(act_a, act_b) returns what each returned, or the exception
    it raised. Each act is a generator: what it does before its `yield` (reading the rows,
    as a request does before it decides) happens for every act before any goes on; what
    follows is the decision, committed if it returns and rolled back if it raises.

    On PostgreSQL the acts really overlap (behind a barrier), so a state checked without a
    row lock is checked by both. On SQLite, whose write transactions begin IMMEDIATE and so
    run one after another, the acts run in turn, each from its first read to its commit.
    """
    import threading

    def run(*acts):
        db.session.remove()  # the test's own transaction must not hold a lock the acts need
        results: list = [None] * len(acts)
        concurrent = db.engine.dialect.name == "postgresql"
        barrier = threading.Barrier(len(acts)) if concurrent else None

        def play(index, act):
            with app.app_context():
                steps = act()
                try:
                    next(steps)
                    if barrier is not None:
                        barrier.wait(timeout=30)
                    try:
                        next(steps)
                    except StopIteration as done:
                        results[index] = done.value
                    else:
                        raise AssertionError("a race act yields once, between reading and acting")
                    db.session.commit()
                except Exception as error:  # the refusal (or crash) is the act's outcome
                    db.session.rollback()
                    if barrier is not None:
                        barrier.abort()
                    results[index] = error
                finally:
                    db.session.remove()

        if not concurrent:
            for index, act in enumerate(acts):
                play(index, act)
            return results
        threads = [threading.Thread(target=play, args=pair) for pair in enumerate(acts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a race act never finished"
        return results

    return run


# --- demo data, loaded once per worker -------------------------------------------------------


@dataclass(frozen=True)
class CommandOutcome:
    """What a `flask demo ...` command said while it built a demo database."""

    exit_code: int
    output: str


@dataclass
class DemoDatabase:
    """A database holding demo data, and what each command said while loading it."""

    url: str
    outcomes: dict[str, CommandOutcome]


class DemoDatabases:
    """Demo data loaded once per worker into a database of its own, and written into the
    worker's database for each test marked @pytest.mark.demo_data("accounts", "load") (the
    `flask demo` commands, in order). SQLite writes the file back as for any test;
    PostgreSQL copies the rows (COPY) into the emptied tables, which the test's end empties
    again: no database is created or dropped per test (DROP DATABASE waits for a
    checkpoint, seconds on a busy server)."""

    def __init__(self, migrated_database, folder):
        self.migrated_database = migrated_database
        self.folder = folder
        self.built: dict[tuple[str, ...], DemoDatabase] = {}

    def get(self, commands: tuple[str, ...]) -> DemoDatabase:
        if commands not in self.built:
            self.built[commands] = self._build(commands, f"demo{len(self.built)}")
        return self.built[commands]

    def _build(self, commands: tuple[str, ...], name: str) -> DemoDatabase:
        if TEST_DATABASE_URL:
            url = _postgres_database_beside(self.migrated_database, name)
            _migrate_from_nothing(url)
        else:
            path = self.folder / f"{name}.sqlite3"
            shutil.copyfile(self.migrated_database, path)
            url = f"sqlite:///{path}"
        app = build_app(url, DEMO_MODE=True)
        runner = app.test_cli_runner()
        outcomes = {}
        with app.app_context():
            for command in commands:
                result = runner.invoke(args=["demo", command])
                assert result.exit_code == 0, result.output
                outcomes[command] = CommandOutcome(result.exit_code, result.output)
            db.session.remove()
            db.engine.dispose()
        return DemoDatabase(url, outcomes)

    def write_into(self, demo: DemoDatabase, url: str) -> None:
        """Make the (empty) database at url hold the demo data."""
        if TEST_DATABASE_URL:
            _copy_postgres_rows(demo.url, url)
        else:
            _restore_sqlite(demo.url.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _copy_postgres_rows(source_url: str, target_url: str) -> None:
    """Copy every table's rows and every id sequence's position from one database into
    another of the same schema whose tables are empty (but for the audit chain's head)."""
    tables = [table.name for table in db.metadata.sorted_tables]
    with (
        psycopg.connect(_libpq(source_url)) as source,
        psycopg.connect(_libpq(target_url)) as target,
    ):
        target.execute("SET session_replication_role = replica")
        target.execute("DELETE FROM audit_chain_head")
        for table in tables:
            with (
                source.cursor().copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as rows,
                target.cursor().copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as into,
            ):
                for chunk in rows:
                    into.write(chunk)
        sequences = source.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' ORDER BY relname"
        ).fetchall()
        for (sequence,) in sequences:
            last_value, is_called = source.execute(
                f"SELECT last_value, is_called FROM {sequence}"
            ).fetchone()
            target.execute("SELECT setval(%s, %s, %s)", (sequence, last_value, is_called))


@pytest.fixture(scope="session")
def demo_databases(migrated_database, tmp_path_factory):
    return DemoDatabases(migrated_database, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_data(request, demo_databases) -> dict[str, CommandOutcome]:
    """What each `flask demo` command of the test's demo_data marker said when it loaded the
    demo database this test starts from: demo_data["load"].output."""
    marker = request.node.get_closest_marker("demo_data")
    assert marker, "demo_data needs @pytest.mark.demo_data('load', ...)"
    return demo_databases.get(marker.args).outcomes


def pytest_collection_modifyitems(items):
    """Tests on demo data are slow."""
    for item in items:
        if item.get_closest_marker("demo_data"):
            item.add_marker(pytest.mark.slow)
