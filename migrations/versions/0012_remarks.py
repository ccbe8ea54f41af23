"""the remarks thread: each remark of a return, the school's answer and the version it led to

Revision ID: 0012_remarks
Revises: 0011_setup
"""

import sqlalchemy as sa
from alembic import op


revision = "0012_remarks"
down_revision = "0011_setup"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "remarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("criterion_id", sa.Integer(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("addressed_in_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_remarks_document_id_documents"),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name="fk_remarks_review_id_reviews"),
        sa.ForeignKeyConstraint(["criterion_id"], ["criteria.id"], name="fk_remarks_criterion_id_criteria"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], name="fk_remarks_answered_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_remarks"),
    )
    op.create_index("ix_remarks_document_id", "remarks", ["document_id"])


def downgrade():
    op.drop_index("ix_remarks_document_id", table_name="remarks")
    op.drop_table("remarks")
