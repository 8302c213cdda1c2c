"""The declarative base, the shared `db` object, and the SQLite connection discipline."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from psycopg import sql
from sqlalchemy import MetaData, Table, bindparam, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import sqltypes

from registry import dates

log = logging.getLogger(__name__)

# Named constraints from the first migration on, so Alembic can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LIKE_ESCAPE = "\\"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


# Search structures the migrations create by hand (FTS5 tables and their shadow tables on
# SQLite, trigram, character and order indexes); the models do not describe them.
HAND_MADE_TABLE_PREFIXES = ("agency_fts", "agency_chars")
HAND_MADE_INDEXES = frozenset(
    {
        "ix_agency_name_trgm",
        "ix_agency_pinyin_trgm",
        "ix_agency_name_chars",
        "ix_agency_name_grams",
        "ix_agency_search_order",
        "ix_agency_stars_order",
    }
)


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: leave the hand-made search structures out of comparisons."""
    if type_ == "table" and name and name.startswith(HAND_MADE_TABLE_PREFIXES):
        return False
    return not (type_ == "index" and name in HAND_MADE_INDEXES)


def insert_rows(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples (in `columns` order) on the session's connection, without a Core
    insert's per-row parameter handling: for bulk writes of many small rows (1.3 million
    monthly rating rows cost 9 s that way on SQLite, and 29 s as a psycopg executemany on
    PostgreSQL, against about 2 s as one COPY). Values are what their column's type takes
    (a date, a number...), converted here as the type converts them, except a JSON column's,
    given as its JSON text."""
    if not rows:
        return
    connection = db.session.connection()
    writer = _RowWriter.of(table, columns, connection.dialect)
    rows = writer.prepared(rows)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(writer.statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.exec_driver_sql(writer.statement, rows)


class _RowWriter:
    """How insert_rows writes a table's columns on a dialect, worked out once: the statement
    (COPY FROM STDIN on PostgreSQL, a plain INSERT on SQLite, whose parameters come in the
    table's column order), and each column's conversion."""

    @classmethod
    @lru_cache(maxsize=16)
    def of(cls, table: Table, columns: tuple[str, ...], dialect) -> "_RowWriter":
        return cls(table, columns, dialect)

    def __init__(self, table: Table, columns: tuple[str, ...], dialect):
        self.converters = []  # (position, conversion): on SQLite, dates and decimals
        for position, name in enumerate(columns):
            column_type = table.c[name].type
            if isinstance(column_type, sqltypes.JSON):
                continue  # given as its JSON text
            convert = column_type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                self.converters.append((position, convert))
        self.order = None  # the positions of the statement's parameters, if not in order
        if dialect.name == "postgresql":
            self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            return
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        self.statement = str(compiled)
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            self.order = order

    def prepared(self, rows: list[tuple]) -> list:
        """The rows as the statement takes them: converted, in its parameters' order."""
        if not self.converters and self.order is None:
            return rows
        found = []
        for row in rows:
            row = list(row)
            for position, convert in self.converters:
                row[position] = convert(row[position])
            found.append(tuple(row) if self.order is None else tuple(row[i] for i in self.order))
        return found


class IdScope:
    """A set of ids as a statement selects them, with parameters bound at execution (so the
    statement is built and compiled once): many by their range, since a long IN list costs
    more to bind than the rows outside the set cost to skip; a few by a list. exact (for
    writes): by their range only when they fill it."""

    range_from = 200  # from this many ids on, by their range

    def __init__(self, ids, *, exact: bool = False):
        self.ids = sorted(set(ids))
        self.members = set(self.ids)
        self.dense = bool(self.ids) and self.ids[-1] - self.ids[0] + 1 == len(self.ids)
        self.by_range = len(self.ids) >= self.range_from and (self.dense or not exact)

    @staticmethod
    def condition(column, by_range: bool):
        """SQL: the column holds one of the ids (or one in their range) bound as params."""
        if by_range:
            return column.between(bindparam("first_id"), bindparam("last_id"))
        return column.in_(bindparam("ids", expanding=True))

    @property
    def params(self) -> dict:
        if self.by_range:
            return {"first_id": self.ids[0], "last_id": self.ids[-1]}
        return {"ids": self.ids}

    def rows(self, connection, query) -> list:
        """The query's rows (id first) of the set's ids, as the driver's own tuples: for
        columns of numbers and strings, a Row object for each of millions of grouped rows
        cost more than the grouping."""
        result = connection.execute(query, self.params)
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
        return self.keep(rows)

    def keep(self, rows, id_of=lambda row: row[0]) -> list:
        """The rows (id first, or as id_of says) of the set's ids: a range may hold others."""
        if not self.by_range or self.dense:
            return list(rows)
        return [row for row in rows if id_of(row) in self.members]


def lock(row):
    """Read `row` afresh and hold it until the transaction ends: call it before checking the
    state a change depends on, so that of two people acting at once the second waits, then
    sees what the first did (PostgreSQL: SELECT ... FOR NO KEY UPDATE after take_write_turn;
    SQLite's write transactions begin IMMEDIATE, so they already run one at a time and the
    read is fresh). FOR NO KEY UPDATE lets rows that merely refer to this one (a new
    complaint about the agency, an audit event naming the account) still be written."""
    take_write_turn()
    db.session.refresh(row, with_for_update=ROW_LOCK)
    return row


def lock_rows(query):
    """The rows a SELECT finds, read afresh and held like lock()'s."""
    take_write_turn()
    return db.session.execute(
        query.with_for_update(**ROW_LOCK).execution_options(populate_existing=True)
    )


ROW_LOCK = {"key_share": True}


def take_write_turn() -> None:
    """On PostgreSQL, take the audit chain's head before any row lock.

    Every audited write takes the head (registry.audit.services.record) and may then update
    rows (a rating refresh updates the agency); a row locked before the head could wait on
    such a writer while it waits on the head. Taking the head first keeps one order for
    every writer: the head, then rows. (On SQLite a write transaction holds the database.)
    Then the transaction's own pending changes are written, so the locked rows, read afresh,
    still hold them.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        with db.session.no_autoflush:
            db.session.execute(_AUDIT_HEAD)
    db.session.flush()  # a fresh read must not undo this transaction's own changes


_AUDIT_HEAD = text("SELECT id FROM audit_chain_head WHERE id = 1 FOR UPDATE")


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo: every timestamp is stored naive UTC on both backends."""
    return dates.now().astimezone(UTC).replace(tzinfo=None)


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere (use with escape=LIKE_ESCAPE)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def starts_with_pattern(text: str) -> str:
    """A LIKE pattern matching values that begin with `text` literally."""
    return contains_pattern(text)[1:]


def text_search_problem(connection) -> str | None:
    """Why Chinese text search cannot work on this database, or None.

    PostgreSQL splits text into trigrams and words by the database's LC_CTYPE; outside a
    UTF-8 ctype it sees no letters in Chinese and pg_trgm finds nothing.
    """
    if connection.dialect.name != "postgresql":
        return None
    ctype = connection.exec_driver_sql(
        "SELECT datctype FROM pg_database WHERE datname = current_database()"
    ).scalar_one()
    if "utf8" in ctype.lower().replace("-", ""):
        return None
    return (
        f"database LC_CTYPE is {ctype!r}, not UTF-8: Chinese name search will not work; "
        "create the database with LC_CTYPE 'C.UTF-8' (see README)"
    )


def configure_sqlite(app: Flask, engine: Engine) -> None:
    """Give a SQLite engine WAL, foreign keys, a busy timeout, memory-mapped reads and
    IMMEDIATE write transactions.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the
    one that runs: a request that may write (not GET/HEAD/OPTIONS) and every command
    begins IMMEDIATE, taking the write lock at the start, where the busy timeout applies,
    instead of failing with "database is locked" when it upgrades a read lock later.
    """
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    mmap_bytes = int(app.config["SQLITE_MMAP_SIZE_MB"]) * 1024 * 1024

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA mmap_size = {mmap_bytes}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_expected() else "BEGIN")


