"""cross-check experts: single-use invitations to set a password

Revision ID: 0009_crosscheck_experts
Revises: 0007_crosscheck
Create Date: 2026-11-27 21:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0009_crosscheck_experts'
down_revision = '0007_crosscheck'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'crosscheck_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_crosscheck_invitations_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crosscheck_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_crosscheck_invitations_token_hash')),
    )
    with op.batch_alter_table('crosscheck_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crosscheck_invitations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('crosscheck_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crosscheck_invitations_user_id'))
    op.drop_table('crosscheck_invitations')
