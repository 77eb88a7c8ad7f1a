"""Holding up under abuse on both databases: concurrent writers, password spraying, lock-outs."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from tests.conftest import AuthActions, app_config, shutdown_app
from webapp import create_app

# Slow enough (tens of ms) that a check overlaps other writers, as a real one (~200 ms) does.
SLOW_HASH = {"time_cost": 2, "memory_cost": 8192, "parallelism": 1}


def client_at(app, address: str):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def slow_app(database_url, tmp_path):
    """The app with a slower password hash and room for several checks at once."""
    app = create_app(app_config(
        database_url, tmp_path / "data", PASSWORD_HASH=SLOW_HASH, PASSWORD_HASH_CONCURRENCY=4,
    ))
    yield app
    shutdown_app(app)


def test_correct_logins_succeed_during_a_flood_of_failed_ones(slow_app):
    """Failed log-ins write while correct ones check passwords: no correct log-in fails."""
    assert AuthActions(client_at(slow_app, "10.0.0.1")).signup("alice").status_code == 303
    stop = threading.Event()

    def attacker(number: int) -> list[int]:
        """Spray wrong passwords over many names until told to stop."""
        client, statuses, attempt = client_at(slow_app, f"10.9.0.{number}"), [], 0
        while not stop.is_set():
            attempt += 1
            response = AuthActions(client).login(f"guess{number}x{attempt}", "wrong")
            statuses.append(response.status_code)
        return statuses

    def owner(number: int) -> list[int]:
        """Log in correctly, again and again, from a fresh browser each time."""
        return [
            AuthActions(client_at(slow_app, f"10.1.0.{number}")).login("alice").status_code
            for _ in range(6)
        ]

    with ThreadPoolExecutor(6) as pool:
        attacks = [pool.submit(attacker, n) for n in range(3)]
        owners = [pool.submit(owner, n) for n in range(3)]
        correct = [status for future in owners for status in future.result()]
        stop.set()
        failed = [status for future in attacks for status in future.result()]
    assert correct == [303] * 18
    assert failed and set(failed) == {401}


def test_spraying_from_one_client_is_blocked_while_others_log_in(app, make_client):
    """Past the per-client limit every guess gets 429 with Retry-After; other clients go on."""
    make_client("alice")
    app.config["LIMIT_PASSWORD_CHECKS_PER_CLIENT"] = "5 per 15 minutes"
    sprayer = AuthActions(client_at(app, "10.6.6.6"))
    statuses = [sprayer.login(f"user{n}", "password1").status_code for n in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    blocked = sprayer.login("alice")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert b"Too many password attempts" in blocked.data
    assert AuthActions(client_at(app, "10.7.7.7")).login("alice").status_code == 303


def test_global_limit_on_password_checks(app, make_client):
    """Many clients together hit the global limit: refused with 429, nothing checked."""
    make_client("alice")
    app.config["LIMIT_PASSWORD_CHECKS_GLOBAL"] = "4 per minute"
    statuses = [
        AuthActions(client_at(app, f"10.8.0.{n}")).login("alice", "wrong guess").status_code
        for n in range(6)
    ]
    assert statuses == [401] * 4 + [429] * 2


def test_an_attacker_cannot_lock_the_owner_out(app, make_client):
    """Failures on a name from one client throttle that client only, not the owner elsewhere."""
    make_client("alice")
    attacker = AuthActions(client_at(app, "10.6.6.6"))
    statuses = [attacker.login("alice", "wrong guess").status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert AuthActions(client_at(app, "10.1.1.1")).login("alice").status_code == 303


def test_signups_are_limited_per_client_and_globally(app, backend):
    """Throw-away accounts: a client gets 429 past its limit; all clients past the global one."""
    app.config.update(LIMIT_SIGNUPS_PER_CLIENT="2 per hour", LIMIT_SIGNUPS_GLOBAL="4 per hour")
    statuses = [AuthActions(client_at(app, "10.2.0.1")).signup(f"spam{n}").status_code
                for n in range(3)]
    assert statuses == [303, 303, 429]
    response = AuthActions(client_at(app, "10.2.0.1")).signup("spam9")
    assert response.status_code == 429 and "Retry-After" in response.headers
    statuses = [AuthActions(client_at(app, f"10.3.0.{n}")).signup(f"many{n}").status_code
                for n in range(3)]
    assert statuses == [303, 303, 429]


def test_password_checks_run_a_bounded_number_at_a_time(app, make_client, monkeypatch):
    """A burst of log-ins queues for the hashing slots instead of running all at once."""
    make_client("alice")
    app.config["PASSWORD_HASH_CONCURRENCY"] = 2
    app.extensions.pop("password_hasher", None)
    running, peak, lock = [0], [0], threading.Lock()
    real_verify = PasswordHasher.verify

    def counting_verify(self, hash, password):
        """Verify, noting how many run at once."""
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            threading.Event().wait(0.05)
            return real_verify(self, hash, password)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(
            lambda n: AuthActions(client_at(app, f"10.4.0.{n}")).login("alice").status_code,
            range(8),
        ))
    assert statuses == [303] * 8
    assert peak[0] == 2
