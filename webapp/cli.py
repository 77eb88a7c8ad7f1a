"""Command-line entry points: migrate, serve (embedded default), make-admin and worker."""

import click
from flask import Flask

from . import migrate


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask --app webapp`."""

    @app.cli.command("migrate")
    def migrate_command() -> None:
        """Bring the database schema up to date (alembic upgrade head)."""
        migrate.upgrade(app.config["SQLALCHEMY_URL"])
        click.echo("Database is up to date.")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", type=int, default=None)
    def serve_command(host: str, port: int | None) -> None:
        """Serve with jobs running in-process (the embedded default)."""
        from werkzeug.serving import run_simple

        from .studio import worker

        port = port or app.config.settings.port
        worker.start_embedded(app)
        click.echo(f"Soundstage is running at http://{host}:{port}/ (Ctrl-C stops it)")
        try:
            run_simple(host, port, app, threaded=True, use_reloader=False)
        finally:
            worker.stop_embedded(app)

    @app.cli.command("make-admin")
    @click.argument("username")
    def make_admin_command(username: str) -> None:
        """Let a user review reports and hide releases, posts and comments."""
        from . import db
        from .social import moderation

        with db.standalone_session(app) as session:
            if not moderation.make_admin(session, username):
                raise click.ClickException(f"No user is called {username!r}.")
        click.echo(f"{username} is now an admin.")

    @app.cli.command("worker")
    @click.option("--workers", type=int, default=2, help="Threads running jobs.")
    def worker_command(workers: int) -> None:
        """Run a job consumer process (scale-out mode on PostgreSQL)."""
        from .studio import worker

        worker.run_consumer(app, workers)
