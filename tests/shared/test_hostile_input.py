"""Hostile input on every form and fragment URL, on both databases: never a 5xx, nothing stored.

Routes come from app.url_map, so new forms are covered without editing this file.
"""

import io
from urllib.parse import quote_from_bytes

from sqlalchemy import inspect, text

from tests.routes import UNSAFE, fill_rule
from tests.sweep import sweep_rules
from webapp import db

FIELDS = (
    "username", "password", "current_password", "new_password", "prompt", "kind", "genre",
    "duration", "lyrics", "request_id", "title", "music_id", "image_id", "mood",
    "description", "body", "release_id", "tab", "page", "confirm", "seed",
)  # fmt: skip
HOSTILE_VALUES = (
    "nul\x00byte", "bell\x07char", "esc\x1b[31m", "\ud800lone surrogate", "x" * (1024 * 1024),
    "-1", "99999999999999999999999", str(2**70), "<script>alert(1)</script>", "' OR 1=1 --",
    "", "   ", "\u202eRLO", "a\u200db", "%00", "../../etc/passwd",
)
HOSTILE_PATHS = ("%FF", "%ED%A0%80", str(2**70), "-1", "0", "%00", "..%2F..%2Fetc")


def stored_control_characters(app) -> int:
    """Rows whose text columns hold NUL or other control characters (should be none)."""
    found = 0
    with app.app_context():
        session = db.session()
        inspector = inspect(session.get_bind())
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if "CHAR" in str(column["type"]).upper() or "TEXT" in str(column["type"]).upper():
                    rows = session.execute(text(f'SELECT "{column["name"]}" FROM "{table}"'))
                    found += sum(
                        1 for (value,) in rows
                        if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n\r"
                                                          for c in value)
                    )
    return found


def form_body(value: str) -> bytes:
    """Every known field set to `value`, encoded by hand so lone surrogates survive as bytes."""
    raw = quote_from_bytes(value.encode("utf-8", "surrogatepass"))
    return "&".join(f"{name}={raw}" for name in FIELDS).encode()


def fill_path(rule, value: str) -> str:
    """The rule's URL with every argument replaced by `value`."""
    return fill_rule(rule, lambda _argument: value)


def test_hostile_form_values_on_every_route(app, auth, client):
    """Every unsafe route × every hostile value in every known field: no 5xx, nothing bad stored."""
    auth.signup("alice")
    tried = 0
    statuses: dict[int, int] = {}
    for rule, method in sweep_rules(app, UNSAFE):
        for value in HOSTILE_VALUES:
            url = fill_path(rule, "1")
            response = client.open(url, method=method, data=form_body(value),
                                   content_type="application/x-www-form-urlencoded")
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (method, url, repr(value[:20]), response.status_code)
            tried += 1
            if rule.endpoint == "accounts.logout":
                auth.login("alice")
    assert tried >= 40
    assert stored_control_characters(app) == 0
    print(f"hostile form inputs tried: {tried}; statuses: {statuses}")


def test_hostile_paths_and_queries_on_every_route(app, auth, client):
    """Invalid UTF-8, huge ids, traversal and control characters in paths and queries."""
    auth.signup("alice")
    tried = 0
    for rule, method in sweep_rules(app, {"GET"}):
        for value in HOSTILE_PATHS:
            url = fill_path(rule, value) + f"?page={value}&tab={value}&page=2"
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(url, method=method, headers=headers)
                assert response.status_code < 500, (url, response.status_code)
                tried += 1
    assert tried >= 40


def test_oversize_and_malformed_bodies(app, auth, client):
    """A 10 MB body and thousands of multipart parts get 413; wrong content types are refused."""
    auth.signup("alice")
    for rule, method in sweep_rules(app, UNSAFE):
        url = fill_path(rule, "1")
        big = client.open(url, method=method, data=b"x" * (10 * 1024 * 1024),
                          content_type="application/x-www-form-urlencoded")
        assert big.status_code == 413, (url, big.status_code)
        parts = {f"field{i}": "v" for i in range(2000)}
        parts["file"] = (io.BytesIO(b"data"), "f.bin")
        many = client.open(url, method=method, data=parts, content_type="multipart/form-data")
        assert many.status_code == 413, (url, many.status_code)
        wrong = client.open(url, method=method, data=b'{"username": "x"}',
                            content_type="application/json")
        assert wrong.status_code < 500, (url, wrong.status_code)
        if rule.endpoint == "accounts.logout":
            auth.login("alice")
    assert stored_control_characters(app) == 0
