"""Working-day calendar: official holiday notices entered by regulators.

A notice is one year's holidays and adjusted working days (调休上班); for its year it takes
precedence over the calendar library (ratings/working_days.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "holiday_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("document_number", sa.String(length=60), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2099", name=op.f("ck_holiday_notice_year_supported")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["account.id"],
            name=op.f("fk_holiday_notice_entered_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_notice")),
        sa.UniqueConstraint("year", name=op.f("uq_holiday_notice_year")),
    )
    op.create_table(
        "holiday_notice_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'working_day')", name=op.f("ck_holiday_notice_day_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["holiday_notice.id"],
            name=op.f("fk_holiday_notice_day_notice_id_holiday_notice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_notice_day")),
        sa.UniqueConstraint("notice_id", "day", name=op.f("uq_holiday_notice_day_notice_id")),
    )


def downgrade():
    op.drop_table("holiday_notice_day")
    op.drop_table("holiday_notice")
