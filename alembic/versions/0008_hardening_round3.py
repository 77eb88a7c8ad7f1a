"""hardening, round 3: an index on every foreign key, reports by foreign key, ids never
reused on SQLite, accounts disabled at once and erased in the background

Every foreign-key column gets an index (a deleted row's cascade otherwise scans the whole
child table). Reports name their subject by a foreign key with ON DELETE CASCADE instead
of a bare (kind, id). On SQLite the tables whose ids are referenced from outside the row
(URLs, live events, file names, reports) are rebuilt with AUTOINCREMENT; rebuilding
`releases` drops its search triggers, which are created again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Leading column of an index for each foreign key that had none.
NEW_INDEXES = {
    "releases": ["music_id", "image_id"],
    "posts": ["release_id"],
    "notifications": ["actor_id", "release_id", "post_id", "comment_id"],
}
# Rebuilt with AUTOINCREMENT on SQLite (reports are rebuilt on their own, below).
AUTOINCREMENT_TABLES = ("media", "generations", "releases", "posts", "comments", "notifications")
# Kind of subject → (its table, the report column naming it).
REPORT_SUBJECTS = {"release": ("releases", "release_id"), "post": ("posts", "post_id"),
                   "comment": ("comments", "comment_id"), "user": ("users", "person_id")}
REPORT_ONE_SUBJECT = (
    "(CASE WHEN release_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN post_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) = 1"
)

# As created by 0007: the triggers go with the table when SQLite rebuilds it.
RELEASE_COLUMNS = "title, genre, mood, description"
SQLITE_SEARCH_TRIGGERS = (
    "CREATE TRIGGER release_search_insert AFTER INSERT ON releases BEGIN "
    f"INSERT INTO release_search(rowid, {RELEASE_COLUMNS}) "
    "VALUES (new.id, new.title, new.genre, new.mood, new.description); END",
    "CREATE TRIGGER release_search_delete AFTER DELETE ON releases BEGIN "
    f"INSERT INTO release_search(release_search, rowid, {RELEASE_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.genre, old.mood, old.description); END",
    "CREATE TRIGGER release_search_update AFTER UPDATE OF title, genre, mood, description "
    "ON releases BEGIN "
    f"INSERT INTO release_search(release_search, rowid, {RELEASE_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.genre, old.mood, old.description); "
    f"INSERT INTO release_search(rowid, {RELEASE_COLUMNS}) "
    "VALUES (new.id, new.title, new.genre, new.mood, new.description); END",
)


def _is_sqlite() -> bool:
    """Whether the migration runs on SQLite."""
    return op.get_bind().dialect.name == "sqlite"


def _rebuild(autoincrement: bool) -> dict:
    """Batch options that rebuild a SQLite table with (or without) AUTOINCREMENT."""
    if not _is_sqlite():
        return {}
    return {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": autoincrement}}


def _search_triggers() -> None:
    """Create the release search triggers again after SQLite rebuilt `releases`."""
    if _is_sqlite():
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("erase_lease_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index(batch.f("ix_users_deleted_at"), ["deleted_at"])
    for table in AUTOINCREMENT_TABLES:
        with op.batch_alter_table(table, **_rebuild(True)) as batch:
            for column in NEW_INDEXES.get(table, []):
                batch.create_index(batch.f(f"ix_{table}_{column}"), [column])
    _search_triggers()
    _reports_by_foreign_key()


def _reports_by_foreign_key() -> None:
    """Give each report a foreign key to its subject; reports of vanished subjects go."""
    with op.batch_alter_table("reports") as batch:
        for _, column in REPORT_SUBJECTS.values():
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
    for kind, (table, column) in REPORT_SUBJECTS.items():
        op.execute(
            f"UPDATE reports SET {column} = subject_id WHERE kind = '{kind}' "
            f"AND subject_id IN (SELECT id FROM {table})"
        )
    op.execute("DELETE FROM reports WHERE release_id IS NULL AND post_id IS NULL "
                "AND comment_id IS NULL AND person_id IS NULL")
    with op.batch_alter_table("reports", **_rebuild(True)) as batch:
        batch.drop_constraint("uq_reports_reporter_id_kind_subject_id", type_="unique")
        batch.drop_column("subject_id")
        for table, column in REPORT_SUBJECTS.values():
            batch.create_foreign_key(
                batch.f(f"fk_reports_{column}_{table}"), table, [column], ["id"],
                ondelete="CASCADE",
            )
            batch.create_index(batch.f(f"ix_reports_{column}"), [column])
            batch.create_unique_constraint(
                batch.f(f"uq_reports_reporter_id_{column}"), ["reporter_id", column]
            )
        batch.create_check_constraint("one_subject", REPORT_ONE_SUBJECT)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    op.execute("UPDATE reports SET subject_id = COALESCE(release_id, post_id, comment_id, person_id)")
    with op.batch_alter_table("reports", **_rebuild(False)) as batch:
        batch.drop_constraint("one_subject", type_="check")
        for table, column in REPORT_SUBJECTS.values():
            batch.drop_constraint(f"uq_reports_reporter_id_{column}", type_="unique")
            batch.drop_index(f"ix_reports_{column}")
            batch.drop_constraint(f"fk_reports_{column}_{table}", type_="foreignkey")
            batch.drop_column(column)
        batch.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_reports_reporter_id_kind_subject_id", ["reporter_id", "kind", "subject_id"]
        )
    for table in reversed(AUTOINCREMENT_TABLES):
        with op.batch_alter_table(table, **_rebuild(False)) as batch:
            for column in NEW_INDEXES.get(table, []):
                batch.drop_index(f"ix_{table}_{column}")
    _search_triggers()
    op.drop_index("ix_users_deleted_at", table_name="users")
    # Not a batch rebuild: users keeps AUTOINCREMENT and the history trigger that names it.
    op.execute("ALTER TABLE users DROP COLUMN erase_lease_until")
    op.execute("ALTER TABLE users DROP COLUMN deleted_at")
