"""notification delivery: claim time, last error, allowed e-mail states

Revision ID: 0002_notification_delivery
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_notification_delivery"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("email_claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("email_last_error", sa.String(length=500), nullable=True))
        batch.create_check_constraint(
            "email_state", "email_state in ('pending', 'sending', 'sent', 'failed')"
        )


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("ck_notifications_email_state"), type_="check")
        batch.drop_column("email_last_error")
        batch.drop_column("email_claimed_at")
