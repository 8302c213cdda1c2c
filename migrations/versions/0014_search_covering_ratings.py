"""Search speed with ratings: covering indexes gain the rating columns and listing dates.

ix_agency_search_order (migration 0007) lists agencies in pinyin order and carries the
columns a search tests, so that a page walks it without reading the table. Since then the
search tests two more things: the listing dates (0011: listed agencies are left out by
default) and the stars (0012: the minimum-stars filter). SQLite's index gained the dates in
0011; PostgreSQL's did not. Both now carry the dates and the stars (SQLite has no INCLUDE, so
the columns follow the order's own).

Only the index is dropped and created again: the agency table is never rebuilt (on SQLite
that would lose its search triggers).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The columns a walk in pinyin order tests, before and after this migration.
TESTED_BEFORE = {
    "sqlite": "status, name_normalised, name_initials, category, district, town, "
    "listed_from, listed_until",
    "postgresql": "status, name_normalised, name_initials, category, district, town",
}
TESTED = (
    "status, name_normalised, name_initials, category, district, town, "
    "listed_from, listed_until, stars"
)


def search_order_index(dialect: str, tested: str) -> str:
    if dialect == "sqlite":
        return f"CREATE INDEX ix_agency_search_order ON agency (name_pinyin, id, {tested})"
    return f"CREATE INDEX ix_agency_search_order ON agency (name_pinyin, id) INCLUDE ({tested})"


def rebuild_search_order(tested: str) -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP INDEX ix_agency_search_order")
    op.execute(search_order_index(dialect, tested))
    # SQLite's planner statistics (sqlite_stat1) went with the dropped index.
    op.execute("ANALYZE agency")


def upgrade():
    rebuild_search_order(TESTED)


def downgrade():
    rebuild_search_order(TESTED_BEFORE[op.get_bind().dialect.name])
