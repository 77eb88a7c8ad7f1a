"""Command-line entry points: migrate, serve (embedded default) and worker."""

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
        """Serve the embedded default: gunicorn, one worker running the jobs and events too."""
        from .gunicorn_conf import EmbeddedServer

        port = port or app.config.settings.port
        click.echo(f"Soundstage is running at http://{host}:{port}/ (Ctrl-C stops it)")
        EmbeddedServer(app, host, port).run()

    @app.cli.command("housekeeping")
    def housekeeping_command() -> None:
        """Delete expired sessions, stale log-in throttles and ended rate-limit windows."""
        from .studio import worker

        purged = worker.jobs_of(app).housekeep()
        click.echo(", ".join(f"{count} {kind}" for kind, count in purged.items()) + " purged.")

    @app.cli.command("worker")
    @click.option("--workers", type=int, default=2, help="Threads running jobs.")
    def worker_command(workers: int) -> None:
        """Run a job consumer process (scale-out mode on PostgreSQL)."""
        from .studio import worker

        worker.run_consumer(app, workers)
