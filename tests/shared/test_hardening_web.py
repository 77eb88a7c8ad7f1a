"""Issue 24 (hardening, round 3) on both databases: anonymous plays, blocks on every write,
trusted host names, oEmbed's origin, the server's proxy trust, user-written links and text."""

import os
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests import processes
from tests.conftest import app_config, shutdown_app
from tests.factories import make_media, make_release, user_id_of
from tests.listening.test_listening import content_url, counts, published_release
from webapp import create_app, db
from webapp.models import Comment, Follow, Like, Post, Release, User
from webapp.social import blocks, follows

ROOT = Path(__file__).resolve().parents[2]
HX = {"HX-Request": "true"}


def play(client, release_id: int, address: str = "127.0.0.1") -> int:
    """Report one play from a client at `address`; the status."""
    return client.post("/plays", data={"release_id": str(release_id)},
                       environ_overrides={"REMOTE_ADDR": address}).status_code


def text(response) -> str:
    """A response's text as people read it."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ")


def rows(app, model, *where) -> int:
    """How many rows of a table match."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- plays (finding 4)


def test_fresh_anonymous_sessions_from_one_address_add_a_handful(app, make_client):
    """60 cookie-less reports from one address count at most PLAYS_ANONYMOUS_PER_NETWORK;
    another address still counts, and so does a signed-in listener."""
    _artist, _owner, release_id = published_release(app, make_client)
    cap = app.config.settings.plays_anonymous_per_network
    for _ in range(60):
        assert play(app.test_client(), release_id, "203.0.113.7") == 204
    counter, events = counts(app, release_id)
    assert counter == events and 1 <= counter <= cap
    play(app.test_client(), release_id, "198.51.100.1")
    assert counts(app, release_id)[0] == counter + 1
    play(make_client("listener"), release_id, "203.0.113.7")
    assert counts(app, release_id)[0] == counter + 2


def test_ipv6_anonymous_plays_are_counted_per_64(app, make_client):
    """Fresh addresses inside one /64 share its few plays; another /64 counts apart."""
    _artist, _owner, release_id = published_release(app, make_client)
    cap = app.config.settings.plays_anonymous_per_network
    for host in range(1, 41):
        play(app.test_client(), release_id, f"2001:db8:1:2::{host:x}")
    counter = counts(app, release_id)[0]
    assert 1 <= counter <= cap
    play(app.test_client(), release_id, "2001:db8:1:3::1")
    assert counts(app, release_id)[0] == counter + 1


def test_one_anonymous_session_still_counts_once_an_hour(app, make_client):
    """The same visitor reporting again in the hour adds nothing (as before)."""
    _artist, _owner, release_id = published_release(app, make_client)
    visitor = app.test_client()
    for _ in range(5):
        play(visitor, release_id, "192.0.2.9")
    assert counts(app, release_id) == (1, 1)


# ---------------------------------------------------------------- blocks (finding 6)


@pytest.fixture
def blocked_pair(app, make_client):
    """Alice with a published release and a post; Bob, whom Alice blocked."""
    alice, bob = make_client("alice"), make_client("bob")
    alice_id, bob_id = user_id_of(app, "alice"), user_id_of(app, "bob")
    track = make_media(app, alice_id, "music", "a calm piano night")
    cover = make_media(app, alice_id, "image", "neon city at dusk")
    release_id = make_release(app, alice_id, track, cover, published=True)
    alice.post("/posts", data={"body": "hello"})
    with app.app_context():
        post_id = db.session().scalar(select(Post.id).where(Post.user_id == alice_id))
    assert alice.post(f"/blocks/{bob_id}", data={"blocked": "1"}).status_code == 303
    return {"alice": alice, "bob": bob, "alice_id": alice_id, "bob_id": bob_id,
            "release_id": release_id, "post_id": post_id}


def test_a_blocked_person_cannot_like_or_comment_on_the_blockers_work(app, blocked_pair):
    """Likes of her release and post, and comments, are refused with a message; nothing stored."""
    bob, release_id = blocked_pair["bob"], blocked_pair["release_id"]
    for url in (f"/likes/release/{release_id}", f"/likes/post/{blocked_pair['post_id']}"):
        refused = bob.post(url, data={"liked": "1"}, headers=HX)
        assert refused.status_code == 422, url
        assert "You can't like this" in text(refused)
    comment = bob.post(f"/comments/release/{release_id}", data={"body": "still here"},
                       headers=HX)
    assert comment.status_code == 422
    assert "You can't comment on this release." in text(comment)
    assert rows(app, Like) == 0 and rows(app, Comment) == 0
    # The blocker cannot reach Bob's work either (blocks stand both ways for writes).
    assert blocked_pair["alice"].post(f"/follows/{blocked_pair['bob_id']}",
                                      data={"following": "1"}, headers=HX).status_code == 422


