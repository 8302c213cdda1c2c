"""The blacklist: cases with due process, their files and linked complaints, credit-repair
applications; the dates of an agency's listing on the agency row.

The agency's listing dates are read by the core (registry.agencies.listing) and by the
search, which leaves listed agencies out: on SQLite the search's covering index
(ix_agency_search_order, migration 0007) gains them, so that walk still never reads the
table. Columns are added and dropped in place (SQLite's ALTER TABLE), never by rebuilding the
agency table, which would lose its search triggers.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_SEARCH_ORDER = (
    "CREATE INDEX ix_agency_search_order ON agency "
    "(name_pinyin, id, status, name_normalised, name_initials, category, district, town{})"
)


def upgrade():
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("listed_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("listed_until", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_agency_search_order")
        op.execute(SQLITE_SEARCH_ORDER.format(", listed_from, listed_until"))
    op.create_table(
        "blacklist_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("ground", sa.String(length=30), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("notified_by_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("objection_days", sa.Integer(), nullable=True),
        sa.Column("objection_text", sa.Text(), nullable=True),
        sa.Column("objection_at", sa.DateTime(), nullable=True),
        sa.Column("objection_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        sa.Column("decision_number", sa.String(length=100), nullable=True),
        sa.Column("deciding_authority", sa.String(length=200), nullable=True),
        sa.Column("term_years", sa.Integer(), nullable=True),
        sa.Column("listed_from", sa.Date(), nullable=True),
        sa.Column("listed_until", sa.Date(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "ground IN ('falsified_report', 'serious_overcharging', 'repeated_delays', "
            "'misconduct', 'commitment_breach', 'repeated_complaints', 'other')",
            name=op.f("ck_blacklist_case_ground_known"),
        ),
        sa.CheckConstraint(
            "state IN ('proposed', 'notified', 'objection_filed', 'listed', 'rejected', "
            "'expired', 'repaired', 'revoked')",
            name=op.f("ck_blacklist_case_state_known"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('expired', 'listed', 'repaired', 'revoked') OR (decision_number IS NOT "
            "NULL AND deciding_authority IS NOT NULL AND term_years IS NOT NULL AND listed_from "
            "IS NOT NULL AND listed_until >= listed_from AND decided_by_id IS NOT NULL)",
            name=op.f("ck_blacklist_case_listing_complete"),
        ),
        sa.CheckConstraint(
            "objection_days IS NULL OR objection_days > 0",
            name=op.f("ck_blacklist_case_window_positive"),
        ),
        sa.CheckConstraint(
            "term_years IS NULL OR term_years BETWEEN 1 AND 3",
            name=op.f("ck_blacklist_case_term_sensible"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_blacklist_case_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["account.id"], name=op.f("fk_blacklist_case_decided_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["account.id"], name=op.f("fk_blacklist_case_ended_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["notified_by_id"],
            ["account.id"],
            name=op.f("fk_blacklist_case_notified_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["objection_by_id"],
            ["account.id"],
            name=op.f("fk_blacklist_case_objection_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["account.id"],
            name=op.f("fk_blacklist_case_proposed_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_case")),
        sa.UniqueConstraint("decision_number", name=op.f("uq_blacklist_case_decision_number")),
    )
    with op.batch_alter_table("blacklist_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_blacklist_case_agency_state", ["agency_id", "state"], unique=False
        )
        batch_op.create_index(
            "ix_blacklist_case_state_listed", ["state", "listed_until"], unique=False
        )

    op.create_table(
        "repair_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status = 'pending' OR (decided_by_id IS NOT NULL AND decision_reasons IS NOT NULL)",
            name=op.f("ck_repair_application_decided_with_reasons"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused')",
            name=op.f("ck_repair_application_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["account.id"],
            name=op.f("fk_repair_application_applied_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["blacklist_case.id"],
            name=op.f("fk_repair_application_case_id_blacklist_case"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["account.id"],
            name=op.f("fk_repair_application_decided_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_application")),
    )
    with op.batch_alter_table("repair_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repair_application_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "uq_repair_application_pending",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "blacklist_case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('objection', 'repair')", name=op.f("ck_blacklist_case_file_stage_known")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["account.id"], name=op.f("fk_blacklist_case_file_added_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["blacklist_case.id"],
            name=op.f("fk_blacklist_case_file_case_id_blacklist_case"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_blacklist_case_file_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["repair_id"],
            ["repair_application.id"],
            name=op.f("fk_blacklist_case_file_repair_id_repair_application"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_case_file")),
        sa.UniqueConstraint("file_id", name=op.f("uq_blacklist_case_file_file_id")),
    )
    with op.batch_alter_table("blacklist_case_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blacklist_case_file_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blacklist_case_file_repair_id"), ["repair_id"], unique=False
        )

    op.create_table(
        "blacklist_case_complaint",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["blacklist_case.id"],
            name=op.f("fk_blacklist_case_complaint_case_id_blacklist_case"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_blacklist_case_complaint_complaint_id_complaint"),
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "complaint_id", name=op.f("pk_blacklist_case_complaint")
        ),
    )
    with op.batch_alter_table("blacklist_case_complaint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blacklist_case_complaint_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("blacklist_case_complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blacklist_case_complaint_complaint_id"))

    op.drop_table("blacklist_case_complaint")
    with op.batch_alter_table("blacklist_case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blacklist_case_file_repair_id"))
        batch_op.drop_index(batch_op.f("ix_blacklist_case_file_case_id"))

    op.drop_table("blacklist_case_file")
    with op.batch_alter_table("repair_application", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_repair_application_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_repair_application_case_id"))

    op.drop_table("repair_application")
    with op.batch_alter_table("blacklist_case", schema=None) as batch_op:
        batch_op.drop_index("ix_blacklist_case_state_listed")
        batch_op.drop_index("ix_blacklist_case_agency_state")

    op.drop_table("blacklist_case")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_agency_search_order")
        op.execute(SQLITE_SEARCH_ORDER.format(""))
        op.execute("ALTER TABLE agency DROP COLUMN listed_until")
        op.execute("ALTER TABLE agency DROP COLUMN listed_from")
    else:
        op.drop_column("agency", "listed_until")
        op.drop_column("agency", "listed_from")
