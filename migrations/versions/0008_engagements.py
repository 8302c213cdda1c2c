"""Engagements, extension requests, fair-selection draws and reviews.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fair_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("min_stars", sa.Integer(), nullable=True),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("candidate_count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("chosen_index", sa.Integer(), nullable=False),
        sa.Column("chosen_agency_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("candidate_count >= 1", name=op.f("ck_fair_draw_has_candidates")),
        sa.CheckConstraint(
            "chosen_index >= 0 AND chosen_index < candidate_count",
            name=op.f("ck_fair_draw_chosen_in"),
        ),
        sa.CheckConstraint(
            "min_stars IS NULL OR min_stars BETWEEN 1 AND 5",
            name=op.f("ck_fair_draw_min_stars_range"),
        ),
        sa.ForeignKeyConstraint(
            ["chosen_agency_id"], ["agency.id"], name=op.f("fk_fair_draw_chosen_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["account.id"], name=op.f("fk_fair_draw_drawn_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_fair_draw_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"],
            ["service_item.id"],
            name=op.f("fk_fair_draw_service_item_id_service_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fair_draw")),
        sa.UniqueConstraint("code", name=op.f("uq_fair_draw_code")),
    )
    with op.batch_alter_table("fair_draw", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fair_draw_chosen_agency_id"), ["chosen_agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fair_draw_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fair_draw_service_item_id"), ["service_item_id"], unique=False
        )

    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("fee_schedule_id", sa.Integer(), nullable=False),
        sa.Column("service_item_id", sa.Integer(), nullable=False),
        sa.Column("fair_draw_id", sa.Integer(), nullable=True),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("agreed_fee_fen", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("published_max_fen", sa.BigInteger(), nullable=False),
        sa.Column("cap_fen", sa.BigInteger(), nullable=True),
        sa.Column("overcharge_fen", sa.BigInteger(), nullable=False),
        sa.Column("extra_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivered_by_id", sa.Integer(), nullable=True),
        sa.Column("late_working_days", sa.Integer(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("disputed_at", sa.DateTime(), nullable=True),
        sa.Column("disputed_by_id", sa.Integer(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('awaiting_agency', 'open', 'delivered', 'confirmed', 'disputed', "
            "'cancelled')",
            name=op.f("ck_engagement_status_known"),
        ),
        sa.CheckConstraint("agreed_fee_fen >= 0", name=op.f("ck_engagement_fee_not_negative")),
        sa.CheckConstraint("extra_days >= 0", name=op.f("ck_engagement_extra_days_not_negative")),
        sa.CheckConstraint(
            "overcharge_fen >= 0", name=op.f("ck_engagement_overcharge_not_negative")
        ),
        sa.CheckConstraint("promised_days > 0", name=op.f("ck_engagement_promised_days_positive")),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"], ["account.id"], name=op.f("fk_engagement_accepted_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_engagement_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"], ["account.id"], name=op.f("fk_engagement_cancelled_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["account.id"], name=op.f("fk_engagement_confirmed_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["account.id"], name=op.f("fk_engagement_created_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["delivered_by_id"], ["account.id"], name=op.f("fk_engagement_delivered_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["disputed_by_id"], ["account.id"], name=op.f("fk_engagement_disputed_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_engagement_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["fair_draw_id"], ["fair_draw.id"], name=op.f("fk_engagement_fair_draw_id_fair_draw")
        ),
        sa.ForeignKeyConstraint(
            ["fee_schedule_id"],
            ["fee_schedule.id"],
            name=op.f("fk_engagement_fee_schedule_id_fee_schedule"),
        ),
        sa.ForeignKeyConstraint(
            ["service_item_id"],
            ["service_item.id"],
            name=op.f("fk_engagement_service_item_id_service_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
        sa.UniqueConstraint("fair_draw_id", name=op.f("uq_engagement_fair_draw_id")),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_agency_status", ["agency_id", "status"], unique=False)
        batch_op.create_index("ix_engagement_enterprise", ["enterprise_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_engagement_fee_schedule_id"), ["fee_schedule_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_service_item_id"), ["service_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_engagement_status"), ["status"], unique=False)

    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("extra_days", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("due_when_asked", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'refused', 'withdrawn')",
            name=op.f("ck_extension_request_status_known"),
        ),
        sa.CheckConstraint("extra_days > 0", name=op.f("ck_extension_request_extra_days_positive")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["account.id"],
            name=op.f("fk_extension_request_decided_by_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_extension_request_engagement_id_engagement"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["account.id"],
            name=op.f("fk_extension_request_requested_by_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_request")),
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_extension_request_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("timeliness", sa.Integer(), nullable=False),
        sa.Column("fee_compliance", sa.Integer(), nullable=False),
        sa.Column("conduct", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("conduct BETWEEN 1 AND 5", name=op.f("ck_review_conduct_range")),
        sa.CheckConstraint(
            "fee_compliance BETWEEN 1 AND 5", name=op.f("ck_review_fee_compliance_range")
        ),
        sa.CheckConstraint(
            "hidden_at IS NULL OR hidden_reason IS NOT NULL",
            name=op.f("ck_review_hidden_with_reason"),
        ),
        sa.CheckConstraint("quality BETWEEN 1 AND 5", name=op.f("ck_review_quality_range")),
        sa.CheckConstraint("timeliness BETWEEN 1 AND 5", name=op.f("ck_review_timeliness_range")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_review_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["account.id"], name=op.f("fk_review_author_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagement.id"], name=op.f("fk_review_engagement_id_engagement")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_review_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["account.id"], name=op.f("fk_review_hidden_by_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_id"], ["account.id"], name=op.f("fk_review_replied_by_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("engagement_id", name=op.f("uq_review_engagement_id")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index("ix_review_agency", ["agency_id", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_enterprise_id"))
        batch_op.drop_index("ix_review_agency")

    op.drop_table("review")
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_request_engagement_id"))

    op.drop_table("extension_request")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_status"))
        batch_op.drop_index(batch_op.f("ix_engagement_service_item_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_fee_schedule_id"))
        batch_op.drop_index("ix_engagement_enterprise")
        batch_op.drop_index("ix_engagement_agency_status")

    op.drop_table("engagement")
    with op.batch_alter_table("fair_draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_draw_service_item_id"))
        batch_op.drop_index(batch_op.f("ix_fair_draw_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_fair_draw_chosen_agency_id"))

    op.drop_table("fair_draw")
