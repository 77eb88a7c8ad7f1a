"""Listening on both databases: play counts, release pages, OpenGraph, oEmbed, the embed page."""

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.factories import make_media, make_release, user_id_of
from tests.helpers import HX_BOOST, soup
from webapp import db, names
from webapp.listening import plays
from webapp.models import PlayEvent, Release, User
from webapp.publishing import releases

OEMBED_REQUIRED = {"version", "type", "html", "width", "height"}
OEMBED_OPTIONAL = {
    "title", "author_name", "author_url", "provider_name", "provider_url", "cache_age",
    "thumbnail_url", "thumbnail_width", "thumbnail_height",
}


def published_release(app, make_client, name="artist", title="Night Drive", lyrics=""):
    """An artist's client, their id and a published release of theirs (real media)."""
    client = make_client(name)
    user_id = user_id_of(app, name)
    track = make_media(app, user_id, "music", "a calm piano night", duration=10, lyrics=lyrics)
    cover = make_media(app, user_id, "image", "neon city at dusk")
    release_id = make_release(app, user_id, track, cover, published=True, title=title)
    return client, user_id, release_id


def counts(app, release_id: int) -> tuple[int, int]:
    """The release's counter and its rows of play_events."""
    with app.app_context():
        session = db.session()
        counter = session.scalar(select(Release.play_count).where(Release.id == release_id))
        rows = session.scalar(
            select(func.count()).select_from(PlayEvent).where(PlayEvent.release_id == release_id)
        )
        return counter, rows


