"""Writes that settle races on either database: the unique keys decide, never a read."""

from sqlalchemy import func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from ..db import finish_transaction


def start_writing(db: Session) -> None:
    """End the reads done so far, so the next statement (a write) opens the transaction.

    SQLite then takes its write lock at once, waiting up to the busy timeout, instead of
    failing to upgrade a read lock that a concurrent writer made stale.
    """
    finish_transaction(db)


def lock_pair(db: Session, one: int, other: int) -> None:
    """Serialise writes about two people (a follow against a block) until the commit.

    SQLite's write transactions are serial already (BEGIN IMMEDIATE); PostgreSQL takes a
    transaction-scoped advisory lock on the pair, in either order of the two.
    """
    if db.get_bind().dialect.name == "postgresql":
        low, high = sorted((one, other))
        db.execute(select(func.pg_advisory_xact_lock(low, high)))


# Advisory-lock namespaces of one person's own counted writes (ids are positive: a pair's
# lock never takes these).
COMMENTS_LOCK = -1


def lock_person(db: Session, namespace: int, user_id: int) -> None:
    """Serialise one person's writes of a kind (counted against a limit) until the commit."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(namespace, user_id)))


def insert_or_ignore(db: Session, model, **values) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    try:
        # RETURNING, not rowcount: psycopg reports no row count for this statement.
        inserted = db.execute(
            dialect.insert(model).values(**values).on_conflict_do_nothing().returning(literal(1))
        ).first()
    except IntegrityError as error:
        # A row it points at (a release, a post, a person) was deleted since it was read.
        db.rollback()
        raise NotFound() from error
    return inserted is not None
