"""Fixtures: every database test runs on SQLite and on PostgreSQL.

Each backend's schema is built once per run with `alembic upgrade head` (which
also tests the migration); each test then gets a clean copy (SQLite) or clean
tables (PostgreSQL). Under CI=true a missing PostgreSQL fails the run.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.processes import become_subreaper, kill_all, leftovers
from webapp import create_app
from webapp.migrate import upgrade

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ("sqlite", "postgresql")

# argon2id at minimal cost: the same code path, without 64 MiB per hash in tests.
FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@dataclass
class TestDatabase:
    """A migrated database for one backend."""

    backend: str
    url: str
    template: Path | None = None


def postgres_or_skip() -> None:
    """Skip PostgreSQL tests on a laptop without it; fail under CI."""
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=30).close()
    except psycopg.OperationalError as error:
        # Under CI=true a missing PostgreSQL fails the run; elsewhere it skips.
        (pytest.fail if IN_CI else pytest.skip)(f"PostgreSQL not available (CI={IN_CI}): {error}")


def create_pg_database(prefix: str) -> str:
    """Create a fresh PostgreSQL database and return its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a test database, closing whatever still holds it."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    """A migrated database per backend, built once per run."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        upgrade(f"sqlite:///{template}")
        yield TestDatabase("sqlite", f"sqlite:///{template}", template)
        return
    postgres_or_skip()
    url = create_pg_database("soundstage_test")
    upgrade(url)
    yield TestDatabase("postgresql", url)
    drop_pg_database(url)


def clean_postgres(url: str) -> None:
    """Empty every table but Alembic's; TRUNCATE skips the history's row triggers."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_url(database: TestDatabase, tmp_path: Path) -> str:
    """A clean database for one test."""
    if database.backend == "sqlite":
        copy = tmp_path / "app.db"
        shutil.copyfile(database.template, copy)
        return f"sqlite:///{copy}"
    clean_postgres(database.url)
    return database.url


def app_config(database_url: str, data_dir: Path, **overrides) -> dict:
    """The test configuration: a clean database, a private data folder."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH": FAST_HASH,
        "JOBS_EMBEDDED": False,
        # Tests sign up and log in many times from one address; limit tests lower these.
        "LIMIT_SIGNUPS_PER_CLIENT": "1000 per hour",
        "LIMIT_PASSWORD_CHECKS_PER_CLIENT": "1000 per hour",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """The app on a clean database."""
    app = create_app(app_config(database_url, tmp_path / "data"))
    yield app
    shutdown_app(app)


def shutdown_app(app: Flask) -> None:
    """Stop the app's threads and release its connections."""
    from webapp import jobs

    jobs.stop_embedded(app)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        listener.stop()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def backend(database: TestDatabase) -> str:
    """The name of the database backend under test."""
    return database.backend


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


class AuthActions:
    """Sign up, log in and log out through the real routes."""

    def __init__(self, client: FlaskClient) -> None:
        """Wrap a client."""
        self._client = client

    def signup(self, username: str = "alice", password: str = "correct horse battery"):
        """Create an account (and sign in)."""
        return self._client.post("/signup", data={"username": username, "password": password})

    def login(self, username: str = "alice", password: str = "correct horse battery"):
        """Sign in."""
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        """Sign out."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Account actions on the test client."""
    return AuthActions(client)


@pytest.fixture
def make_client(app: Flask):
    """Another browser: a fresh client, optionally signed up as a new user."""

    def make(username: str | None = None) -> FlaskClient:
        """A new client; signed up as `username` when given."""
        other = app.test_client()
        if username:
            response = AuthActions(other).signup(username)
            assert response.status_code == 303, response.data
        return other

    return make


BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(config, items):
    """Mark each test with what it needs (`make test-fast` selects on these marks):
    its database backend (sqlite / postgresql), or a browser."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database") if callspec else None
        if backend in BACKENDS:
            item.add_marker(backend)
        elif "postgresql" in item.name:
            item.add_marker("postgresql")
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker("browser")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say how many tests ran on each backend and in the browser."""
    counts = {"sqlite": 0, "postgresql": 0, "browser": 0}
    for report in terminalreporter.stats.get("passed", []):
        for name in counts:
            if f"[{name}" in report.nodeid or f"-{name}" in report.nodeid or (
                name == "browser" and "tests/browser/" in report.nodeid
            ):
                counts[name] += 1
    terminalreporter.write_sep(
        "-",
        f"passed on sqlite: {counts['sqlite']}, on postgresql: {counts['postgresql']}, "
        f"in the browser: {counts['browser']}",
    )


def pytest_configure(config):
    """Adopt orphaned descendants (a gunicorn worker whose master died), so the check below
    sees every process a test started, not only direct children."""
    become_subreaper()


def pytest_sessionfinish(session, exitstatus):
    """A run that leaves a process behind fails: name each one, then kill it."""
    alive = leftovers()
    if not alive:
        return
    kill_all(alive)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("!", f"{len(alive)} process(es) outlived the tests (now killed)",
                           red=True)
        for pid, command in sorted(alive.items()):
            reporter.write_line(f"  pid {pid}: {command[:200]}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
