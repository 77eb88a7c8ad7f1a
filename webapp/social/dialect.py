"""Writes that settle races on either database: the unique keys decide, never a read."""

from sqlalchemy import literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import finish_transaction
from ..errors import NotFound


def start_writing(db: Session) -> None:
    """End the reads done so far, so the next statement (a write) opens the transaction.

    SQLite then takes its write lock at once, waiting up to the busy timeout, instead of
    failing to upgrade a read lock that a concurrent writer made stale.
    """
    finish_transaction(db)


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
