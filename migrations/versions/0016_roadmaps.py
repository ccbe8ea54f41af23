"""roadmaps of a school, a municipality or a region; items with their append-only change log

Revision ID: 0016_roadmaps
Revises: 0015_diary
"""

import sqlalchemy as sa
from alembic import op


revision = "0016_roadmaps"
down_revision = "0015_diary"
branch_labels = None
depends_on = None

AUDIT = "roadmap_item_logs"


def _append_only(create: bool) -> None:
    """The change log refuses UPDATE and DELETE (refuse_change() comes from 0001)."""
    dialect = op.get_bind().dialect.name
    for action in ("UPDATE", "DELETE"):
        name = f"{AUDIT}_no_{action.lower()}"
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {AUDIT} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
                if create
                else f"DROP TRIGGER IF EXISTS {name} ON {AUDIT}"
            )
        elif dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {AUDIT} "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
                if create
                else f"DROP TRIGGER IF EXISTS {name}"
            )


def upgrade():
    op.create_table(
        "roadmaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "level in ('school', 'municipality', 'region')", name="ck_roadmaps_level"
        ),
        sa.CheckConstraint(
            "(level = 'school' AND school_id IS NOT NULL AND municipality_id IS NULL "
            "AND region_id IS NULL) OR "
            "(level = 'municipality' AND municipality_id IS NOT NULL AND school_id IS NULL "
            "AND region_id IS NULL) OR "
            "(level = 'region' AND region_id IS NOT NULL AND school_id IS NULL "
            "AND municipality_id IS NULL)",
            name="ck_roadmaps_owner",
        ),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], name="fk_roadmaps_school_id_schools"),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name="fk_roadmaps_municipality_id_municipalities",
        ),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name="fk_roadmaps_region_id_regions"),
        sa.PrimaryKeyConstraint("id", name="pk_roadmaps"),
    )
    op.create_index("ix_roadmaps_school_id", "roadmaps", ["school_id"])
    op.create_index("ix_roadmaps_municipality_id", "roadmaps", ["municipality_id"])
    op.create_index("ix_roadmaps_region_id", "roadmaps", ["region_id"])
    op.create_table(
        "roadmap_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("planned", sa.String(length=60), nullable=False),
        sa.Column("actual", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("target_value", sa.String(length=500), nullable=False),
        sa.Column("actual_value", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=False),
        sa.Column("evidence_file", sa.String(length=40), nullable=True),
        sa.Column("evidence_file_name", sa.String(length=200), nullable=True),
        sa.Column("evidence_file_mime", sa.String(length=100), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_changed_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "state in ('new', 'planned', 'in_progress', 'done', 'removed')",
            name="ck_roadmap_items_state",
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmaps.id"], name="fk_roadmap_items_roadmap_id_roadmaps"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_items"),
    )
    op.create_index("ix_roadmap_items_roadmap_id", "roadmap_items", ["roadmap_id"])
    op.create_table(
        AUDIT,
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_roadmap_item_logs_actor_id_users"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["roadmap_items.id"], name="fk_roadmap_item_logs_item_id_roadmap_items"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_item_logs"),
    )
    op.create_index("ix_roadmap_item_logs_item_id", AUDIT, ["item_id"])
    _append_only(True)


def downgrade():
    _append_only(False)
    op.drop_index("ix_roadmap_item_logs_item_id", table_name=AUDIT)
    op.drop_table(AUDIT)
    op.drop_index("ix_roadmap_items_roadmap_id", table_name="roadmap_items")
    op.drop_table("roadmap_items")
    op.drop_index("ix_roadmaps_region_id", table_name="roadmaps")
    op.drop_index("ix_roadmaps_municipality_id", table_name="roadmaps")
    op.drop_index("ix_roadmaps_school_id", table_name="roadmaps")
    op.drop_table("roadmaps")
