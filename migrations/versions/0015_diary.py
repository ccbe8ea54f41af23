"""the curator's diary: one row per visit, online meeting or phone call with a school

Revision ID: 0015_diary
Revises: 0012_remarks
"""

import sqlalchemy as sa
from alembic import op


revision = "0015_diary"
down_revision = "0014_monitoring"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("curator_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("participants", sa.String(length=1000), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("agreements", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format in ('visit', 'online', 'phone')", name="ck_diary_entries_format"
        ),
        sa.CheckConstraint(
            "follow_up_on is null or follow_up_on >= held_on", name="ck_diary_entries_follow_up"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name="fk_diary_entries_school_id_schools"
        ),
        sa.ForeignKeyConstraint(
            ["curator_id"], ["users.id"], name="fk_diary_entries_curator_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_diary_entries"),
    )
    op.create_index("ix_diary_entries_school_id", "diary_entries", ["school_id"])
    op.create_index("ix_diary_entries_curator_id", "diary_entries", ["curator_id"])
    op.create_index("ix_diary_entries_follow_up_on", "diary_entries", ["follow_up_on"])


def downgrade():
    op.drop_index("ix_diary_entries_follow_up_on", table_name="diary_entries")
    op.drop_index("ix_diary_entries_curator_id", table_name="diary_entries")
    op.drop_index("ix_diary_entries_school_id", table_name="diary_entries")
    op.drop_table("diary_entries")
