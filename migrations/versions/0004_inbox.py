"""In-app inbox: notices to accounts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["account.id"], name=op.f("fk_notice_recipient_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        # Equal keys for one recipient collide; NULL keys never do (SQLite and PostgreSQL).
        sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_notice_recipient_dedupe_key"),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        # The navigation's unread count: WHERE recipient_id = ? AND read_at IS NULL.
        batch_op.create_index(
            "ix_notice_recipient_unread", ["recipient_id", "read_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_recipient_unread")
    op.drop_table("notice")
