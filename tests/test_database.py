"""The schema comes from the migrations alone, and SQLite is tuned for several workers."""

import threading
import warnings

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from registry.accounts.permissions import SYSTEM
from registry.audit.services import record, verify_chain
from registry.db import db, include_in_autogenerate, reading_only, write_expected
from tests.conftest import TEST_DATABASE_URL, build_app

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite connection settings")


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        with warnings.catch_warnings():
            # Expression indexes (HAND_MADE_INDEXES) are not reflected, and not compared.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.mark.slow
def test_migrations_go_down_to_nothing_and_up_again(app):
    flask_migrate.downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = db.inspect(connection).get_table_names()
    assert set(tables) <= {"alembic_version"}
    flask_migrate.upgrade()
    record("test.event", actor=SYSTEM)
    db.session.commit()
    assert verify_chain().intact


@sqlite_only
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app):
    with db.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 15000,
        "synchronous": 1,
    }


@sqlite_only
def test_sqlite_reads_the_database_through_memory_maps(app):
    with db.engine.connect() as connection:
        mapped = connection.exec_driver_sql("PRAGMA mmap_size").scalar()
    assert mapped == app.config["SQLITE_MMAP_SIZE_MB"] * 1024 * 1024 > 0


def test_reads_in_requests_do_not_expect_to_write(app):
    with app.test_request_context(method="GET"):
        assert not write_expected()
    with app.test_request_context(method="POST"):
        assert write_expected()
    assert write_expected(), "commands write"
    with reading_only():
        assert not write_expected()


def test_concurrent_writers_queue_instead_of_failing(database_url):
    """Workers that read then write at once queue (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    chain head's row lock), and the chain stays one unbroken line."""
    app = build_app(database_url)
    errors, barrier = [], threading.Barrier(4)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(10):
                    db.session.execute(text("SELECT count(*) FROM audit_event")).scalar()
                    record("test.concurrent", actor=SYSTEM)
                    db.session.commit()
            except Exception as error:  # collected for the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        report = verify_chain()
    assert report.intact
    assert report.checked == 40


@sqlite_only
def test_without_immediate_the_same_work_can_fail(database_url):
    """The reason for BEGIN IMMEDIATE: a deferred read-then-write upgrade is refused."""
    path = database_url.removeprefix("sqlite:///")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.5})
    first, second = engine.raw_connection(), engine.raw_connection()
    for connection in (first, second):
        connection.driver_connection.isolation_level = None
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM account").fetchall()
    first.execute("INSERT INTO audit_chain_head (id, seq, hash) VALUES (2, 0, 'x')")
    with pytest.raises(Exception, match="locked"):
        second.execute("INSERT INTO audit_chain_head (id, seq, hash) VALUES (3, 0, 'y')")
    first.execute("ROLLBACK")
    second.execute("ROLLBACK")
    first.close()
    second.close()
    engine.dispose()


def test_a_row_lock_waits_for_a_writer_holding_the_audit_chain_instead_of_deadlocking(
    app, make_agency, race
):
    """A change that recorded itself (holding the audit chain's head) and then updates an
    agency, against a change that locks that agency and then records itself: lock() takes
    the head first, so the second waits for the first instead of each waiting on the other."""
    import time

    from registry.agencies.models import Agency
    from registry.db import lock

    agency_id = make_agency("active").id

    def records_then_updates():
        agency = db.session.get(Agency, agency_id)
        yield
        record("test.first", actor=SYSTEM, obj=agency)
        db.session.flush()
        time.sleep(0.3)  # the other change locks the agency meanwhile
        agency.phone = "0510-1"
        db.session.flush()

    def locks_then_records():
        agency = db.session.get(Agency, agency_id)
        yield
        time.sleep(0.1)
        lock(agency)
        agency.phone = "0510-2"
        record("test.second", actor=SYSTEM, obj=agency)

    assert race(records_then_updates, locks_then_records) == [None, None]
    assert db.session.get(Agency, agency_id).phone == "0510-2"
    assert verify_chain().intact


def test_a_lock_keeps_what_the_transaction_already_changed_in_the_row(app, make_agency):
    from registry.agencies.models import Agency
    from registry.db import lock

    agency = db.session.get(Agency, make_agency("active").id)
    agency.phone = "0510-3"  # not yet flushed
    lock(agency)
    assert agency.phone == "0510-3"
    db.session.rollback()
