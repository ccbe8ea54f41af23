"""background jobs with progress

Revision ID: 0004_jobs
Revises: 0003_documents_state_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_jobs"
down_revision = "0003_documents_state_index"
branch_labels = None
depends_on = None

STATES = "'queued', 'running', 'succeeded', 'failed', 'cancelled'"


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancellable", sa.Boolean(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"state in ({STATES})", name=op.f("ck_jobs_state")),
        sa.CheckConstraint("progress >= 0 and progress <= 100", name=op.f("ck_jobs_progress")),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_jobs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.create_index(batch.f("ix_jobs_state"), ["state"], unique=False)
        batch.create_index(batch.f("ix_jobs_started_by_id"), ["started_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index(batch.f("ix_jobs_started_by_id"))
        batch.drop_index(batch.f("ix_jobs_state"))
    op.drop_table("jobs")