def test_fifty_concurrent_reports_count_once(app, make_client):
    """50 threads report one listener's play at once: one row, counter 1."""
    _client, _owner, release_id = published_release(app, make_client)
    listener_id = user_id_of(app, "artist") + 1000
    barrier = threading.Barrier(50)
    outcomes, errors = [], []

    def report():
        """One concurrent report, in its own session."""
        try:
            with app.app_context(), db.standalone_session(app) as session:
                barrier.wait()
                counted = plays.record_play(session, release_id, f"u{listener_id}", listener_id)
                outcomes.append(counted)
        except Exception as error:  # collected for the assertion below
            errors.append(repr(error))

    threads = [threading.Thread(target=report) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count(True) == 1 and len(outcomes) == 50
    assert counts(app, release_id) == (1, 1)


def test_owner_plays_count_zero_and_listeners_once_per_hour(app, make_client):
    """The owner's reports never count; a listener counts once an hour; anonymous too."""
    owner_client, _owner, release_id = published_release(app, make_client)
    for _ in range(3):
        assert owner_client.post("/plays", data={"release_id": release_id}).status_code == 204
    assert counts(app, release_id) == (0, 0)
    listener = make_client("listener")
    for _ in range(3):
        assert listener.post("/plays", data={"release_id": release_id}).status_code == 204
    anonymous = make_client()
    for _ in range(2):
        assert anonymous.post("/plays", data={"release_id": release_id}).status_code == 204
    assert counts(app, release_id) == (2, 2)
    page = make_client().get(content_url(app, release_id))
    assert "2 plays" in page.get_data(as_text=True)


def test_a_new_hour_counts_again_and_drafts_never(app, make_client):
    """The hour bucket is part of the key; unpublished releases take no plays."""
    _client, owner, release_id = published_release(app, make_client)
    with app.app_context():
        session = db.session()
        first = session.get(Release, release_id).published_at
        assert plays.record_play(session, release_id, "aabc", None, at=first)
        assert not plays.record_play(session, release_id, "aabc", None, at=first)
        assert plays.record_play(session, release_id, "aabc", None, at=first + timedelta(hours=1))
        releases.set_published(session, session.get(User, owner), release_id, False)
        assert not plays.record_play(session, release_id, "axyz", None)
    assert counts(app, release_id) == (2, 2)


def test_play_reports_refuse_bad_ids(client):
    """A malformed id is a 400; a missing release counts nothing."""
    assert client.post("/plays", data={"release_id": "x"}).status_code == 400
    assert client.post("/plays", data={"release_id": "99999999999"}).status_code == 400
    assert client.post("/plays", data={"release_id": "42"}).status_code == 204


def content_url(app, release_id: int) -> str:
    """A release page's address."""
    with app.test_request_context():
        release = db.session().get(Release, release_id)
        return f"/releases/{release_id}-{names.slug(release.title)}"


def test_release_page_shows_everything_with_absolute_open_graph(app, make_client):
    """Cover, h1 title, artist link, genre, mood, lyrics, play button, plays, others, OG tags."""
    client, user_id, release_id = published_release(
        app, make_client, title="Neon Rain!", lyrics="la la la\nin the rain"
    )
    track = make_media(app, user_id, "music", "second song", duration=10)
    cover = make_media(app, user_id, "image", "second cover")
    make_release(app, user_id, track, cover, published=True, title="Second Song")
    url = content_url(app, release_id)
    assert url.endswith(f"/releases/{release_id}-neon-rain")
    visitor = make_client()
    page = visitor.get(url)
    assert page.status_code == 200
    html = soup(page)
    assert html.h1.get_text(strip=True) == "Neon Rain!"
    assert html.find("a", string="artist")["href"] == "/u/artist"
    text = html.get_text(" ")
    assert "pop" in text and "calm" in text and "0 plays" in text
    assert "la la la" in html.find(class_="lyrics").get_text()
    button = html.find("button", attrs={"data-play": str(release_id)})
    assert button.get_text() == "Play “Neon Rain!”"
    assert "Second Song" in html.find(id="others-heading").parent.get_text()
    meta = {tag.get("property") or tag.get("name"): tag["content"] for tag in html.find_all("meta")
            if tag.get("content")}
    assert meta["og:type"] == "music.song" and meta["og:title"] == "Neon Rain!"
    for key in ("og:url", "og:image", "og:audio", "twitter:image", "twitter:player"):
        parts = urlsplit(meta[key])
        assert parts.scheme == "http" and parts.netloc == "localhost", (key, meta[key])
    assert urlsplit(meta["og:url"]).path == url
    assert visitor.get(meta["og:image"].replace("http://localhost", "")).status_code == 200
    assert visitor.get(meta["og:audio"].replace("http://localhost", "")).status_code == 200
    oembed_link = html.find("link", type="application/json+oembed")["href"]
    assert oembed_link.startswith("http://localhost/oembed?")


def test_release_page_has_the_like_button_and_the_comment_thread(app, make_client):
    """Listeners like and comment where they listen: the thread and Like are on the page."""
    _client, _user_id, release_id = published_release(app, make_client)
    listener = make_client()
    assert listener.post("/signup", data={"username": "listener",
                                          "password": "a long pass phrase"}).status_code == 303
    url = content_url(app, release_id)
    posted = listener.post(f"/comments/release/{release_id}",
                           data={"body": "lovely <b>track</b>"})
    assert posted.status_code == 303
    html = soup(listener.get(url))
    like = html.find("button", string="Like")
    assert like["aria-pressed"] == "false"
    assert html.find("textarea", attrs={"name": "body"}) is not None
    assert html.find("button", string="Post comment") is not None
    assert "lovely <b>track</b>" in html.get_text()


def test_release_urls_redirect_to_the_current_title(app, make_client):
    """The short address and an old title's address lead to the readable one."""
    client, _user_id, release_id = published_release(app, make_client)
    url = content_url(app, release_id)
    assert client.get(f"/releases/{release_id}").headers["Location"] == url
    response = client.post(f"/releases/{release_id}/edit", data={
        "title": "Morning Drive", "genre": "house", "mood": "bright", "description": "New words",
    })
    assert response.status_code == 303
    new_url = content_url(app, release_id)
    assert response.headers["Location"] == new_url == f"/releases/{release_id}-morning-drive"
    old = client.get(url)
    assert old.status_code == 301 and old.headers["Location"] == new_url
    page = soup(make_client().get(new_url))
    assert page.h1.get_text() == "Morning Drive" and "New words" in page.get_text()


def test_editing_checks_fields_owner_and_tells_open_pages(app, make_client):
    """Errors come back in the form; another user's release is a 404; htmx hears the event."""
    client, _user_id, release_id = published_release(app, make_client)
    bad = client.post(f"/releases/{release_id}/edit", data={"title": "", "genre": "x", "mood": "y"})
    assert bad.status_code == 422 and "Title is required." in bad.get_data(as_text=True)
    other = make_client("other")
    assert other.get(f"/releases/{release_id}/edit").status_code == 404
    assert other.post(f"/releases/{release_id}/edit", data={"title": "Mine"}).status_code == 404
    response = client.post(f"/releases/{release_id}/edit", headers={"HX-Request": "true"},
                           data={"title": "Live", "genre": "pop", "mood": "calm"})
    assert response.status_code == 200 and "release-changed" in response.headers["HX-Trigger"]
    details = make_client().get(f"/releases/{release_id}/details", headers={"HX-Request": "true"})
    tag = details.headers["HX-PTag"]
    assert "Live" in details.get_data(as_text=True)
    same = make_client().get(f"/releases/{release_id}/details",
                             headers={"HX-Request": "true", "HX-PTag": tag})
    assert same.status_code == 304


def test_drafts_have_pages_only_for_their_owner(app, make_client):
    """A draft's page is the owner's alone; oEmbed and the embed never show it."""
    client = make_client("drafter")
    user_id = user_id_of(app, "drafter")
    track = make_media(app, user_id, "music", "a draft", duration=10)
    cover = make_media(app, user_id, "image", "a draft cover")
    release_id = make_release(app, user_id, track, cover, published=False)
    url = content_url(app, release_id)
    assert client.get(url).status_code == 200
    assert make_client().get(url).status_code == 404
    assert make_client().get(f"/embed/{release_id}").status_code == 404
    oembed = make_client().get("/oembed", query_string={"url": "http://localhost" + url})
    assert oembed.status_code == 404


def test_oembed_answers_the_oembed_1_0_fields(app, make_client):
    """JSON with version 1.0, type rich, html, width, height, and only known fields."""
    _client, _user_id, release_id = published_release(app, make_client)
    page = "http://localhost" + content_url(app, release_id)
    response = make_client().get("/oembed", query_string={"url": page, "maxwidth": "300"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert OEMBED_REQUIRED <= set(data) <= OEMBED_REQUIRED | OEMBED_OPTIONAL
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert isinstance(data["width"], int) and data["width"] == 300
    assert isinstance(data["height"], int) and data["height"] > 0
    assert data["provider_name"] == "Soundstage" and data["author_name"] == "artist"
    for key in ("author_url", "provider_url", "thumbnail_url"):
        assert data[key].startswith("http://localhost/")
    frame = BeautifulSoup(data["html"], "html.parser").iframe
    assert frame["src"] == f"http://localhost/embed/{release_id}"
    visitor = make_client()
    assert visitor.get("/oembed", query_string={"url": page, "format": "xml"}).status_code == 501
    assert visitor.get("/oembed", query_string={"url": "http://x/u/artist"}).status_code == 404


def test_only_the_embed_page_may_be_framed(app, make_client):
    """The embed page allows any frame ancestor; every other page refuses all."""
    _client, _user_id, release_id = published_release(app, make_client)
    visitor = make_client()
    embed = visitor.get(f"/embed/{release_id}")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert soup(embed).find("audio") is not None
    for url in (content_url(app, release_id), "/explore", f"/oembed?url=/releases/{release_id}"):
        response = visitor.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY"


def test_cards_link_to_release_pages_and_show_plays(app, make_client):
    """Explore and the profile: title links to the page, "N plays", the play button."""
    _client, _user_id, release_id = published_release(app, make_client)
    url = content_url(app, release_id)
    for page in ("/explore", "/u/artist"):
        html = soup(make_client().get(page))
        card = html.find(id=f"feed-release-{release_id}")
        assert card.find("a", string="Night Drive")["href"] == url
        assert "0 plays" in card.get_text()
        assert card.find("button", attrs={"data-play": str(release_id)}) is not None
        assert card.find("audio") is not None


def test_boosted_navigation_answers_title_and_main_only(app, make_client):
    """A boosted request gets <title> and <main>; the full page keeps the player outside it."""
    published_release(app, make_client)
    visitor = make_client()
    full = visitor.get("/explore")
    boosted = visitor.get("/explore", headers=HX_BOOST)
    assert "HX-Boosted" in boosted.headers["Vary"]
    page = soup(full)
    assert page.find(id="player").find_parent("main") is None
    assert page.find(id="player")["aria-label"] == "Player"
    part = soup(boosted)
    assert part.title.get_text() == "Explore · Soundstage"
    assert part.find("main", id="main") is not None
    assert part.find(id="player") is None and part.find("header") is None
    # What a fresh full load transfers: the page and every static file it links.
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', full.get_data(as_text=True))
    full_load = len(full.data) + sum(len(visitor.get(url).data) for url in set(assets))
    assert len(boosted.data) * 3 <= full_load


def test_a_boosted_form_with_errors_keeps_the_address(app, make_client):
    """A boosted post that answers with its errors asks htmx not to push its POST URL."""
    client, _user_id, release_id = published_release(app, make_client)
    response = client.post(f"/releases/{release_id}/edit", headers=HX_BOOST, data={"title": ""})
    assert response.status_code == 422 and response.headers["HX-Push-Url"] == "false"
    page = soup(response)
    assert page.find("main", id="main") is not None and page.find("header") is None
    done = client.post(f"/releases/{release_id}/edit", headers=HX_BOOST,
                       data={"title": "Fine", "genre": "pop", "mood": "calm"})
    assert done.status_code == 303 and "HX-Push-Url" not in done.headers