def test_comments_made_before_a_block_show_to_nobody(app, make_client):
    """Bob comments, then Alice blocks him: his comment is gone for everyone (and her count)."""
    alice, bob, carol = make_client("alice"), make_client("bob"), make_client("carol")
    alice_id, bob_id = user_id_of(app, "alice"), user_id_of(app, "bob")
    track = make_media(app, alice_id, "music", "a calm piano night")
    cover = make_media(app, alice_id, "image", "neon city at dusk")
    release_id = make_release(app, alice_id, track, cover, published=True)
    bob.post(f"/comments/release/{release_id}", data={"body": "before the block"})
    alice.post(f"/blocks/{bob_id}", data={"blocked": "1"})
    for viewer in (carol, app.test_client(), bob, alice):
        assert "before the block" not in viewer.get(
            f"/comments/release/{release_id}").get_data(as_text=True)
    card = BeautifulSoup(carol.get("/explore").data, "html.parser").find(
        id=f"feed-release-{release_id}")
    assert "1 comment" not in card.get_text(" ")


def test_a_follow_never_survives_a_concurrent_block(app, make_client):
    """Twelve races of Bob following Alice while she blocks him: no follow is left."""
    make_client("alice"), make_client("bob")
    alice_id, bob_id = user_id_of(app, "alice"), user_id_of(app, "bob")
    survived = 0
    for _ in range(12):
        barrier = threading.Barrier(2)
        errors = []

        def act(which, barrier=barrier, errors=errors):
            """Follow (Bob) or block (Alice), each in its own session, at once."""
            try:
                with app.app_context(), db.standalone_session(app) as session:
                    barrier.wait()
                    if which == "follow":
                        follows.set_follow(session, session.get(User, bob_id), alice_id, True)
                    else:
                        blocks.set_block(session, session.get(User, alice_id), bob_id, True)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=act, args=(w,)) for w in ("follow", "block")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        survived += rows(app, Follow)
        with app.app_context(), db.standalone_session(app) as session:
            blocks.set_block(session, session.get(User, alice_id), bob_id, False)
            session.execute(Follow.__table__.delete())
            session.commit()
    assert survived == 0


# ---------------------------------------------------------------- host names (finding 9)


def test_requests_for_other_host_names_are_refused(app, make_client):
    """With PUBLIC_URL unset, localhost and 127.0.0.1 answer; any other Host is a 400."""
    _artist, _owner, release_id = published_release(app, make_client)
    visitor = app.test_client()
    url = content_url(app, release_id)
    assert visitor.get(url).status_code == 200
    assert visitor.get(url, base_url="http://127.0.0.1:5000").status_code == 200
    for host in ("evil.example", "localhost.evil.example", "attacker.test:5000"):
        refused = visitor.get(url, headers={"Host": host})
        assert refused.status_code == 400, host
        assert host not in refused.get_data(as_text=True)
    assert visitor.get("/oembed", headers={"Host": "evil.example"},
                       query_string={"url": f"http://evil.example{url}"}).status_code == 400


@pytest.fixture
def public_app(database_url, tmp_path):
    """The app with PUBLIC_URL set, as deployed."""
    app = create_app(app_config(database_url, tmp_path / "data",
                                PUBLIC_URL="https://music.example"))
    yield app
    shutdown_app(app)


def test_absolute_urls_use_public_url_and_other_hosts_are_refused(public_app):
    """OpenGraph and oEmbed URLs are on PUBLIC_URL; oEmbed answers only for that origin."""
    app = public_app
    artist = app.test_client()
    host = {"base_url": "https://music.example"}
    assert artist.post("/signup", data={"username": "artist", "password": "correct horse battery"},
                       **host).status_code == 303
    user_id = user_id_of(app, "artist")
    track = make_media(app, user_id, "music", "a calm piano night")
    cover = make_media(app, user_id, "image", "neon city at dusk")
    release_id = make_release(app, user_id, track, cover, published=True)
    visitor = app.test_client()
    url = content_url(app, release_id)
    assert visitor.get(url).status_code == 400, "localhost is not trusted once PUBLIC_URL is set"
    page = BeautifulSoup(visitor.get(url, **host).data, "html.parser")
    for key in ("og:url", "og:image"):
        assert page.find("meta", property=key)["content"].startswith("https://music.example/")
    answer = visitor.get("/oembed", query_string={"url": f"https://music.example{url}"}, **host)
    assert answer.status_code == 200
    assert answer.get_json()["thumbnail_url"].startswith("https://music.example/")
    for other in (f"https://evil.example{url}", f"http://localhost{url}", url,
                  f"https://music.example.evil.example{url}"):
        assert visitor.get("/oembed", query_string={"url": other}, **host).status_code == 404


