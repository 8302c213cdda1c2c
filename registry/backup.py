"""flask backup create PATH: a consistent copy of the database, taken while the registry runs.

SQLite: SQLite's online backup API copies every page in one read transaction (in WAL mode
writers go on meanwhile), checks the copy and makes it one self-contained file. PostgreSQL:
`pg_dump --format=custom`, restored with pg_restore (docs/operator.md "Backup and restore").

The instance secrets are not in the backup: the signing key lets anyone sign receipts in the
registry's name, and a database copy travels to places less guarded than the server. The
command names the files to copy separately.
"""

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import URL

from registry.commitments.keys import key_file
from registry.db import db

backup_cli = AppGroup("backup", help="Back up the database (docs/operator.md, Backup and restore).")

VERSION = re.compile(r"\b(\d+)(?:\.(\d+))?")


class BackupError(click.ClickException):
    """A backup that could not be made, and what to do about it."""


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option(
    "--pg-dump",
    "pg_dump",
    default="pg_dump",
    envvar="PG_DUMP",
    show_default=True,
    help="PostgreSQL: the pg_dump program (its major version at least the server's).",
)
def create(path: Path, force: bool, pg_dump: str) -> None:
    """Copy the database to PATH while the registry runs."""
    if path.exists() and not force:
        raise BackupError(f"{path} exists; choose another name, or --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        events = backup_sqlite(Path(url.database), path)
        click.echo(f"Backed up {url.database} to {path}: {_size(path)}, {events} audit events.")
    elif url.get_backend_name() == "postgresql":
        backup_postgresql(url, path, pg_dump)
        click.echo(f"Backed up PostgreSQL database {url.database} to {path}: {_size(path)}.")
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    for line in secrets_reminder():
        click.echo(line, err=True)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the SQLite database page by page in one read transaction, check the copy, and
    leave it as one file (no -wal); return how many audit events it holds."""
    partial = _private_file(target)
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(partial)
    try:
        origin.execute(f"PRAGMA busy_timeout = {int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        origin.backup(copy)
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy fails SQLite's check ({check}); nothing was written")
        copy.execute("PRAGMA journal_mode = DELETE")
        events = copy.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        origin.close()
    copy.close()
    os.replace(partial, target)
    return events


def backup_postgresql(url: URL, target: Path, pg_dump: str) -> None:
    """pg_dump --format=custom of the database, after checking the program can dump it."""
    program = shutil.which(pg_dump)
    if program is None:
        raise BackupError(
            f"{pg_dump} not found: install PostgreSQL's client programs of the server's major "
            "version or newer (Debian: apt install postgresql-client), or name the program "
            "with --pg-dump or PG_DUMP"
        )
    server = server_major_version()
    client = program_major_version(program)
    if client < server:
        raise BackupError(
            f"{program} is PostgreSQL {client}, older than the server ({server}): pg_dump "
            f"cannot dump a newer server; install postgresql-client-{server} and name it with "
            "--pg-dump"
        )
    partial = _private_file(target)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(False)
    done = subprocess.run(  # noqa: S603 - the operator's own pg_dump and database
        [program, "--format=custom", f"--file={partial}", f"--dbname={conninfo}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    os.replace(partial, target)


def server_major_version() -> int:
    with db.engine.connect() as connection:
        number = int(connection.exec_driver_sql("SHOW server_version_num").scalar())
    return number // 10000


def program_major_version(program: str) -> int:
    """The major version `pg_dump --version` prints: "pg_dump (PostgreSQL) 15.20 (Debian)"."""
    printed = subprocess.run(  # noqa: S603
        [program, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = VERSION.search(printed.partition(")")[2] or printed)
    if found is None:
        raise BackupError(f"cannot read the version of {program}: {printed.strip()!r}")
    return int(found.group(1))


def secrets_reminder() -> list[str]:
    """The files a full restore needs besides the database, which the backup leaves out."""
    lines = ["Not in the backup; copy separately to a place as guarded as this server:"]
    if os.environ.get("SECRET_KEY"):
        lines.append("  the SECRET_KEY environment variable (sessions)")
    else:
        lines.append(f"  {Path(current_app.instance_path) / 'secret_key'} (sessions)")
    lines.append(f"  {key_file()} (signs commitment receipts; anyone holding it can forge them)")
    return lines


def _private_file(target: Path) -> Path:
    """An empty file beside the target, readable by its owner only (a backup holds every
    account and complaint), to be renamed into place once complete."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return partial


def _size(path: Path) -> str:
    megabytes = path.stat().st_size / 2**20
    return f"{megabytes:.1f} MB"
