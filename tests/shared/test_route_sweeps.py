"""Route sweeps driven by app.url_map: a new route is covered without editing this file.

Every route is declared public or private (tests/shared/test_security.py fails otherwise).
Here, on both databases: every private route refuses anonymous requests; every
private route aimed at another user's objects answers 404 and changes nothing;
no GET changes the database.
"""

from html.parser import HTMLParser

import pytest

from tests.routes import UNSAFE
from tests.sweep import Canary, checksum, make_canary, sweep_rules, url_for_rule

# Acting on another person's public things is these routes' purpose (liking their post,
# following or blocking them): aimed at the canary without the state they set, they
# refuse with 400 instead, and change nothing either.
ON_OTHERS = {"social.like_post", "social.follow", "social.block"}


def access_of(app, rule) -> str:
    """'public' or 'private', as the view declares."""
    return app.view_functions[rule.endpoint].access


@pytest.fixture
def canary(app, make_client) -> Canary:
    """User A ("owner") with one object of every kind: track, cover, job, release, post."""
    owner = make_client("owner")
    canary = make_canary(app, "owner", "a quiet canary song", "a yellow canary", "Canary",
                         "a canary post")
    owner.get("/")
    canary.strings["filename"] = "0" * 32 + ".webp"
    return canary


def test_private_routes_refuse_anonymous_requests(app, canary):
    """Plain requests are redirected to log in; htmx requests get 401 + HX-Redirect."""
    anonymous = app.test_client()
    tried = 0
    for rule, method in sweep_rules(app, {"GET"} | UNSAFE):
        if access_of(app, rule) != "private":
            continue
        url = url_for_rule(rule, canary)
        assert url is not None, f"no canary value for {rule.rule}"
        plain = anonymous.open(url, method=method)
        assert plain.status_code in (302, 303), (method, url, plain.status_code)
        assert plain.headers["Location"].startswith("/login"), (method, url)
        partial = anonymous.open(url, method=method, headers={"HX-Request": "true"})
        assert partial.status_code == 401, (method, url)
        assert partial.headers["HX-Redirect"].startswith("/login"), (method, url)
        tried += 2
    assert tried >= 10


def test_another_users_objects_are_404_and_nothing_changes(app, canary, make_client):
    """User B aiming at A's objects through any private route: 404, database unchanged."""
    intruder = make_client("intruder")
    before = checksum(app)
    tried = 0
    for rule, method in sweep_rules(app, {"GET"} | UNSAFE):
        if access_of(app, rule) != "private" or not rule.arguments:
            continue
        url = url_for_rule(rule, canary)
        response = intruder.open(url, method=method, data={"confirm": "yes"})
        expected = 400 if rule.endpoint in ON_OTHERS else 404
        assert response.status_code == expected, (method, url, response.status_code)
        tried += 1
    assert tried >= 3
    assert checksum(app) == before


def test_no_get_changes_the_database(app, canary, make_client):
    """Every GET, as the owner, as another user and anonymously, leaves every row as it was."""
    owner = app.test_client()
    owner.post("/login", data={"username": "owner", "password": "correct horse battery"})
    visitors = [owner, make_client("visitor"), app.test_client()]
    before = checksum(app)
    for rule, _ in sweep_rules(app, {"GET"}):
        url = url_for_rule(rule, canary)
        for client in visitors:
            assert client.get(url).status_code < 500, url
            assert client.get(url, headers={"HX-Request": "true"}).status_code < 500, url
    assert checksum(app) == before


class _Document(HTMLParser):
    """Collects a page's <title> text and every element id."""

    def __init__(self) -> None:
        """An empty document."""
        super().__init__()
        self.title, self.ids, self._in_title = "", [], False

    def handle_starttag(self, tag, attrs) -> None:
        """Note ids; enter the title."""
        self.ids += [value for name, value in attrs if name == "id"]
        self._in_title = self._in_title or tag == "title"

    def handle_endtag(self, tag) -> None:
        """Leave the title."""
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data) -> None:
        """Keep the title's text."""
        if self._in_title:
            self.title += data


def test_every_page_has_a_plain_title_and_unique_ids(app, canary):
    """Every full page, as its owner sees it: a short text title, and no id used twice."""
    owner = app.test_client()
    owner.post("/login", data={"username": "owner", "password": "correct horse battery"})
    pages = 0
    for rule, _ in sweep_rules(app, {"GET"}):
        response = owner.get(url_for_rule(rule, canary))
        if response.status_code != 200 or b"<!doctype html>" not in response.data[:50].lower():
            continue
        document = _Document()
        document.feed(response.get_data(as_text=True))
        assert "<" not in document.title and len(document.title) < 120, (rule.rule, document.title)
        duplicated = {i for i in document.ids if document.ids.count(i) > 1}
        assert not duplicated, (rule.rule, duplicated)
        pages += 1
    assert pages >= 15
