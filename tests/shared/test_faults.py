"""Database faults answer 503 with Retry-After: never a 500, never a traceback."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import app_config, shutdown_app
from tests.processes import start, wait_exit
from webapp import create_app
from webapp.migrate import upgrade


@pytest.fixture
def locked_sqlite_app(tmp_path):
    """An app on SQLite with a short busy timeout, and another connection to hold the lock."""
    path = tmp_path / "locked.db"
    upgrade(f"sqlite:///{path}")
    app = create_app(app_config(f"sqlite:///{path}", tmp_path / "data", SQLITE_BUSY_TIMEOUT_MS=200))
    app.test_client().post("/signup", data={"username": "alice", "password": "long enough pw"})
    holder = sqlite3.connect(path, isolation_level=None)
    yield app, holder
    holder.close()
    shutdown_app(app)


def test_sqlite_database_is_locked_answers_503(locked_sqlite_app):
    """A write that cannot get the lock in time: 503 + Retry-After, the page says try again."""
    app, holder = locked_sqlite_app
    holder.execute("BEGIN EXCLUSIVE")
    client = app.test_client()
    response = client.post("/signup", data={"username": "bob", "password": "long enough pw"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert b"Traceback" not in response.data
    assert b"try again" in response.data
    holder.execute("ROLLBACK")
    again = client.post("/signup", data={"username": "bob", "password": "long enough pw"})
    assert again.status_code == 303


def test_unreachable_postgresql_answers_503(tmp_path):
    """With PostgreSQL down, pages and the health check say 503, with Retry-After."""
    app = create_app(
        app_config("postgresql://postgres@127.0.0.1:1/nowhere", tmp_path / "data")
    )
    client = app.test_client()
    for path in ("/healthz", "/login"):
        response = client.get(path) if path == "/healthz" else client.post(
            path, data={"username": "alice", "password": "long enough pw"}
        )
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "5"
    shutdown_app(app)


UNUSABLE_STORAGE_COMMANDS = {
    "make run": ["-m", "flask", "--app", "webapp", "serve", "--port", "0"],
    "flask worker": ["-m", "flask", "--app", "webapp", "worker", "--workers", "1"],
    "production gunicorn": ["-m", "gunicorn", "-c", "python:webapp.gunicorn_conf",
                            "--bind", "127.0.0.1:0", "webapp:create_app()"],
}


@pytest.mark.parametrize("command", UNUSABLE_STORAGE_COMMANDS)
def test_unusable_data_dir_stops_start_up_with_one_clear_line(request, command, tmp_path):
    """A DATA_DIR that cannot hold files ends start-up with its reason and path, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("DATA_DIR below a file can never be created")
    database = tmp_path / "soundstage.db"
    upgrade(f"sqlite:///{database}")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", DATA_DIR=str(blocker / "data"),
               SECRET_KEY="test-secret-key", WEB_CONCURRENCY="1")
    finished = start(
        request, [sys.executable, *UNUSABLE_STORAGE_COMMANDS[command]], env=env,
        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    output = wait_exit(finished)
    assert finished.returncode != 0, output
    assert "Traceback" not in output
    assert "Soundstage cannot start: the data directory is not writable" in output
    assert f"{blocker / 'data'}. Set DATA_DIR to a folder this user can write." in output
