"""Rating results: snapshots of each agency's result, star overrides, and the latest result
mirrored on the agency row (stars, rating_status, score, rating_as_of) for search.

Columns are added to the agency table in place (SQLite's ALTER TABLE), never by rebuilding
it, which would lose its search triggers; so no CHECK constraint on them.

ix_agency_stars_order lists agencies by stars, most first and unrated last, then in pinyin
order: the order of a search sorted by stars (registry.agencies.search.fewest_stars_last),
so a page of a broad search walks it instead of sorting every match. It is an index of an
expression, made by hand like the other search order index (registry.db.HAND_MADE_INDEXES).
ix_review_rating and ix_engagement_rating cover what the rating reads of an agency's reviews
and engagements, so refreshing one agency reads only the index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("stars", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "rating_status", sa.String(length=12), nullable=False, server_default="unrated"
            )
        )
        batch_op.add_column(
            sa.Column("score", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True)
        )
        batch_op.add_column(sa.Column("rating_as_of", sa.Date(), nullable=True))
    op.create_table(
        "rating_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('proposed', 'approved', 'rejected', 'revoked')",
            name=op.f("ck_rating_override_state_known"),
        ),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_rating_override_stars_range")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_rating_override_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["account.id"],
            name=op.f("fk_rating_override_proposed_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["account.id"], name=op.f("fk_rating_override_decided_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["account.id"], name=op.f("fk_rating_override_revoked_by_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_override")),
    )
    op.create_index("ix_rating_override_agency_state", "rating_override", ["agency_id", "state"])
    op.create_table(
        "rating_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("method_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("computed_stars", sa.Integer(), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("caps", sa.JSON(), nullable=False),
        sa.Column("override_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('rated', 'unrated', 'blacklisted')",
            name=op.f("ck_rating_snapshot_status_known"),
        ),
        sa.CheckConstraint(
            "stars IS NULL OR stars BETWEEN 1 AND 5", name=op.f("ck_rating_snapshot_stars_range")
        ),
        sa.CheckConstraint(
            "computed_stars IS NULL OR computed_stars BETWEEN 1 AND 5",
            name=op.f("ck_rating_snapshot_computed_stars_range"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_rating_snapshot_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["override_id"],
            ["rating_override.id"],
            name=op.f("fk_rating_snapshot_override_id_rating_override"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_snapshot")),
    )
    op.create_index(
        "ix_rating_snapshot_agency_as_of", "rating_snapshot", ["agency_id", "as_of", "id"]
    )
    op.execute(STARS_ORDER)
    op.create_index(
        "ix_review_rating",
        "review",
        [
            "agency_id",
            "created_at",
            "hidden_at",
            "quality",
            "timeliness",
            "fee_compliance",
            "conduct",
        ],
    )
    op.create_index(
        "ix_engagement_overcharge",
        "engagement",
        ["agency_id", "overcharge_fen", "start_date", "status"],
    )
    # Filled by `flask ratings recompute` (and `flask demo load`), then kept by the app.
    op.create_table(
        "rating_month",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("review_points", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_rating_month_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("agency_id", "month", name=op.f("pk_rating_month")),
    )
    op.create_index(
        "ix_engagement_rating",
        "engagement",
        [
            "agency_id",
            "status",
            "confirmed_on",
            "late_working_days",
            "start_date",
            "overcharge_fen",
        ],
    )


STARS_ORDER = (
    "CREATE INDEX ix_agency_stars_order ON agency ((coalesce(-stars, 0)), name_pinyin, id)"
)


def downgrade():
    op.drop_table("rating_month")
    op.drop_index("ix_engagement_overcharge", table_name="engagement")
    op.drop_index("ix_engagement_rating", table_name="engagement")
    op.drop_index("ix_review_rating", table_name="review")
    op.execute("DROP INDEX ix_agency_stars_order")
    op.drop_index("ix_rating_snapshot_agency_as_of", table_name="rating_snapshot")
    op.drop_table("rating_snapshot")
    op.drop_index("ix_rating_override_agency_state", table_name="rating_override")
    op.drop_table("rating_override")
    # Dropped in place on SQLite too (ALTER TABLE DROP COLUMN): a batch would rebuild the table.
    for column in ("rating_as_of", "score", "rating_status", "stars"):
        op.execute(f"ALTER TABLE agency DROP COLUMN {column}")
