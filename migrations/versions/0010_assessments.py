"""Supervisor evaluations and inspections.

A supervisor evaluates an agency at most once per quarter (the unique constraint); an
inspection is withdrawn with a reason, never deleted.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supervisor_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "score BETWEEN 1 AND 5", name=op.f("ck_supervisor_evaluation_score_range")
        ),
        sa.CheckConstraint(
            "quarter BETWEEN 1 AND 4", name=op.f("ck_supervisor_evaluation_quarter_range")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["account.id"],
            name=op.f("fk_supervisor_evaluation_supervisor_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_supervisor_evaluation_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisor_evaluation")),
        sa.UniqueConstraint(
            "supervisor_id",
            "agency_id",
            "year",
            "quarter",
            name="uq_supervisor_evaluation_once_per_quarter",
        ),
    )
    op.create_index(
        "ix_supervisor_evaluation_agency_day",
        "supervisor_evaluation",
        ["agency_id", "evaluated_on"],
        unique=False,
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("report_file_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_inspection_score_range")),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdraw_reason IS NULL)",
            name=op.f("ck_inspection_withdrawal_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_inspection_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["report_file_id"],
            ["stored_file.id"],
            name=op.f("fk_inspection_report_file_id_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["account.id"], name=op.f("fk_inspection_entered_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["account.id"],
            name=op.f("fk_inspection_withdrawn_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    op.create_index(
        "ix_inspection_agency_day", "inspection", ["agency_id", "inspected_on"], unique=False
    )
    op.create_index(op.f("ix_inspection_inspected_on"), "inspection", ["inspected_on"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_inspection_inspected_on"), table_name="inspection")
    op.drop_index("ix_inspection_agency_day", table_name="inspection")
    op.drop_table("inspection")
    op.drop_index("ix_supervisor_evaluation_agency_day", table_name="supervisor_evaluation")
    op.drop_table("supervisor_evaluation")
