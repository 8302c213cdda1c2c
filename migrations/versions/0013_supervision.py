"""Supervision: escalation marks and supervisors' evaluations of regulators' complaint handling.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supervision_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("overdue_working_days", sa.Integer(), nullable=False),
        sa.Column("accountable", sa.String(length=200), nullable=False),
        sa.Column("escalated_at", sa.DateTime(), nullable=False),
        sa.Column("escalated_by_id", sa.Integer(), nullable=True),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalated_by_id"],
            ["account.id"],
            name=op.f("fk_supervision_escalation_escalated_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_escalation")),
        sa.UniqueConstraint("kind", "object_id", "due", name="uq_supervision_escalation_item_due"),
    )
    op.create_table(
        "regulator_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("regulator_id", sa.Integer(), nullable=False),
        sa.Column("timeliness", sa.Integer(), nullable=False),
        sa.Column("fairness", sa.Integer(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "timeliness BETWEEN 1 AND 5", name=op.f("ck_regulator_evaluation_timeliness_range")
        ),
        sa.CheckConstraint(
            "fairness BETWEEN 1 AND 5", name=op.f("ck_regulator_evaluation_fairness_range")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["account.id"],
            name=op.f("fk_regulator_evaluation_supervisor_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_regulator_evaluation_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["regulator_id"],
            ["account.id"],
            name=op.f("fk_regulator_evaluation_regulator_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulator_evaluation")),
        sa.UniqueConstraint(
            "supervisor_id", "complaint_id", name="uq_regulator_evaluation_once_per_complaint"
        ),
    )
    op.create_index("ix_regulator_evaluation_regulator", "regulator_evaluation", ["regulator_id"])
    op.create_index("ix_regulator_evaluation_complaint", "regulator_evaluation", ["complaint_id"])


def downgrade():
    op.drop_index("ix_regulator_evaluation_complaint", table_name="regulator_evaluation")
    op.drop_index("ix_regulator_evaluation_regulator", table_name="regulator_evaluation")
    op.drop_table("regulator_evaluation")
    op.drop_table("supervision_escalation")
