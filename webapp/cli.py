"""Command-line entry points: migrate, serve (embedded default), worker, make-admin, seed-demo,
and the support commands export-user and delete-user."""

import shutil
from pathlib import Path

import click
from flask import Flask

from . import db, migrate, storage


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask --app webapp`."""

    @app.cli.command("migrate")
    def migrate_command() -> None:
        """Bring the database schema up to date (alembic upgrade head)."""
        url = app.config["SQLALCHEMY_URL"]
        before = migrate.current_revision(url)
        migrate.upgrade(url)
        after = migrate.current_revision(url)
        if before is None:
            click.echo("Database created.")
        elif before != after:
            click.echo(f"Database upgraded ({before} → {after}).")
        else:
            click.echo("Database is up to date.")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", type=int, default=None)
    def serve_command(host: str, port: int | None) -> None:
        """Serve the embedded default: gunicorn, one worker running the jobs and events too."""
        from .gunicorn_conf import EmbeddedServer

        _refuse_unusable_storage(app)
        port = port or app.config.settings.port
        click.echo(f"Soundstage is running at http://{host}:{port}/ (Ctrl-C stops it)")
        EmbeddedServer(app, host, port).run()

    @app.cli.command("housekeeping")
    def housekeeping_command() -> None:
        """Delete expired sessions, stale log-in throttles and ended rate-limit windows."""
        from . import jobs

        purged = jobs.jobs_of(app).housekeep()
        click.echo(", ".join(f"{count} {kind}" for kind, count in purged.items()) + " purged.")

    @app.cli.command("make-admin")
    @click.argument("username")
    def make_admin_command(username: str) -> None:
        """Let a user review reports and hide releases, posts and comments."""
        from . import db
        from .moderation import reports

        with db.standalone_session(app) as session:
            if not reports.make_admin(session, username):
                raise click.ClickException(f"No user is called {username!r}.")
        click.echo(f"{username} is now an admin.")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Fill this instance with demo artists, releases, posts, likes and comments (once)."""
        from . import demo

        with db.standalone_session(app) as session:
            made = demo.seed(app, session, click.echo)
        if any(made.values()):
            click.echo("Demo content added: " + ", ".join(f"{n} {k}" for k, n in made.items()))
            click.echo(f"Log in as {demo.ARTISTS[0].username} with the password "
                       f"“{demo.DEMO_PASSWORD}”.")
        else:
            click.echo("The demo content is already here: nothing to add.")

    @app.cli.command("worker")
    @click.option("--workers", type=int, default=2, help="Threads running jobs.")
    def worker_command(workers: int) -> None:
        """Run a job consumer process (scale-out mode on PostgreSQL)."""
        from . import jobs

        _refuse_unusable_storage(app)
        jobs.run_consumer(app, workers)

    @app.cli.command("export-user")
    @click.argument("name")
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also copy the ZIP to this file.")
    def export_user_command(name: str, output: Path | None) -> None:
        """Build a user's data export now, in this process, and say where the ZIP is."""
        from .accounts import exports

        with db.standalone_session(app) as session:
            user_id = _user_id(session, name)
            export, error = exports.start(session, user_id)
            if error is not None:
                raise click.ClickException(error)
            if not exports.run(session, export.id):
                raise click.ClickException(exports.FAILED)
            path = exports.download_path(session, user_id, export.id)
        if output is not None:
            shutil.copyfile(path, output)
            path = output
        click.echo(f"Exported {name} to {path}")

    @app.cli.command("delete-user")
    @click.argument("name")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def delete_user_command(name: str, yes: bool) -> None:
        """Delete a user's account and everything they own, for good."""
        from .accounts import deletion

        with db.standalone_session(app) as session:
            user_id = _user_id(session, name)
            if not yes:
                click.confirm(f"Delete {name} and everything they own, for good?", abort=True)
            erased = deletion.erase_user(session, user_id)
        if erased is None:
            raise click.ClickException(deletion.BUSY)
        click.echo(f"Deleted {name}: {erased.files} files, {len(erased.generations)} "
                   f"generations; {erased.swept} leftover files swept.")


def _refuse_unusable_storage(app: Flask) -> None:
    """Stop with a one-line reason, not a traceback, if DATA_DIR cannot hold files."""
    if refusal := storage.startup_refusal(app):
        raise click.ClickException(refusal)


def _user_id(session, name: str) -> int:
    """The id of the user holding `name` now, or a command error."""
    from .profiles import usernames

    user, _ = usernames.find_profile(session, name)
    if user is None:
        raise click.ClickException(f"No user is named {name!r}.")
    return user.id
