"""Foundation benchmark: the audit chain's cost, and SQLite writers with and without IMMEDIATE.

Run with `make bench` (or `.venv/bin/python bench/foundation.py`). Every figure is measured
in this one run on this machine; compare the ratios, not the absolute numbers.
"""

import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from registry import create_app
from registry.accounts.permissions import SYSTEM
from registry.audit.services import record, verify_chain
from registry.db import db

EVENTS = 3000
WRITERS = 4
TRANSACTIONS_PER_WRITER = 100
BUSY_TIMEOUT_MS = 5000
WORK_BETWEEN_READ_AND_WRITE_S = 0.002


def build_app(folder: Path):
    """A migrated SQLite app in a scratch folder."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app


def bench_audit(app) -> dict:
    """Events recorded per second (one transaction each) and verified per second."""
    with app.app_context():
        start = time.perf_counter()
        for number in range(EVENTS):
            record("bench.event", actor=SYSTEM, details={"n": number})
            db.session.commit()
        recorded = time.perf_counter() - start
        start = time.perf_counter()
        report = verify_chain()
        verified = time.perf_counter() - start
        if not report.intact or report.checked != EVENTS:
            raise SystemExit(f"audit chain broken during the benchmark: {report.problem}")
        start = time.perf_counter()
        for number in range(EVENTS):
            db.session.execute(text("INSERT INTO bench_plain (n) VALUES (:n)"), {"n": number})
            db.session.commit()
        plain = time.perf_counter() - start
    return {
        "record_per_s": EVENTS / recorded,
        "verify_per_s": EVENTS / verified,
        "plain_insert_per_s": EVENTS / plain,
    }


def read_then_write(connect, begin: str) -> tuple[int, int, float]:
    """WRITERS threads each run read-then-write transactions; count commits and lock errors."""
    committed, failed, lock = [0], [0], threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer():
        connection = connect()
        barrier.wait()
        for number in range(TRANSACTIONS_PER_WRITER):
            try:
                connection.execute(begin)
                connection.execute("SELECT count(*) FROM bench_plain").fetchone()
                time.sleep(WORK_BETWEEN_READ_AND_WRITE_S)  # a request renders, hashes, checks
                connection.execute("INSERT INTO bench_plain (n) VALUES (?)", (number,))
                connection.execute("COMMIT")
                with lock:
                    committed[0] += 1
            except sqlite3.OperationalError:
                connection.execute("ROLLBACK")
                with lock:
                    failed[0] += 1
        connection.close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return committed[0], failed[0], time.perf_counter() - start


def bench_writers(path: Path) -> dict:
    """The same contended workload begun DEFERRED (pysqlite's habit) and IMMEDIATE (ours)."""

    def connect():
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    results = {}
    for begin in ("BEGIN DEFERRED", "BEGIN IMMEDIATE"):
        committed, failed, elapsed = read_then_write(connect, begin)
        results[begin] = {"committed": committed, "locked": failed, "tx_per_s": committed / elapsed}
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        app = build_app(folder)
        with app.app_context():
            db.session.execute(text("CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, n INT)"))
            db.session.commit()
        audit = bench_audit(app)
        writers = bench_writers(folder / "bench.sqlite3")
    total = WRITERS * TRANSACTIONS_PER_WRITER
    print(f"Audit chain, SQLite, {EVENTS} events, one transaction each")
    print(f"  plain insert        {audit['plain_insert_per_s']:8.0f} /s")
    cost = audit["plain_insert_per_s"] / audit["record_per_s"]
    print(
        f"  audit record()      {audit['record_per_s']:8.0f} /s   "
        f"({cost:.2f}x the cost of a plain insert)"
    )
    print(
        f"  flask audit verify  {audit['verify_per_s']:8.0f} /s   "
        f"({audit['verify_per_s'] / audit['record_per_s']:.1f}x faster than recording)"
    )
    print(f"SQLite read-then-write, {WRITERS} writers x {TRANSACTIONS_PER_WRITER} transactions")
    for begin, figures in writers.items():
        print(
            f"  {begin:<16} committed {figures['committed']:4d}/{total}  "
            f"'database is locked' {figures['locked']:4d}  {figures['tx_per_s']:7.0f} tx/s"
        )


if __name__ == "__main__":
    main()