# Errors after which a pooled connection is not to be trusted again, though the database may
# come back: SQLite opens a file it may not write read-only and keeps that connection
# read-only after the file is writable again, and a connection that met an I/O error or a
# full disk is in a state nobody knows; a PostgreSQL connection whose server ended it, went
# away or became a read-only standby (a fail-over) must be opened afresh.
SQLITE_LOST_CONNECTION = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN")
SQLITE_LOST_MESSAGES = (
    "attempt to write a readonly database",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
)
POSTGRESQL_LOST_STATES = frozenset({"57P01", "57P02", "57P03", "25006"})


def lost_connection(error: BaseException) -> bool:
    """Whether a driver error means the connection it came from must be discarded."""
    sqlite_name = getattr(error, "sqlite_errorname", None)
    if sqlite_name:
        return sqlite_name.startswith(SQLITE_LOST_CONNECTION)
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in POSTGRESQL_LOST_STATES
    message = str(error).lower()
    return any(text in message for text in SQLITE_LOST_MESSAGES)


def discard_lost_connections(engine: Engine) -> None:
    """Treat the errors of lost_connection as disconnects: SQLAlchemy then drops that
    connection and every other one pooled before it, and the next request opens a fresh
    one, so the registry recovers by itself once the fault ends, without a restart."""

    @event.listens_for(engine, "handle_error")
    def on_error(context):
        if context.is_disconnect or context.original_exception is None:
            return
        error = context.original_exception
        if lost_connection(error):
            log.warning("database: discarding the pooled connections after: %s", error)
            context.is_disconnect = True


_reading_only: ContextVar[bool] = ContextVar("reading_only", default=False)


def write_expected() -> bool:
    """Whether the current unit of work may write: any command, or an unsafe HTTP method."""
    if _reading_only.get():
        return False
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


@contextmanager
def reading_only():
    """Begin transactions without taking SQLite's write lock (long read-only commands)."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)
