"""Writes that settle races on either database: the unique keys decide, never a read.

The one place that picks the dialect's INSERT (it knows ON CONFLICT) for the database in use."""

from sqlalchemy import literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import finish_transaction, is_postgres
from .errors import NotFound


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
