"""Search indexes for agency names: FTS5 (trigram and per-character) on SQLite, pg_trgm and a
per-character tsvector on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# FTS5 tables mirror the agency row through triggers, so every writer (the ORM, bulk inserts,
# imports) keeps them current.
SQLITE_FTS = {
    "agency_fts": ("name_normalised, name_pinyin", "trigram"),
    "agency_chars": ("name_chars", "unicode61"),
}


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("name_chars", sa.String(400), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("enterprise") as batch_op:
        batch_op.add_column(sa.Column("name_chars", sa.String(400), nullable=False,
                                      server_default=""))
    fill_name_chars()
    with op.batch_alter_table("agency") as batch_op:
        batch_op.create_index("ix_agency_category_region", ["category", "district", "town"])
    if op.get_bind().dialect.name == "sqlite":
        for table, (columns, tokenizer) in SQLITE_FTS.items():
            create_sqlite_fts(table, columns, tokenizer)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_agency_name_trgm ON agency "
                   "USING gin (name_normalised gin_trgm_ops)")
        op.execute("CREATE INDEX ix_agency_pinyin_trgm ON agency "
                   "USING gin (name_pinyin gin_trgm_ops)")
        op.execute("CREATE INDEX ix_agency_name_chars ON agency "
                   "USING gin (to_tsvector('simple', name_chars))")


def fill_name_chars():
    """Existing rows: one character a word, computed the way the application does."""
    bind = op.get_bind()
    for table in ("agency", "enterprise"):
        rows = bind.execute(sa.text(f"SELECT id, name_normalised FROM {table}")).fetchall()
        for row_id, normalised in rows:
            bind.execute(sa.text(f"UPDATE {table} SET name_chars = :chars WHERE id = :id"),
                         {"chars": " ".join(normalised), "id": row_id})


def create_sqlite_fts(table: str, columns: str, tokenizer: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='agency', "
               f"content_rowid='id', tokenize='{tokenizer}')")
    new_values = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old_values = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    op.execute(f"CREATE TRIGGER {table}_insert AFTER INSERT ON agency BEGIN "
               f"INSERT INTO {table} (rowid, {columns}) VALUES (new.id, {new_values}); END")
    op.execute(f"CREATE TRIGGER {table}_delete AFTER DELETE ON agency BEGIN "
               f"INSERT INTO {table} ({table}, rowid, {columns}) "
               f"VALUES ('delete', old.id, {old_values}); END")
    op.execute(f"CREATE TRIGGER {table}_update AFTER UPDATE OF {columns} ON agency BEGIN "
               f"INSERT INTO {table} ({table}, rowid, {columns}) "
               f"VALUES ('delete', old.id, {old_values}); "
               f"INSERT INTO {table} (rowid, {columns}) VALUES (new.id, {new_values}); END")
    op.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in SQLITE_FTS:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_{event}")
            op.execute(f"DROP TABLE {table}")
    else:
        for index in ("ix_agency_name_chars", "ix_agency_pinyin_trgm", "ix_agency_name_trgm"):
            op.execute(f"DROP INDEX {index}")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_index("ix_agency_category_region")
    with op.batch_alter_table("enterprise") as batch_op:
        batch_op.drop_column("name_chars")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("name_chars")
