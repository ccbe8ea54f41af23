"""each user's language (ru/en): e-mails to the user are written in it

Revision ID: 0013_user_locale
Revises: 0012_remarks
"""

import sqlalchemy as sa
from alembic import op


revision = "0013_user_locale"
down_revision = "0012_remarks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=2), nullable=False, server_default="ru"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
