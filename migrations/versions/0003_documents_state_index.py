"""index documents by campaign and state (overview filters, counts)

Revision ID: 0003_documents_state_index
Revises: 0002_notification_delivery
"""

from alembic import op

revision = "0003_documents_state_index"
down_revision = "0002_notification_delivery"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_documents_campaign_id_state", "documents", ["campaign_id", "state", "school_id"]
    )


def downgrade():
    op.drop_index("ix_documents_campaign_id_state", table_name="documents")
