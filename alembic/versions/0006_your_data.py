"""your data: profile bio, links and banner; data exports; deletable username history

Deleting an account must take its username history with it, so the history's
append-only triggers now let a row go once its user is gone (the FK cascade of the
account's own DELETE); every other UPDATE or DELETE is still refused.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION username_changes_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'username_changes is append-only';
END;
$$ LANGUAGE plpgsql;
"""

STRICT_PG = """
CREATE OR REPLACE FUNCTION username_changes_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'username_changes is append-only';
END;
$$ LANGUAGE plpgsql;
"""

NO_DELETE_SQLITE = (
    "CREATE TRIGGER username_changes_no_delete BEFORE DELETE ON username_changes "
    "WHEN EXISTS (SELECT 1 FROM users WHERE users.id = OLD.user_id) "
    "BEGIN SELECT RAISE(ABORT, 'username_changes is append-only'); END"
)

STRICT_NO_DELETE_SQLITE = (
    "CREATE TRIGGER username_changes_no_delete BEFORE DELETE ON username_changes "
    "BEGIN SELECT RAISE(ABORT, 'username_changes is append-only'); END"
)


def _history_deletes(pg: str, sqlite: str) -> None:
    """Replace the history's DELETE rule on either database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg)
    else:
        op.execute("DROP TRIGGER IF EXISTS username_changes_no_delete")
        op.execute(sqlite)


def upgrade() -> None:
    """Apply this revision."""
    # On SQLite the users table is rebuilt with AUTOINCREMENT: a deleted account's id is
    # never handed to a new account (ids key caches, files and live streams).
    sqlite_options = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}}
    recreate = sqlite_options if op.get_bind().dialect.name == "sqlite" else {}
    with op.batch_alter_table("users", schema=None, **recreate) as batch_op:
        batch_op.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("banner", sa.String(length=64), nullable=True))
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_exports_user_id"), ["user_id"], unique=False)
    _history_deletes(APPEND_ONLY_PG, NO_DELETE_SQLITE)


def downgrade() -> None:
    """Revert this revision."""
    _history_deletes(STRICT_PG, STRICT_NO_DELETE_SQLITE)
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_exports_user_id"))
    op.drop_table("data_exports")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("banner")
        batch_op.drop_column("links")
        batch_op.drop_column("bio")
