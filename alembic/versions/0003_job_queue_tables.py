"""the job queue's tables on PostgreSQL (Huey's PostgresStorage format)

Created here, once, rather than by each consumer at start-up: consumers starting
together on a fresh database raced on CREATE TABLE IF NOT EXISTS and one crashed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The DDL of huey.storage.PostgresStorage (huey 3.5), table prefix "huey".
HUEY_TABLES = (
    "create table if not exists huey_kv (queue text not null, key text not null, "
    "value bytea not null, primary key(queue, key))",
    "create table if not exists huey_schedule (id bigserial primary key, queue text not null, "
    "data bytea not null, timestamp double precision not null)",
    "create index if not exists huey_schedule_queue_timestamp on huey_schedule (queue, timestamp)",
    "create table if not exists huey_task (id bigserial primary key, queue text not null, "
    "data bytea not null, priority double precision not null default 0.0)",
    "create index if not exists huey_task_queue_priority_id "
    "on huey_task (queue, priority desc, id)",
    "create table if not exists huey_counter (queue text not null, key text not null, "
    "value bigint not null default 0, primary key(queue, key))",
)


def upgrade() -> None:
    """On PostgreSQL, create the queue's tables (SQLite keeps its queue in its own file)."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in HUEY_TABLES:
            op.execute(statement)


def downgrade() -> None:
    """Drop the queue's tables."""
    if op.get_bind().dialect.name == "postgresql":
        for table in ("huey_counter", "huey_task", "huey_schedule", "huey_kv"):
            op.execute(f"drop table if exists {table}")
