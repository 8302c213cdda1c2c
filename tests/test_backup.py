"""flask backup create copies the database while the registry runs; the copy restores, as
docs/operator.md says, into a database whose audit chain verifies and whose rows are there."""

import shutil
import sqlite3
import subprocess
import uuid

import psycopg
import pytest
from sqlalchemy import make_url, select

from registry.accounts.models import Account
from registry.db import db
from tests.conftest import TEST_DATABASE_URL, build_app

only_sqlite = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="a SQLite backup")
only_postgresql = pytest.mark.skipif(not TEST_DATABASE_URL, reason="a PostgreSQL backup")
with_pg_tools = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore are not installed",
)


def restored_app_reads_back(url: str, email: str, tmp_path) -> None:
    """The restored database: `flask audit verify` passes, and the account is there."""
    app = build_app(url)
    app.instance_path = str(tmp_path / "restored-instance")
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "Audit chain intact" in verified.output
    with app.app_context():
        found = db.session.execute(select(Account.email).where(Account.email == email)).scalar()
        db.engine.dispose()
    assert found == email


@only_sqlite
def test_a_sqlite_backup_restores_into_a_fresh_file(app, runner, make_account, tmp_path):
    make_account("regulator", email="kept@example.org")
    backup = tmp_path / "backups" / "registry-backup.sqlite3"
    result = runner.invoke(args=["backup", "create", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"to {backup}" in result.stdout
    assert "secret_key" in result.stderr
    assert "signing_key.pem" in result.stderr  # not in the backup: copied separately
    assert not backup.with_name(backup.name + "-wal").exists()  # one self-contained file
    assert backup.stat().st_mode & 0o777 == 0o600

    restored = tmp_path / "restored" / "registry.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    restored_app_reads_back(f"sqlite:///{restored}", "kept@example.org", tmp_path)


@only_sqlite
def test_a_sqlite_backup_does_not_wait_for_a_write_nor_copy_it_unfinished(
    app, runner, make_account, database_url, tmp_path
):
    make_account("regulator", email="committed@example.org")
    writer = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # someone's write, under way for the whole backup
    writer.execute("UPDATE account SET display_name = 'unfinished'")
    backup = tmp_path / "during-a-write.sqlite3"
    try:
        result = runner.invoke(args=["backup", "create", str(backup)])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(backup)
    names = [name for (name,) in copy.execute("SELECT display_name FROM account")]
    copy.close()
    assert names == ["Test regulator"]


def test_an_existing_file_is_not_replaced_unless_asked(app, runner, tmp_path):
    backup = tmp_path / "taken.bak"
    backup.write_text("an older backup")
    refused = runner.invoke(args=["backup", "create", str(backup)])
    assert refused.exit_code == 1
    assert "exists" in refused.output
    assert backup.read_text() == "an older backup"


@only_postgresql
@with_pg_tools
def test_a_postgresql_backup_restores_into_a_fresh_database(
    app, runner, make_account, database_url, tmp_path
):
    make_account("regulator", email="kept@example.org")
    backup = tmp_path / "registry.dump"
    result = runner.invoke(args=["backup", "create", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_mode & 0o777 == 0o600

    server = make_url(database_url).set(drivername="postgresql")
    scratch = f"{server.database}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.render_as_string(False), autocommit=True) as admin:
        admin.execute(
            f"CREATE DATABASE \"{scratch}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8'"
            " LC_CTYPE 'C.UTF-8' TEMPLATE template0"
        )
        try:
            restored_url = server.set(database=scratch).render_as_string(False)
            restore = subprocess.run(
                [
                    "pg_restore",
                    f"--dbname={restored_url}",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    str(backup),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            assert restore.returncode == 0, restore.stderr
            restored_app_reads_back(restored_url, "kept@example.org", tmp_path)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@only_postgresql
def test_a_missing_pg_dump_is_named(app, runner, tmp_path):
    result = runner.invoke(
        args=["backup", "create", str(tmp_path / "x.dump"), "--pg-dump", "/nowhere/pg_dump"]
    )
    assert result.exit_code == 1
    assert "/nowhere/pg_dump not found" in result.output
    assert "postgresql-client" in result.output


@only_postgresql
def test_a_pg_dump_older_than_the_server_is_refused(app, runner, tmp_path):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    result = runner.invoke(args=["backup", "create", str(tmp_path / "x.dump"), "--pg-dump", old])
    assert result.exit_code == 1
    assert "older than the server" in result.output
    assert not (tmp_path / "x.dump").exists()
