"""Alembic environment: runs migrations against the URL the caller gives."""

from sqlalchemy import create_engine

from alembic import context
from webapp.config import normalise_database_url
from webapp.migrate import include_object
from webapp.models import Base

config = context.config


def database_url() -> str:
    """The URL from the caller (webapp.migrate), `-x url=`, or DATABASE_URL."""
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        import os

        url = os.environ["DATABASE_URL"]
    return normalise_database_url(url)


def run_migrations_online() -> None:
    """Run migrations in one connection."""
    connectable = create_engine(database_url())
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


run_migrations_online()
