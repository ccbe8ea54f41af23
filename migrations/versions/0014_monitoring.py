"""measures of the anti-risk programmes, their monitoring reports and the evidence check

Revision ID: 0014_monitoring
Revises: 0012_remarks
"""

import sqlalchemy as sa
from alembic import op


revision = "0014_monitoring"
down_revision = "0013_user_locale"
branch_labels = None
depends_on = None

APPEND_ONLY = ("evidence_check_logs", "evidence_files")
STATES = "'draft', 'submitted', 'accepted', 'returned', 'not_done'"


def _append_only(create: bool) -> None:
    """The audit trail and the evidence files refuse UPDATE and DELETE (refuse_change(): 0001)."""
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            name = f"{table}_no_{action.lower()}"
            if dialect == "postgresql":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
                    if create
                    else f"DROP TRIGGER IF EXISTS {name} ON {table}"
                )
            elif dialect == "sqlite":
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    if create
                    else f"DROP TRIGGER IF EXISTS {name}"
                )


def upgrade():
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("goal", sa.String(length=1000), nullable=False),
        sa.Column("task", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=500), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], name=op.f("fk_measures_school_id_schools")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_measures_document_id_documents")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_measures_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_school_id"), ["school_id"], unique=False)

    op.create_table(
        "evidence_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("actual_value", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_evidence_count", sa.Integer(), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_changed_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(f"state in ({STATES})", name=op.f("ck_evidence_checks_state")),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], name=op.f("fk_evidence_checks_measure_id_measures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_checks")),
        sa.UniqueConstraint("measure_id", name=op.f("uq_evidence_checks_measure_id")),
    )
    with op.batch_alter_table("evidence_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_checks_state"), ["state"], unique=False)

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["evidence_checks.id"], name=op.f("fk_evidence_files_check_id_evidence_checks")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_evidence_files_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("check_id", "number", name=op.f("uq_evidence_files_check_id")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_evidence_files_stored_name")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_check_id"), ["check_id"], unique=False)

    op.create_table(
        "evidence_check_logs",
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_evidence_check_logs_actor_id_users")),
        sa.ForeignKeyConstraint(["check_id"], ["evidence_checks.id"], name=op.f("fk_evidence_check_logs_check_id_evidence_checks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_check_logs")),
    )
    with op.batch_alter_table("evidence_check_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_check_logs_check_id"), ["check_id"], unique=False)
    _append_only(create=True)


def downgrade():
    _append_only(create=False)
    op.drop_table("evidence_check_logs")
    op.drop_table("evidence_files")
    op.drop_table("evidence_checks")
    op.drop_table("measures")
