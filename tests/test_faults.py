"""Database faults answer 503 with Retry-After: never a 500, never a traceback."""

import sqlite3

import pytest

from tests.conftest import app_config, shutdown_app
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