def test_allowed_hosts_from_the_environment(database_url, tmp_path, monkeypatch):
    """SOUNDSTAGE_ALLOWED_HOSTS (commas or JSON) names the hosts served."""
    monkeypatch.setenv("SOUNDSTAGE_ALLOWED_HOSTS", '["a.example", "b.example"]')
    app = create_app(app_config(database_url, tmp_path / "data"))
    try:
        client = app.test_client()
        assert client.get("/", base_url="http://b.example").status_code == 200
        assert client.get("/").status_code == 400
    finally:
        shutdown_app(app)


def test_oembed_refuses_urls_on_other_origins(app, make_client):
    """Our path on someone else's host is not our page."""
    _artist, _owner, release_id = published_release(app, make_client)
    url = content_url(app, release_id)
    visitor = app.test_client()
    assert visitor.get("/oembed", query_string={"url": f"http://localhost{url}"}).status_code == 200
    for other in (f"http://evil.example{url}", f"//evil.example{url}", url,
                  f"javascript://localhost{url}"):
        assert visitor.get("/oembed", query_string={"url": other}).status_code == 404, other


# ---------------------------------------------------------------- proxy trust (finding 10)


def _free_port() -> int:
    """A port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_ignores_forwarded_proto_without_trusted_hops(app, database_url, tmp_path,
                                                              request):
    """`flask serve` (make run) with TRUST_PROXY_HOPS unset: a forged X-Forwarded-Proto from
    127.0.0.1 gets no HSTS and no Secure cookie."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "served"),
           "SECRET_KEY": "serve-test", "SOUNDSTAGE_JOBS_EMBEDDED": "false"}
    env.pop("SOUNDSTAGE_TRUST_PROXY_HOPS", None)
    server = processes.start(
        request, [sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    answers = []

    def answered() -> bool:
        """One answer to a forged https request, once the server listens."""
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/login",
                                        headers={"X-Forwarded-Proto": "https"})
        try:
            with urllib.request.urlopen(forged, timeout=5) as answer:
                answers.append(answer.headers)
        except OSError:
            return False
        return True

    processes.wait_for(answered, processes.START_DEADLINE, 0.3, "the server to start")
    headers = answers[0]
    assert "Strict-Transport-Security" not in headers
    cookies = headers.get_all("Set-Cookie") or []
    assert cookies and not any("secure" in cookie.lower() for cookie in cookies)
    processes.stop(server)


# ---------------------------------------------------------------- links and text (finding 11)


def test_direction_controls_are_refused_in_links_and_dropped_from_text(app, make_client):
    """A right-to-left override in a link is refused with a message; in a title, bio,
    comment or post it is dropped (the text is kept as it shows)."""
    alice = make_client("alice")
    for control in ("\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f"):
        refused = alice.post("/settings/profile/about",
                             data={"bio": "", "link1": f"https://example.com/{control}gnp.exe"},
                             content_type="multipart/form-data")
        assert refused.status_code == 422
        assert "text-direction" in text(refused)
    assert user_links(app, "alice") == []
    alice.post("/settings/profile/about", data={"bio": "left\u202eright", "link1": ""},
               content_type="multipart/form-data")
    alice.post("/posts", data={"body": "a\u202eb post"})
    alice_id = user_id_of(app, "alice")
    track = make_media(app, alice_id, "music", "a calm piano night")
    cover = make_media(app, alice_id, "image", "neon city at dusk")
    release_id = make_release(app, alice_id, track, cover, published=True,
                              title="Night\u202e Drive")
    alice.post(f"/comments/release/{release_id}", data={"body": "x\u2066y"})
    with app.app_context():
        session = db.session()
        stored = [session.get(User, alice_id).bio, session.scalar(select(Post.body)),
                  session.get(Release, release_id).title, session.scalar(select(Comment.body))]
    assert stored == ["leftright", "ab post", "Night Drive", "xy"]
    refused = app.test_client().post("/signup", data={"username": "ev\u202eil",
                                                      "password": "correct horse battery"})
    assert refused.status_code == 422
    assert rows(app, User, User.username.contains("\u202e")) == 0


def user_links(app, name: str) -> list:
    """A user's saved profile links."""
    with app.app_context():
        return list(db.session().get(User, user_id_of(app, name)).links)
