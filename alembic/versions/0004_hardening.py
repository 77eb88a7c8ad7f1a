"""hardening: rate-limit counters, throttles' last failure, generations' start, name skeletons

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the limiter's counters and the throttles' last-failure time."""
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_expires_at"), "rate_limits", ["expires_at"])
    with op.batch_alter_table("login_throttles") as batch:
        batch.add_column(sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            batch.f("ix_login_throttles_last_failure_at"), ["last_failure_at"]
        )
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username_skeleton", sa.String(length=64), nullable=True))
    _fill_skeletons()
    with op.batch_alter_table("users") as batch:
        batch.create_unique_constraint(
            batch.f("uq_users_username_skeleton"), ["username_skeleton"]
        )


# The skeleton rule as of this revision (webapp/profiles/usernames.py may change later).
CONFUSABLES = str.maketrans({"m": "rn", "w": "vv", "d": "cl", "i": "l", "1": "l", "0": "o"})


def _fill_skeletons() -> None:
    """Give existing names their skeleton; a later look-alike of an earlier name keeps none."""
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username_key", sa.String),
                     sa.column("username_skeleton", sa.String))
    seen: set[str] = set()
    for user_id, key in bind.execute(sa.select(users.c.id, users.c.username_key)
                                     .order_by(users.c.id)).all():
        skeleton = key.translate(CONFUSABLES)
        if skeleton not in seen:
            seen.add(skeleton)
            bind.execute(sa.update(users).where(users.c.id == user_id)
                         .values(username_skeleton=skeleton))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_username_skeleton", type_="unique")
        batch.drop_column("username_skeleton")
    with op.batch_alter_table("generations") as batch:
        batch.drop_column("started_at")
    with op.batch_alter_table("login_throttles") as batch:
        batch.drop_index(batch.f("ix_login_throttles_last_failure_at"))
        batch.drop_column("last_failure_at")
    op.drop_index(op.f("ix_rate_limits_expires_at"), table_name="rate_limits")
    op.drop_table("rate_limits")
