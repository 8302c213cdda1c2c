"""Search pages without sorting every match: an index in result order, and on PostgreSQL an
index of the name's characters and character pairs for 1-2 character queries.

ix_agency_search_order lists agencies in pinyin order (name_pinyin, id), the order of a
search sorted by name or without a query; a page of a broad search walks it and tests each
row instead of sorting every match. It also carries the columns those tests read, so that
the walk need not read the table (on PostgreSQL once VACUUM has marked the pages visible).

On PostgreSQL, name_grams(name) is the set of the name's characters and pairs of adjacent
characters; a 1-2 character query is one element of it, which a GIN index answers exactly.
It replaces the per-character tsvector, whose phrase matches PostgreSQL had to recheck row by
row against every name holding both characters anywhere.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The columns a walk tests: SQLite has no INCLUDE, so they follow the order's own columns.
TESTED = "status, name_normalised, name_initials, category, district, town"
SQLITE_SEARCH_ORDER = f"CREATE INDEX ix_agency_search_order ON agency (name_pinyin, id, {TESTED})"
POSTGRES_SEARCH_ORDER = (
    f"CREATE INDEX ix_agency_search_order ON agency (name_pinyin, id) INCLUDE ({TESTED})"
)
NAME_GRAMS = """
CREATE FUNCTION name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(name, start, width)), '{}')
    FROM generate_series(1, 2) AS width, generate_series(1, length(name) - width + 1) AS start
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_SEARCH_ORDER)
        op.execute("ANALYZE agency")
        return
    op.execute(POSTGRES_SEARCH_ORDER)
    op.execute(NAME_GRAMS)
    op.execute("CREATE INDEX ix_agency_name_grams ON agency USING gin (name_grams(name_normalised))")
    op.execute("DROP INDEX ix_agency_name_chars")
    op.execute("ANALYZE agency")


def downgrade():
    op.execute("DROP INDEX ix_agency_search_order")
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE INDEX ix_agency_name_chars ON agency "
               "USING gin (to_tsvector('simple', name_chars))")
    op.execute("DROP INDEX ix_agency_name_grams")
    op.execute("DROP FUNCTION name_grams(text)")
