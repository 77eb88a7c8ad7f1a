"""social: likes, follows, comments, notifications, reports, blocks, search indexes

Search: PostgreSQL gets a generated `releases.search_vector` column and a GIN index on
it, and a GIN index over `to_tsvector('simple', users.username)` (the expression
webapp/social/search.py queries); SQLite gets an FTS5 table over releases kept by
triggers. Usernames are indexed apart from releases, so a rename re-indexes one row,
never the author's releases; SQLite matches names on `users.username_key` itself (an FTS5
trigger on `users` made concurrent renames fail with "database is locked").

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# A stored column, not an expression index: ranking reads the vector of every match, and
# recomputing it per row made a common word's search ten times slower.
PG_SEARCH = (
    "ALTER TABLE releases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', genre || ' ' || mood), 'B') || "
    "setweight(to_tsvector('simple', description), 'C')) STORED",
    "CREATE INDEX ix_releases_search ON releases USING gin (search_vector)",
    "CREATE INDEX ix_users_search ON users USING gin ((to_tsvector('simple', users.username)))",
)
PG_SEARCH_DOWN = (
    "DROP INDEX ix_users_search", "DROP INDEX ix_releases_search",
    "ALTER TABLE releases DROP COLUMN search_vector",
)

RELEASE_COLUMNS = "title, genre, mood, description"
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE release_search USING fts5(title, genre, mood, description, "
    "content='releases', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
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
    "INSERT INTO release_search(release_search) VALUES ('rebuild')",
)
SQLITE_SEARCH_DOWN = (
    "DROP TRIGGER release_search_update", "DROP TRIGGER release_search_delete",
    "DROP TRIGGER release_search_insert", "DROP TABLE release_search",
)


def upgrade() -> None:
    """Add the social tables, the hidden flags, the admin flag and the search indexes."""
    # Plain ADD COLUMN, never a batch rebuild: on SQLite, rebuilding users would break the
    # history triggers that name it (migration 0006).
    op.add_column(
        "users",
        sa.Column("unread_notifications", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "users", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    for table in ("releases", "posts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
            )
    op.create_table(
        "likes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(release_id IS NULL) <> (post_id IS NULL)", name=op.f("ck_likes_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_likes_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_likes_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_likes")),
        sa.UniqueConstraint("user_id", "post_id", name=op.f("uq_likes_user_id_post_id")),
        sa.UniqueConstraint("user_id", "release_id", name=op.f("uq_likes_user_id_release_id")),
    )
    op.create_index("ix_likes_post_id", "likes", ["post_id"])
    op.create_index("ix_likes_release_id", "likes", ["release_id"])
    op.create_index("ix_likes_user_id_id", "likes", ["user_id", "id"])
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("followed_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("follower_id <> followed_id", name=op.f("ck_follows_not_self")),
        sa.ForeignKeyConstraint(
            ["followed_id"], ["users.id"], name=op.f("fk_follows_followed_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"], ["users.id"], name=op.f("fk_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follower_id", "followed_id", name=op.f("pk_follows")),
    )
    op.create_index("ix_follows_followed_id", "follows", ["followed_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_comments_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_comments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_release_id_id", "comments", ["release_id", "id"])
    op.create_index("ix_comments_user_id_created_at", "comments", ["user_id", "created_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_notifications_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_notifications_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "recipient_id", "kind", "release_id", "day",
            name=op.f("uq_notifications_recipient_id_kind_release_id_day"),
        ),
    )
    op.create_index(
        "ix_notifications_recipient_id_id", "notifications", ["recipient_id", "id"]
    )
    op.create_table(
        "notification_mutes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_mutes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_mutes")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "reporter_id", "kind", "subject_id",
            name=op.f("uq_reports_reporter_id_kind_subject_id"),
        ),
    )
    op.create_index("ix_reports_resolved_at_id", "reports", ["resolved_at", "id"])
    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_blocks_not_self")),
        sa.ForeignKeyConstraint(
            ["blocked_id"], ["users.id"], name=op.f("fk_blocks_blocked_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"], ["users.id"], name=op.f("fk_blocks_blocker_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_blocks")),
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"])
    search = PG_SEARCH if op.get_bind().dialect.name == "postgresql" else SQLITE_SEARCH
    for statement in search:
        op.execute(statement)


def downgrade() -> None:
    """Drop the search indexes, the social tables and the added columns."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in PG_SEARCH_DOWN if postgres else SQLITE_SEARCH_DOWN:
        op.execute(statement)
    for table in ("blocks", "reports", "notification_mutes", "notifications", "comments",
                  "follows", "likes"):
        op.drop_table(table)
    for table in ("posts", "releases"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("hidden")
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as in upgrade().
    op.drop_column("users", "is_admin")
    op.drop_column("users", "unread_notifications")
