"""play counts: one row per counted play, a counter on releases

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add releases.play_count and the play_events table with its unique key."""
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("play_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "play_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("listener", sa.String(length=40), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_play_events_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_events")),
        sa.UniqueConstraint(
            "release_id", "listener", "hour", name=op.f("uq_play_events_release_id_listener_hour")
        ),
    )


def downgrade() -> None:
    """Drop the table and the counter."""
    op.drop_table("play_events")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_column("play_count")
