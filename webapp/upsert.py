"""Writes that settle races on either database: the unique keys decide, never a read.

The one place that picks the dialect's INSERT (it knows ON CONFLICT) for the database in use."""

from sqlalchemy import func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import begin_write, finish_transaction, is_postgres
from .errors import NotFound
from .models import User
from .visibility import blocked_between


def insert(db: Session, model):
    """The dialect's INSERT into `model`'s table, which knows ON CONFLICT on both databases."""
    dialect = postgresql if is_postgres(db) else sqlite
    return dialect.insert(model)


def start_writing(db: Session) -> None:
    """End the reads done so far, so the next statement (a write) opens the transaction.

    SQLite then takes its write lock at once, waiting up to the busy timeout, instead of
    failing to upgrade a read lock that a concurrent writer made stale.
    """
    finish_transaction(db)


# Advisory-lock namespaces of one person's own counted writes (ids are positive: a pair's
# lock never takes these).
COMMENTS_LOCK = -1


def lock_person(db: Session, namespace: int, user_id: int) -> None:
    """Serialise one person's writes of a kind (counted against a limit) until the commit."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(namespace, user_id)))


def insert_or_ignore(db: Session, model, **values) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it."""
    try:
        # RETURNING, not rowcount: psycopg reports no row count for this statement.
        inserted = db.execute(
            insert(db, model).values(**values).on_conflict_do_nothing().returning(literal(1))
        ).first()
    except IntegrityError as error:
        # A row it points at (a release, a post, a person) was deleted since it was read.
        db.rollback()
        raise NotFound() from error
    return inserted is not None


def blocked_for_writing(db: Session, actor_id: int, other_id: int) -> bool:
    """Whether a block stands between two people, read in the transaction (begun here) that
    then writes.

    On PostgreSQL both people's rows are locked first (in id order, as `set_block` does), so
    a block and a comment, like or follow between the same two people run one after the
    other; on SQLite the transaction begins IMMEDIATE, holding the write lock already.
    """
    begin_write(db)
    if actor_id == other_id:
        return False
    if is_postgres(db):
        db.execute(
            select(User.id).where(User.id.in_((actor_id, other_id))).order_by(User.id)
            .with_for_update(key_share=True)
        ).all()
    return bool(db.scalar(select(blocked_between(actor_id, other_id))))
