"""Accounts on both databases: sign-up rules, log-in, throttling, sessions that really end."""

import re

import pytest
from sqlalchemy import func, select

from webapp import db
from webapp.models import User, UserSession


def count_users(app) -> int:
    """How many accounts exist."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(User))


def test_signup_signs_in_and_stores_name_as_typed(client, auth, app):
    """A new account is signed in at once; the name keeps its case, the key is folded."""
    response = auth.signup("Alice")
    assert response.status_code == 303
    assert response.headers["Location"] == "/studio"
    page = client.get("/studio")
    assert page.status_code == 200
    assert b">Alice</span>" in page.data
    with app.app_context():
        user = db.session().scalar(select(User))
        assert (user.username, user.username_key) == ("Alice", "alice")
        assert user.password_hash.startswith("$argon2id$")


def test_second_signup_differing_only_in_case_is_refused(client, auth, app, backend):
    """`alice` then `ALICE`: the second is refused with a clear message, on both databases."""
    auth.signup("alice")
    auth.logout()
    response = auth.signup("ALICE")
    assert response.status_code == 422
    assert b"That username is taken" in response.data
    assert count_users(app) == 1


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", b"at least 3 characters"),
        ("a" * 31, b"at most 30 characters"),
        ("_alice", b"must start with a letter or a digit"),
        ("al ice", b"only English letters"),
        ("alice\n", b"not allowed"),
        ("al\x00ice", b"not allowed"),
        ("\u0430lice", b"only English letters"),  # Cyrillic a
        ("login", b"reserved"),
        ("Static", b"reserved"),
        ("", b"Username is required"),
    ],
)
def test_bad_usernames_are_refused_with_a_message(client, app, username, message):
    """Each rule has its own message; nothing is stored; never a 500."""
    response = client.post("/signup", data={"username": username, "password": "long enough pw"})
    assert response.status_code in (400, 422)
    assert message in response.data
    assert count_users(app) == 0


def test_fullwidth_letters_are_normalised_to_ascii(client, auth, app):
    """NFKC turns fullwidth letters into their ASCII forms, which then collide as usual."""
    assert auth.signup("\uff41\uff4c\uff49\uff43\uff45").status_code == 303
    with app.app_context():
        assert db.session().scalar(select(User.username)) == "alice"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", b"at least 8 characters"),
        ("x" * 1025, b"at most 1024 characters"),
        ("12345678", b"too common"),
        ("password", b"too common"),
        ("PassWord", b"too common"),
        ("iloveyou", b"too common"),
        (" " * 8, b"only spaces"),
        ("\t \n  \t  ", b"only spaces"),
    ],
)
def test_bad_passwords_are_refused(client, app, password, message):
    """8 to 1024 characters, not blank, not on the shipped list of common passwords."""
    response = client.post("/signup", data={"username": "bob", "password": password})
    assert response.status_code == 422
    assert message in response.data
    assert count_users(app) == 0


def test_unknown_user_and_wrong_password_get_the_same_answer(client, auth):
    """No account enumeration: same status, same body."""
    auth.signup("alice")
    auth.logout()
    client.get("/login")  # shows, and so consumes, the "logged out" message
    wrong = client.post("/login", data={"username": "alice", "password": "not the password"})
    unknown = client.post("/login", data={"username": "zed", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: re.sub(rb'value="[^"]*"', b"", body)  # noqa: E731 - echoed names differ
    assert strip(wrong.data) == strip(unknown.data)
    assert b"Incorrect username or password." in wrong.data


def test_failed_logins_are_throttled_with_a_growing_delay(client, auth, app):
    """After three free failures a delay applies, for known and unknown names alike."""
    auth.signup("alice")
    auth.logout()
    for name in ("alice", "nobody"):
        statuses = [
            client.post("/login", data={"username": name, "password": "wrong one!"}).status_code
            for _ in range(5)
        ]
        assert statuses == [401, 401, 401, 401, 429]
    blocked = auth.login("alice")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert b"Too many failed attempts" in blocked.data


def test_login_clears_the_old_session_and_starts_a_new_one(client, auth, app):
    """A fresh server-side session per log-in; the pre-login cookie is not reused."""
    auth.signup("alice")
    auth.logout()
    client.get("/login")
    auth.login("alice")
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(UserSession)) == 1


def test_cookie_copied_before_logout_is_refused_after_it(client, auth, app):
    """Logout deletes the session row, so a replayed cookie no longer signs anyone in."""
    auth.signup("alice")
    copied = client.get_cookie("session").value
    assert client.get("/studio").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/studio")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions(app, make_client):
    """Changing the password needs the current one and signs out other browsers."""
    first = make_client("alice")
    second = app.test_client()
    second.post("/login", data={"username": "alice", "password": "correct horse battery"})
    assert second.get("/studio").status_code == 200
    refused = first.post(
        "/settings/account/password",
        data={"current_password": "wrong", "new_password": "a brand new password"},
    )
    assert refused.status_code == 422
    changed = first.post(
        "/settings/account/password",
        data={"current_password": "correct horse battery", "new_password": "a brand new pw"},
    )
    assert changed.status_code == 303
    assert first.get("/studio").status_code == 200
    assert second.get("/studio").status_code == 303


def test_anonymous_htmx_request_to_private_route_gets_401_and_hx_redirect(client):
    """htmx cannot follow a login redirect usefully, so it is told where to go."""
    response = client.get("/library", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_login_redirects_only_to_local_paths(client, auth):
    """An absolute or protocol-relative `next` is ignored."""
    auth.signup("alice")
    auth.logout()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            data={"username": "alice", "password": "correct horse battery", "next": target},
        )
        assert response.headers["Location"] == "/studio"
        auth.logout()


def test_htmx_login_with_a_non_latin1_next_is_redirected(client, auth):
    """A `next` path with any Unicode arrives percent-encoded in the redirect header."""
    auth.signup("alice")
    auth.logout()
    response = client.post("/login?next=/u/\u00fcber\u2603",
                           data={"username": "alice", "password": "correct horse battery"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/u/%C3%BCber%E2%98%83"


def test_healthz_reports_the_database(client):
    """200 with a reachable database."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_reports_storage_problems(client, app, tmp_path):
    """An unwritable or nearly full data directory: 503 with the reason, never a silent 200."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the data directory should be")
    app.config["DATA_DIR"] = str(blocked)
    response = client.get("/healthz")
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "not writable" in response.json["reason"]
    app.config.update(DATA_DIR=str(tmp_path / "data"), STORAGE_MIN_FREE_BYTES=2**62)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["reason"] == "data directory is nearly full"


def test_current_password_guesses_in_settings_are_throttled(client, auth):
    """Guessing the current password on the account page counts like failed log-ins."""
    auth.signup("alice")
    statuses = [
        client.post(
            "/settings/account/password",
            data={"current_password": "guess", "new_password": "another long password"},
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [422] * 5
    blocked = client.post(
        "/settings/account/password",
        data={"current_password": "correct horse battery", "new_password": "another long pw"},
    )
    assert blocked.status_code == 422
    assert b"Too many failed attempts" in blocked.data


@pytest.mark.parametrize("lookalike", ["aIice", "a1ice", "ALICE", "allce"])
def test_look_alike_names_are_refused_at_sign_up(client, auth, app, lookalike):
    """`aIice` next to `alice` (TR39 skeletons, ASCII look-alikes included): refused, not stored."""
    auth.signup("alice")
    auth.logout()
    response = client.post("/signup", data={"username": lookalike, "password": "long enough pw"})
    assert response.status_code == 422
    assert b"That username is taken" in response.data
    assert count_users(app) == 1


def test_look_alike_names_are_refused_on_rename(app, make_client):
    """`rnary` cannot become a second `mary`, by rename either."""
    from webapp.profiles import usernames

    make_client("mary")
    make_client("bob")
    with app.app_context():
        bob = db.session().scalar(select(User).where(User.username == "bob"))
        result = usernames.rename_user(db.session(), bob.id, "rnary")
    assert result.outcome == "taken"
    assert usernames.username_skeleton("C10ud") == usernames.username_skeleton("cloud")
    assert usernames.username_skeleton("vvendy") == usernames.username_skeleton("wendy")
