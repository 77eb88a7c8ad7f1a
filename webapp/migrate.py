"""Run Alembic migrations from Python (CLI, tests, scaled start-up)."""

from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    """An Alembic config pointed at the project's scripts and the given database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    return config


# Made in raw SQL by their migrations, unknown to the models: the job queue's tables
# (Huey's format, 0003) and the search machinery (0007: PostgreSQL's generated
# `search_vector` column and GIN indexes, SQLite's FTS5 tables).
UNMODELLED = ("huey_", "release_search", "ix_releases_search", "ix_users_search", "search_vector")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave tables, columns and indexes made in raw SQL (UNMODELLED) out of diffs."""
    return not (
        type_ in ("table", "column", "index") and reflected
        and (name or "").startswith(UNMODELLED)
    )


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None for a brand-new (empty) database."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)
