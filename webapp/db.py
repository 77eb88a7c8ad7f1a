"""Database engine, one session per request, and the declarative base."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The execution option that makes a SQLite transaction begin IMMEDIATE (ignored elsewhere).
WRITE_OPTION = "soundstage_writes"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, busy_timeout_ms: int = 10_000) -> Engine:
    """Create an engine tuned for SQLite (WAL, busy timeout, FKs) or PostgreSQL."""
    if url.startswith("sqlite"):
        # pysqlite's timeout is SQLite's busy timeout.
        engine = create_engine(
            url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Turn on WAL and foreign keys for every SQLite connection."""
    # Let SQLAlchemy, not pysqlite, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Start SQLite transactions explicitly: IMMEDIATE for writers, deferred for readers."""
    # A deferred transaction that reads and then writes fails at once ("database is
    # locked") if another writer committed in between, and the busy timeout never
    # applies; BEGIN IMMEDIATE takes the write lock first, so writers queue instead.
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    """Create the engine and session factory and close sessions after each request."""
    settings = app.config.settings
    engine = make_engine(settings.sqlalchemy_url, settings.sqlite_busy_timeout_ms)
    app.extensions["db_engine"] = engine
    app.extensions["db_write_engine"] = engine.execution_options(**{WRITE_OPTION: True})
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request or app context, opened on first use.

    A request that may change state (POST and the like) writes: on SQLite its
    transactions begin IMMEDIATE; reads (GET) stay deferred and never block writers.
    """
    if "db_session" not in g:
        maker = current_app.extensions["db_sessionmaker"]
        writes = has_request_context() and request.method not in SAFE_METHODS
        g.db_session = maker(bind=current_app.extensions["db_write_engine"]) if writes else maker()
    return g.db_session


def begin_write(session: Session) -> None:
    """End the session's open transaction and begin one that writes (IMMEDIATE on SQLite)."""
    finish_transaction(session)
    session.connection(execution_options={WRITE_OPTION: True})


def release_write_lock(session: Session) -> None:
    """End the session's transaction if it began as a writer's (IMMEDIATE), freeing the lock."""
    if session.in_transaction() and session.get_bind().get_execution_options().get(WRITE_OPTION):
        session.commit()


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction holding SQLite's write lock from its start, committed on success."""
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def standalone_session(app: Flask) -> Iterator[Session]:
    """A session outside any request, for jobs and listeners."""
    db = app.extensions["db_sessionmaker"]()
    try:
        yield db
    finally:
        db.close()


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session, rolling back anything left uncommitted."""
    db = g.pop("db_session", None)
    if db is not None:
        try:
            db.close()
        except SQLAlchemyError:
            # The connection died mid-transaction (say, a database restart): drop it
            # rather than turn an answered request into a server error.
            db.invalidate()


def is_postgres(bind: Session | Engine) -> bool:
    """Whether the session or engine talks to PostgreSQL."""
    return bind.get_bind().dialect.name == "postgresql" if isinstance(bind, Session) else (
        bind.dialect.name == "postgresql"
    )


def finish_transaction(session: Session) -> None:
    """End the session's open transaction, so the next one starts fresh."""
    if session.in_transaction():
        session.commit()


def expire_loaded(session: Session, model: type[Base], ident: int) -> None:
    """Forget the session's loaded copy of one row, so the next read sees what was written."""
    loaded = session.identity_map.get(session.identity_key(model, ident))
    if loaded is not None:
        session.expire(loaded)
