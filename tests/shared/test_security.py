"""Security baseline on both databases: CSRF everywhere, headers everywhere, errors calm."""

import io

import pytest
from flask import Flask

from tests.conftest import app_config
from tests.routes import UNSAFE, routes
from webapp import create_app

REQUIRED_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.fixture
def csrf_app(database_url, tmp_path):
    """The app with CSRF protection on, as in production."""
    from tests.conftest import shutdown_app

    app = create_app(app_config(database_url, tmp_path / "data", WTF_CSRF_ENABLED=True))
    yield app
    shutdown_app(app)


def signed_in(app: Flask, username: str = "alice"):
    """A client signed in through the real form (fetching its CSRF token first)."""
    client = app.test_client()
    client.get("/signup")
    token = _token(client)
    response = client.post(
        "/signup",
        data={"username": username, "password": "correct horse battery", "csrf_token": token},
    )
    assert response.status_code == 303
    return client


def _token(client) -> str:
    """The CSRF token of the client's session, as a page would embed it."""
    import re

    page = client.get("/login" if not client.get_cookie("session") else "/studio")
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    if match is None:
        page = client.get("/signup")
        match = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    return match.group(1).decode()


def test_every_state_changing_route_refuses_a_request_without_csrf_token(csrf_app):
    """Enumerated from app.url_map: no token, a wrong token, or another session's → 400."""
    user = signed_in(csrf_app)
    other = signed_in(csrf_app, "mallory")
    stolen = _token(other)
    unsafe = routes(csrf_app, UNSAFE)
    assert len(unsafe) >= 3
    for endpoint, method, url in unsafe:
        for token in (None, "not-a-token", stolen):
            headers = {"X-CSRFToken": token} if token else {}
            response = user.open(url, method=method, headers=headers, data={"x": "1"})
            assert response.status_code == 400, (endpoint, method, url, token)
            assert b"Please reload the page" in response.data


def test_every_route_carries_the_security_headers(client, auth):
    """Pages, fragments, redirects and errors, anonymous and signed in."""
    anonymous = [url for _, _, url in routes(client.application, {"GET"})]
    for url in anonymous:
        response = client.get(url)
        for name, value in REQUIRED_HEADERS.items():
            assert value in response.headers.get(name, ""), (url, name)
    auth.signup("alice")
    for url in anonymous + ["/does-not-exist"]:
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.status_code < 500, url


@pytest.mark.parametrize("status_path", [("/does-not-exist", 404), ("/logout", 405)])
def test_errors_are_pages_for_browsers_and_fragments_for_htmx(client, status_path):
    """Plain requests get a whole page, htmx requests a small fragment."""
    path, status = status_path
    page = client.get(path)
    assert page.status_code == status
    assert b"<html" in page.data
    fragment = client.get(path, headers={"HX-Request": "true"})
    assert fragment.status_code == status
    assert b"<html" not in fragment.data
    assert b'id="error-message"' in fragment.data


def test_control_characters_are_refused_before_any_route(client, auth):
    """NUL in any form field or query parameter: a clear 400, never a 500 (PostgreSQL)."""
    response = client.post("/signup", data={"username": "bob\x00", "password": "long enough"})
    assert response.status_code in (400, 422)
    assert b"not allowed" in response.data
    assert client.get("/explore?page=\x01").status_code == 400


def test_oversized_body_is_refused_with_413(client):
    """MAX_CONTENT_LENGTH holds."""
    response = client.post("/signup", data={"username": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413


def test_every_view_declares_who_may_see_it(app):
    """An undeclared route fails here: each view is marked public or private."""
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], "access", None) not in ("public", "private")
    ]
    assert undeclared == []


def test_cookies_are_httponly_and_samesite(client, auth):
    """The session cookie cannot be read by scripts or sent cross-site."""
    response = auth.signup("alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("body", [
    b"&" * (1024 * 1024),  # a megabyte of empty fields
    b"&".join(b"f%d=1" % n for n in range(5000)),  # past MAX_FORM_PARTS
    b"x=" + b"a" * (600 * 1024),  # past MAX_FORM_MEMORY_SIZE
])
def test_urlencoded_bodies_obey_the_form_limits(csrf_app, body):
    """Anonymous /login with a huge urlencoded body: 413 at once, before any parsing."""
    response = csrf_app.test_client().post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_an_oversized_chunked_body_gets_413_not_a_csrf_error(csrf_app):
    """No Content-Length (chunked): measured while read, refused with 413."""
    big = b"x=" + b"a" * (5 * 1024 * 1024)
    response = csrf_app.test_client().post(
        "/login", input_stream=io.BytesIO(big), content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
