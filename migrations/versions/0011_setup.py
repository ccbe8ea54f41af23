"""regional stage deadlines (a regional coordinator's earlier deadline for its region)

Revision ID: 0011_setup
Revises: 0006_one_open_review
Create Date: 2026-11-27 21:20:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0011_setup"
down_revision = "0010_time_and_prefs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "region_stage_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stage_id", "region_id"),
    )
    with op.batch_alter_table("region_stage_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_region_stage_deadlines_stage_id", ["stage_id"], unique=False)
        batch_op.create_index("ix_region_stage_deadlines_region_id", ["region_id"], unique=False)


def downgrade():
    with op.batch_alter_table("region_stage_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_region_stage_deadlines_region_id")
        batch_op.drop_index("ix_region_stage_deadlines_stage_id")
    op.drop_table("region_stage_deadlines")
