"""Sessions on both databases: Secure cookies behind HTTPS, server-side lifetimes, housekeeping."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from tests.conftest import AuthActions, app_config, shutdown_app
from webapp import create_app, db, jobs
from webapp.models import LoginThrottle, RateLimit, UserSession

HTTPS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
               "X-Forwarded-Host": "soundstage.example"}


@pytest.fixture
def proxied_app(database_url, tmp_path):
    """The app as docs/deploy.md configures it behind one TLS-terminating proxy."""
    app = create_app(app_config(database_url, tmp_path / "data", TRUST_PROXY_HOPS=1,
                                TRUSTED_HOSTS=["soundstage.example"]))
    yield app
    shutdown_app(app)


def test_behind_a_trusted_https_proxy_cookies_are_secure_and_hsts_is_sent(proxied_app):
    """TRUST_PROXY_HOPS=1: X-Forwarded-Proto https makes the session cookie Secure, adds HSTS."""
    client = proxied_app.test_client()
    response = client.post("/signup", data={"username": "alice", "password": "long enough pw"},
                           headers=HTTPS_PROXY)
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_forwarded_headers_are_ignored_without_trust(client):
    """With the default (no trusted proxy), anyone's X-Forwarded-Proto changes nothing."""
    response = client.post("/signup", data={"username": "alice", "password": "long enough pw"},
                           headers=HTTPS_PROXY)
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


def test_the_trusted_proxy_gives_the_client_address_to_rate_limits(proxied_app):
    """Limits count the address the proxy saw, not the proxy's own."""
    proxied_app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"] = "2 per hour"
    client = proxied_app.test_client()

    def attempt(address: str) -> int:
        """One failed log-in from `address`, through the proxy."""
        headers = {**HTTPS_PROXY, "X-Forwarded-For": address}
        return client.post("/login", data={"username": "x", "password": "wrong password"},
                           headers=headers).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.2") == 401


def backdate(app, **ages: timedelta) -> None:
    """Move every session's timestamps into the past."""
    with app.app_context():
        session = db.session()
        now = datetime.now(UTC)
        session.execute(update(UserSession).values(
            **{column: now - age for column, age in ages.items()}))
        session.commit()


def test_an_idle_session_expires_on_the_server(client, auth, app):
    """Past SESSION_IDLE_LIFETIME the cookie no longer signs anyone in and the row is gone."""
    auth.signup("alice")
    assert client.get("/studio").status_code == 200
    backdate(app, last_seen=timedelta(days=8))
    assert client.get("/studio").status_code in (302, 303)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(UserSession)) == 0


def test_an_active_session_still_ends_at_its_absolute_lifetime(client, auth, app):
    """Even a session in daily use ends SESSION_ABSOLUTE_LIFETIME after log-in."""
    auth.signup("alice")
    backdate(app, created_at=timedelta(days=31), last_seen=timedelta(minutes=1))
    assert client.get("/studio").status_code in (302, 303)


def test_housekeeping_purges_expired_sessions_and_old_throttle_rows(app, make_client):
    """The purge (CLI and periodic) deletes expired sessions, old throttles and ended windows."""
    make_client("alice")
    make_client("bob")
    for _ in range(2):
        AuthActions(app.test_client()).login("alice", "wrong guess")
    backdate(app, last_seen=timedelta(days=8))
    make_client("carol")
    later = datetime.now(UTC) + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        AuthActions(app.test_client()).login("bob", "wrong guess")  # a fresh throttle row
        result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert "2 sessions" in result.output and "1 throttles" in result.output
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(UserSession)) == 1
        assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 1
        assert session.scalar(select(func.count()).select_from(RateLimit)) >= 1
    with time_machine.travel(later + timedelta(days=1), tick=False):
        purged = jobs.jobs_of(app).housekeep()
    assert purged["rate_limits"] >= 1
