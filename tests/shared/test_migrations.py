"""The migrations are the schema: they match the models, and they go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from alembic import command
from tests.conftest import create_pg_database, drop_pg_database, postgres_or_skip
from webapp.config import normalise_database_url
from webapp.migrate import alembic_config, include_object, upgrade
from webapp.models import Base


def differences(url: str) -> list:
    """What autogenerate would still change between the database and the models."""
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def round_trip(url: str) -> None:
    """Upgrade, check, downgrade to nothing, upgrade again, check again."""
    upgrade(url)
    assert differences(url) == []
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    assert differences(url) == []


def test_migrations_match_models_on_sqlite(tmp_path):
    """SQLite: head equals the models; downgrade and upgrade work."""
    round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


def test_migrations_match_models_on_postgresql():
    """PostgreSQL: the same, including the history trigger's function."""
    postgres_or_skip()
    url = create_pg_database("soundstage_migrations")
    try:
        round_trip(url)
    finally:
        drop_pg_database(url)


def fills_skeletons(url: str) -> None:
    """0004 on a database with look-alike names: the first keeps its skeleton, a later one none."""
    from sqlalchemy import text

    upgrade(url, "0003")
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        for name, key in (("alice", "alice"), ("aIice", "aiice"), ("mary", "mary")):
            connection.execute(text(
                "INSERT INTO users (username, username_key, password_hash, created_at, "
                "updated_at, library_version, profile_version) "
                "VALUES (:name, :key, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 0)"
            ), {"name": name, "key": key})
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT username, username_skeleton FROM users ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("alice", "allce"), ("aIice", None), ("mary", "rnary")]
    command.downgrade(alembic_config(url), "0003")


def test_0004_fills_skeletons_on_sqlite(tmp_path):
    """SQLite: existing names get skeletons; look-alikes of earlier names keep none."""
    fills_skeletons(f"sqlite:///{tmp_path / 'skeletons.db'}")


def test_0004_fills_skeletons_on_postgresql():
    """PostgreSQL: the same."""
    postgres_or_skip()
    url = create_pg_database("soundstage_skeletons")
    try:
        fills_skeletons(url)
    finally:
        drop_pg_database(url)
