"""Fixtures in the Flask tutorial's shape: app, client, runner, auth, and factories.

Tests run on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The
schema is built once per run with the real migrations; each test then gets a fresh copy
(SQLite: a copy of the migrated file; PostgreSQL: tables emptied after the test).
"""

import contextvars
import os
import random
import re
import shutil
from datetime import date
from decimal import Decimal

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from registry import create_app
from registry.accounts import services as account_services
from registry.accounts.permissions import SYSTEM
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Agency, FeeCap, ServiceItem, fen
from registry.config import normalise_database_url
from registry.db import db
from registry.submissions.services import new_token

PASSWORD = "correct horse battery 2026"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "DEMO_MODE": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 5 minutes",
}


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite'}"


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
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **overrides})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database URL (PostgreSQL) or file (SQLite) holding the fully migrated schema."""
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)
        app = build_app(url)
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            flask_migrate.upgrade()
            db.engine.dispose()
        return url
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    app = build_app(f"sqlite:///{path}")
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if TEST_DATABASE_URL:
        yield migrated_database
        _empty_postgres(migrated_database)
        return
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(migrated_database, path)
    yield f"sqlite:///{path}"


def _empty_postgres(url: str) -> None:
    """Empty every table; the audit log's triggers are bypassed as a replica would."""
    app = build_app(url)
    with app.app_context(), db.engine.begin() as connection:
        tables = [t.name for t in db.metadata.sorted_tables if t.name != "audit_chain_head"]
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(text(f"UPDATE audit_chain_head SET seq = 0, hash = '{'0' * 64}'"))
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    app = build_app(database_url)
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
