"""Commitment letters: templates, signatures, and the public keys that signed receipts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("first_used_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_key_key_id")),
    )
    op.create_table(
        "commitment_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=False),
        sa.Column("requires_resigning", sa.Boolean(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("resign_by", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "grace_days BETWEEN 0 AND 365", name=op.f("ck_commitment_template_grace_sensible")
        ),
        sa.CheckConstraint(
            "validity_months BETWEEN 1 AND 60",
            name=op.f("ck_commitment_template_validity_sensible"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
            name=op.f("fk_commitment_template_created_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["account.id"],
            name=op.f("fk_commitment_template_published_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_template")),
        sa.UniqueConstraint("version", name=op.f("uq_commitment_template_version")),
    )
    op.create_table(
        "commitment_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_code", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(length=60), nullable=False),
        sa.Column("signer_title", sa.String(length=60), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "language IN ('zh_CN', 'en')", name=op.f("ck_commitment_signature_language_known")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_commitment_signature_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["signing_key.key_id"],
            name=op.f("fk_commitment_signature_key_id_signing_key"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["account.id"],
            name=op.f("fk_commitment_signature_revoked_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["account.id"], name=op.f("fk_commitment_signature_signer_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["commitment_template.id"],
            name=op.f("fk_commitment_signature_template_id_commitment_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_signature")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_commitment_signature_receipt_code")),
    )
    with op.batch_alter_table("commitment_signature", schema=None) as batch_op:
        batch_op.create_index("ix_commitment_signature_agency", ["agency_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commitment_signature_template_id"), ["template_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("commitment_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_signature_template_id"))
        batch_op.drop_index("ix_commitment_signature_agency")
    op.drop_table("commitment_signature")
    op.drop_table("commitment_template")
    op.drop_table("signing_key")
