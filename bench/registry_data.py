"""Registry data benchmark: demo load, bulk generation and CSV import, timed in one run.

Run with `make bench` or `.venv/bin/python bench/registry_data.py [--agencies N]`; set
BENCH_DATABASE_URL to a throwaway PostgreSQL database to measure there (its tables are
dropped and rebuilt). Every figure comes from this one run on this machine.
"""

import argparse
import csv
import os
import random
import tempfile
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import func, select, text

from registry import create_app
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import Agency
from registry.db import db

IMPORT_ROWS = 10_000
COLUMNS = (
    "credit_code",
    "name",
    "category",
    "district",
    "town",
    "address",
    "contact_person",
    "phone",
    "legal_representative",
    "email",
    "business_scope",
    "status",
)


def build_app(folder: Path):
    """A migrated, empty registry in demo mode on SQLite or BENCH_DATABASE_URL."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "DEMO_MODE": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def timed(runner, *args: str) -> float:
    """Seconds one flask command takes; it must succeed."""
    start = time.perf_counter()
    result = runner.invoke(args=list(args))
    elapsed = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}")
    return elapsed


def write_import_file(path: Path, rows: int) -> None:
    """A regulator's CSV of new agencies, UTF-8 with a BOM as spreadsheets save it."""
    rng = random.Random(99)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(rows):
            writer.writerow(
                [
                    generate_credit_code(rng, prefix="91320281"),
                    f"江阴基准测绘第{number}有限公司",
                    "surveying",
                    "江阴市",
                    "澄江街道",
                    f"江阴市基准路{number}号",
                    "张三",
                    "0510-86000000",
                    "李四",
                    "",
                    "工程测量",
                    "active",
                ]
            )


def agency_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Agency.id))).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=200_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        app = build_app(folder)
        runner = app.test_cli_runner()
        backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        load = timed(runner, "demo", "load")
        reload = timed(runner, "demo", "load")
        generate = timed(runner, "demo", "generate", "--agencies", str(options.agencies))
        csv_file = folder / "agencies.csv"
        write_import_file(csv_file, IMPORT_ROWS)
        first_import = timed(runner, "agencies", "import", str(csv_file))
        second_import = timed(runner, "agencies", "import", str(csv_file))
        total = agency_count(app)
    print(f"Registry data on {backend}, {total} agencies at the end")
    print(
        f"  flask demo load                 {load:7.2f} s   (second run, nothing new: "
        f"{reload:.2f} s)"
    )
    print(
        f"  flask demo generate {options.agencies:>7}    {generate:7.2f} s   "
        f"({options.agencies / generate:,.0f} agencies/s)"
    )
    print(
        f"  flask agencies import {IMPORT_ROWS} new {first_import:6.2f} s   "
        f"({IMPORT_ROWS / first_import:,.0f} rows/s)"
    )
    print(
        f"  same file again                 {second_import:7.2f} s   "
        f"({first_import / second_import:.0f}x faster: unchanged rows write nothing)"
    )


if __name__ == "__main__":
    main()
