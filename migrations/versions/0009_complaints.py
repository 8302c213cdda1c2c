"""Complaints with evidence and deadlines, regulators' conflicts, commitment breaches; the
`public` role (a member of the public, who may file complaints).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ROLES_BEFORE = ("admin", "reviewer", "regulator", "supervisor", "agency", "enterprise")
ROLES_AFTER = (*ROLES_BEFORE, "public")


def _role_check(roles) -> str:
    return "role IN ({})".format(", ".join(f"'{role}'" for role in roles))


def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_constraint(op.f("ck_account_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_account_role_known"), _role_check(ROLES_AFTER))

    op.create_table(
        "conflict_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regulator_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_conflict_of_interest_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["regulator_id"],
            ["account.id"],
            name=op.f("fk_conflict_of_interest_regulator_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_of_interest")),
    )
    with op.batch_alter_table("conflict_of_interest") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_of_interest_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            "ix_conflict_of_interest_regulator_agency", ["regulator_id", "agency_id"], unique=False
        )

    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("complainant_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("accept_days", sa.Integer(), nullable=False),
        sa.Column("response_days", sa.Integer(), nullable=False),
        sa.Column("conclude_days", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("not_accepted_reason", sa.Text(), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("proceeded_at", sa.DateTime(), nullable=True),
        sa.Column("rebuttal_text", sa.Text(), nullable=True),
        sa.Column("rebutted_at", sa.DateTime(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extended_at", sa.DateTime(), nullable=True),
        sa.Column("extended_by_id", sa.Integer(), nullable=True),
        sa.Column("conclusion_reasons", sa.Text(), nullable=True),
        sa.Column("concluded_at", sa.DateTime(), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("concluded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(status = 'substantiated' AND severity IS NOT NULL)"
            " OR (status <> 'substantiated' AND severity IS NULL)",
            name=op.f("ck_complaint_severity_when_substantiated"),
        ),
        sa.CheckConstraint(
            "category IN ('overcharging', 'delay', 'poor_quality', 'misconduct', "
            "'forced_designation', 'falsified_report', 'other')",
            name=op.f("ck_complaint_category_known"),
        ),
        sa.CheckConstraint(
            "severity IS NULL OR severity IN ('minor', 'major', 'serious')",
            name=op.f("ck_complaint_severity_known"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'not_accepted', 'investigating', "
            "'substantiated', 'unsubstantiated', 'withdrawn')",
            name=op.f("ck_complaint_status_known"),
        ),
        sa.CheckConstraint(
            "accept_days > 0 AND response_days > 0 AND conclude_days > 0",
            name=op.f("ck_complaint_limits_positive"),
        ),
        sa.CheckConstraint(
            "extension_days IS NULL OR (extension_days > 0 AND extension_reason IS NOT NULL)",
            name=op.f("ck_complaint_extension_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_complaint_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["account.id"], name=op.f("fk_complaint_assignee_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["complainant_id"], ["account.id"], name=op.f("fk_complaint_complainant_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["concluded_by_id"], ["account.id"], name=op.f("fk_complaint_concluded_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["account.id"], name=op.f("fk_complaint_decided_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_complaint_engagement_id_engagement"),
        ),
        sa.ForeignKeyConstraint(
            ["extended_by_id"], ["account.id"], name=op.f("fk_complaint_extended_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["account.id"], name=op.f("fk_complaint_responded_by_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaint_reference")),
    )
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.create_index("ix_complaint_agency_status", ["agency_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index("ix_complaint_complainant", ["complainant_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_complaint_concluded_on"), ["concluded_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_engagement_id"), ["engagement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaint_status"), ["status"], unique=False)

    op.create_table(
        "commitment_breach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "category IN ('delay', 'falsified_report', 'overcharging')",
            name=op.f("ck_commitment_breach_category_breaks"),
        ),
        sa.CheckConstraint(
            "severity IN ('minor', 'major', 'serious')",
            name=op.f("ck_commitment_breach_severity_known"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_commitment_breach_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_commitment_breach_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["commitment_signature.id"],
            name=op.f("fk_commitment_breach_signature_id_commitment_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_breach")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_commitment_breach_complaint_id")),
    )
    with op.batch_alter_table("commitment_breach") as batch_op:
        batch_op.create_index(
            "ix_commitment_breach_agency", ["agency_id", "recorded_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commitment_breach_signature_id"), ["signature_id"], unique=False
        )

    op.create_table(
        "complaint_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "party IN ('complainant', 'agency', 'regulator')",
            name=op.f("ck_complaint_file_party_known"),
        ),
        sa.CheckConstraint(
            "stage IN ('complaint', 'response', 'rebuttal')",
            name=op.f("ck_complaint_file_stage_known"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["account.id"], name=op.f("fk_complaint_file_added_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_file_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_complaint_file_file_id_stored_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_file")),
        sa.UniqueConstraint("file_id", name=op.f("uq_complaint_file_file_id")),
    )
    with op.batch_alter_table("complaint_file") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_file_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade():
    # Members of the public have no place under the old constraint, and their accounts
    # cannot be deleted without cutting the audit chain (it names its actors): refuse.
    public = op.get_bind().execute(sa.text("SELECT count(*) FROM account WHERE role = 'public'"))
    if public.scalar_one():
        raise RuntimeError(
            "accounts with the role 'public' exist; downgrading below 0009 would orphan them"
        )
    op.drop_table("complaint_file")
    op.drop_table("commitment_breach")
    op.drop_table("complaint")
    op.drop_table("conflict_of_interest")
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_constraint(op.f("ck_account_role_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_account_role_known"), _role_check(ROLES_BEFORE))
