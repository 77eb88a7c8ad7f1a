"""The library on both databases: the page contract, the never-stale grid, deletion, isolation."""

import queue
import re
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tests.factories import counting_statements, make_media, submit_job, user_id_of
from tests.helpers import HX, hx_get, soup
from webapp import db, events, storage
from webapp.library.items import (
    grid_page,
    new_items_message,
    page_numbers,
    parse_page,
    parse_tab,
    parse_tag,
)
from webapp.models import Media, Release, User


@pytest.fixture
def alice_id(client, auth):
    """Alice, signed up and signed in on `client`; her user id."""
    auth.signup("alice")
    return user_id_of(client.application, "alice")


def grid(client, tab="music", page=1, tag=None, **params):
    """A background check of the grid, as htmx sends it (with the held tag, if any)."""
    query = {"tab": tab, "page": page, **params}
    return hx_get(client, "/library/grid", tag=tag or None, query_string=query)


def announced(response) -> str | None:
    """The status message a response asks the page to announce."""
    import json

    raw = response.headers.get("HX-Trigger")
    return json.loads(raw).get("status-announced", {}).get("message") if raw else None


def article_titles(response) -> list[str]:
    """The headings of the item cards (one article per item), in page order."""
    page = soup(response)
    return [
        a.find(re.compile("^h[1-6]$")).get_text(strip=True)
        for a in page.select("article.media-card, article.release-card")
    ]


def version_of(app, user_id: int) -> int:
    """The user's library_version as stored."""
    with app.app_context():
        value = db.session().scalar(select(User.library_version).where(User.id == user_id))
        db.session().rollback()
        return value


def bulk_items(app, user_id: int, count: int, kind: str = "music") -> None:
    """Insert `count` library rows at once, all pointing at one real generated file."""
    real_id = make_media(app, user_id, kind, "the one real file behind them all")
    with app.app_context():
        session = db.session()
        real = session.get(Media, real_id)
        rows = [
            {
                "user_id": user_id, "kind": kind, "title": f"Bulk item {n}",
                "prompt": f"bulk prompt {n}", "file_path": real.file_path,
                "preview_path": real.preview_path, "mime_type": real.mime_type,
                "duration": real.duration, "size": real.size, "details": {},
            }
            for n in range(count - 1)
        ]
        session.execute(insert(Media), rows)
        session.commit()


# --------------------------------------------------------------------------- domain


def test_tags_parse_strictly_and_round_trip():
    """A tag names version, tab, page and newest id; anything else counts as no tag."""
    tag = parse_tag("v12-images-3-456")
    assert (tag.version, tag.tab, tag.page, tag.newest) == (12, "images", 3, 456)
    assert str(tag) == "v12-images-3-456"
    for junk in (None, "", "12", "v1-music-1", "v1-books-1-1", "v1-music-1-1 ", "v-music-1-1",
                 "v٣-music-1-1", "v1-music-1-1\n", "v99999999999-music-1-1"):
        assert parse_tag(junk) is None, junk


def test_tab_and_page_parameters_are_lenient():
    """Unknown tabs mean Music; junk pages mean page 1; huge pages are capped."""
    assert parse_tab("images") == "images"
    assert parse_tab("../etc") == "music"
    assert parse_tab(None) == "music"
    assert parse_page("3") == 3
    for junk in (None, "", "0", "-1", "abc", "1e3", "٣"):
        assert parse_page(junk) == 1, junk
    assert parse_page("99999999999") == 1
    assert parse_page("9999999") == 1_000_000


def test_page_numbers_stay_short_for_huge_libraries():
    """First, last and a window around the current page, with gaps marked."""
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 5) == [1, 2, 3, 4, 5]
    assert page_numbers(200, 417) == [1, None, 198, 199, 200, 201, 202, None, 417]
    assert len(page_numbers(5, 10_000)) <= 9


def test_new_items_message():
    """Singular and plural."""
    assert new_items_message(1) == "1 new item"
    assert new_items_message(2) == "2 new items"


# --------------------------------------------------------------------------- the page


def test_library_page_contract_for_music(client, alice_id):
    """Heading, tabs as links with aria-current, one article per track with player and links."""
    app = client.application
    first = make_media(app, alice_id, "music", "slow rain on a tin roof")
    second = make_media(app, alice_id, "music", "bright morning synth pop")
    response = client.get("/library")
    assert response.status_code == 200
    page = soup(response)
    assert page.find("h1").get_text(strip=True) == "Library"
    tabs = {a.get_text(strip=True): a for a in page.select("nav[aria-label='Library sections'] a")}
    assert list(tabs) == ["Music", "Images", "Releases"]
    assert tabs["Music"]["href"] == "/library?tab=music"
    assert tabs["Music"].get("aria-current") == "page"
    assert tabs["Images"].get("aria-current") is None
    assert page.find("button", string="Refresh") is not None
    assert article_titles(response) == ["Bright morning synth pop", "Slow rain on a tin roof"]
    card = page.find(id=f"media-{first}")
    assert card.name == "article"
    audio = card.find("audio")
    assert audio.has_attr("controls") and audio["preload"] == "none"
    assert audio["src"] == f"/media/{first}/file"
    assert card.find("img", class_="waveform")["src"] == f"/media/{first}/preview"
    download = card.find("a", href=f"/media/{first}/file?download=1")
    assert download.get_text(" ", strip=True).startswith("Download")
    assert "slow rain on a tin roof" in card.get_text()
    assert card.find("time") is not None
    assert page.find(id=f"media-{second}") is not None
    # The files behind the links are real and served to their owner.
    assert client.get(f"/media/{first}/file").status_code == 200
    assert client.get(f"/media/{first}/preview").status_code == 200


def test_music_cards_show_their_lyrics_with_line_breaks_kept(client, alice_id):
    """Lyrics typed in the studio are shown, escaped, on the track's card; none, no section."""
    app = client.application
    sung = make_media(app, alice_id, "music", "a folk song", lyrics="<b>one</b>\ntwo")
    plain = make_media(app, alice_id, "music", "an instrumental")
    page = soup(client.get("/library"))
    lyrics = page.find(id=f"media-{sung}").find("details", class_="card-lyrics")
    assert lyrics.find("summary").get_text(" ", strip=True).startswith("Lyrics")
    assert lyrics.find("p", class_="lyrics").get_text() == "<b>one</b>\ntwo"
    assert page.find(id=f"media-{plain}").find("details") is None


def test_library_page_contract_for_images(client, alice_id):
    """Images: thumbnail, full-size link and download; tab marked current; no tracks shown."""
    app = client.application
    make_media(app, alice_id, "music", "a track that belongs on the other tab")
    cover = make_media(app, alice_id, "image", "neon city at dusk")
    response = client.get("/library?tab=images")
    page = soup(response)
    current = page.select("nav[aria-label='Library sections'] a[aria-current='page']")
    assert [a.get_text(strip=True) for a in current] == ["Images"]
    assert article_titles(response) == ["Neon city at dusk"]
    card = page.find(id=f"media-{cover}")
    assert card.find("img", class_="card-media")["src"] == f"/media/{cover}/preview"
    assert card.find("img")["alt"]
    links = {a.get_text(" ", strip=True).split(" ")[0]: a["href"] for a in card.find_all("a")}
    assert links["Full"] == f"/media/{cover}/file"
    assert links["Download"] == f"/media/{cover}/file?download=1"
    assert card.find("audio") is None


@pytest.mark.parametrize(("tab", "words"), [("music", "No tracks yet"),
                                            ("images", "No cover art yet"),
                                            ("releases", "No releases yet")])
def test_empty_states_link_to_the_studio(client, alice_id, tab, words):
    """An empty tab says so and links to /studio."""
    response = client.get(f"/library?tab={tab}")
    empty = soup(response).find(id="library-empty")
    assert words in empty.get_text()
    assert empty.find("a", href="/studio") is not None


def test_unfinished_jobs_lead_the_grid_of_their_kind_only(client, alice_id):
    """Queued jobs show as their job cards on page 1 of the matching tab, before the items."""
    app = client.application
    make_media(app, alice_id, "music", "finished already")
    job = submit_job(app, alice_id, "music", "still rendering here")
    music = soup(client.get("/library?tab=music"))
    cards = music.select("#library-grid article")
    assert cards[0]["id"] == f"job-{job}"
    assert "Still rendering here" in cards[0].get_text()
    assert cards[0].find("progress") is not None
    images = soup(client.get("/library?tab=images"))
    assert images.find(id=f"job-{job}") is None


def test_pages_are_newest_first_with_page_links(client, alice_id):
    """LIBRARY_PAGE_SIZE per page; page links with aria-current; out-of-range pages clamp."""
    app = client.application
    app.config["LIBRARY_PAGE_SIZE"] = 2
    ids = [make_media(app, alice_id, "image", f"cover number {n}") for n in range(5)]
    first = client.get("/library?tab=images")
    assert [a["id"] for a in soup(first).select("article.media-card")] == [
        f"media-{ids[4]}", f"media-{ids[3]}"]
    pager = soup(first).find("nav", attrs={"aria-label": "Library pages"})
    numbers = [a.get_text(strip=True) for a in pager.select("a[aria-label^='Page']")]
    assert numbers == ["1", "2", "3"]
    assert pager.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "1"
    assert pager.find("a", rel="next")["href"] == "/library?tab=images&page=2"
    third = client.get("/library?tab=images&page=3")
    assert [a["id"] for a in soup(third).select("article.media-card")] == [f"media-{ids[0]}"]
    beyond = client.get("/library?tab=images&page=99")
    assert beyond.status_code == 200
    assert article_titles(beyond) == article_titles(third)
    fragment = grid(client, "images", 2)
    assert fragment.headers["HX-PTag"].endswith("-images-2-" + str(ids[4]))


def test_bad_parameters_never_fail(client, alice_id):
    """Junk tab, page or tag: the defaults, never an error."""
    for url in ("/library?tab=zzz&page=abc", "/library?page=-5", "/library/grid?tab=%20&page=x",
                "/library?refresh=1&shown=nonsense", "/library?refresh=1"):
        assert client.get(url, headers=HX if "grid" in url else {}).status_code == 200, url
    response = grid(client, tag="v0-music-1-<script>")
    assert response.status_code == 200


def test_library_needs_login(client):
    """Anonymous: the page redirects to log in; htmx requests get 401 + HX-Redirect."""
    page = client.get("/library")
    assert page.status_code in (302, 303)
    assert "/login" in page.headers["Location"]
    fragment = grid(client)
    assert fragment.status_code == 401
    assert "/login" in fragment.headers["HX-Redirect"]
    assert client.post("/library/1/delete").status_code in (302, 303)


# --------------------------------------------------------------------------- the grid


def test_grid_fragment_contract(client, alice_id):
    """No <html>, one root #library-grid carrying its version, re-check triggers, stable ids."""
    app = client.application
    item = make_media(app, alice_id, "music", "night drive")
    response = grid(client)
    assert response.status_code == 200
    assert b"<html" not in response.data and b"<body" not in response.data
    page = soup(response)
    roots = [child for child in page.children if getattr(child, "name", None)]
    assert [r.get("id") for r in roots] == ["library-grid"]
    root = roots[0]
    version = version_of(app, alice_id)
    assert root["hx-ptag"] == response.headers["HX-PTag"] == f"v{version}-music-1-{item}"
    assert root["hx-get"] == "/library/grid?tab=music&page=1"
    assert root["hx-sync"] == "this:replace"
    assert root["hx-swap"].startswith("innerMorph")
    trigger = root["hx-trigger"]
    for part in ("load", "page-visible from:document", "focus from:window",
                 "library-changed from:document", "resync from:document"):
        assert part in trigger
    # One shared delay on every trigger: a debounce, so focus + visibility send one request.
    specs = [s.strip() for s in trigger.split(",")]
    assert all(re.search(r"\bdelay:\d+ms\b", s) for s in specs), specs
    assert len({re.search(r"delay:\d+ms", s).group() for s in specs}) == 1
    assert "[" not in trigger
    assert root.get("aria-live") is None and root.get("role") is None
    assert page.find("article", id=f"media-{item}") is not None
    # The full page renders the very same fragment.
    full = soup(client.get("/library")).find(id="library-grid")
    assert full["hx-ptag"] == root["hx-ptag"]


def test_unchanged_version_gets_304_with_an_empty_body(client, alice_id):
    """The page already shows this version: 304, nothing to swap, nothing announced."""
    app = client.application
    make_media(app, alice_id, "image", "quiet harbour")
    tag = grid(client, "images").headers["HX-PTag"]
    again = grid(client, "images", tag=tag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["HX-PTag"] == tag
    assert announced(again) is None
    # A tag of another tab or page is not the same view.
    assert grid(client, "music", tag=tag).status_code == 200
    assert grid(client, "images", 2, tag=tag).status_code == 200


def test_after_a_generation_completes_the_same_request_returns_the_new_item(client, alice_id):
    """The grid notices a finished job, shows it, and announces one new item."""
    app = client.application
    make_media(app, alice_id, "music", "first light")
    tag = grid(client).headers["HX-PTag"]
    assert grid(client, tag=tag).status_code == 304
    new = make_media(app, alice_id, "music", "second wind")
    response = grid(client, tag=tag)
    assert response.status_code == 200
    assert article_titles(response) == ["Second wind", "First light"]
    assert soup(response).find(id=f"media-{new}") is not None
    assert announced(response) == "1 new item"
    assert response.headers["HX-PTag"] != tag
    assert grid(client, tag=response.headers["HX-PTag"]).status_code == 304


def test_refresh_says_up_to_date_or_counts_new_items(client, alice_id):
    """The Refresh form (refresh=1, shown=<tag>) always gets an answer for the status region."""
    app = client.application
    make_media(app, alice_id, "music", "one")
    shown = grid(client).headers["HX-PTag"]
    same = grid(client, refresh="1", shown=shown)
    assert same.status_code == 304 and same.data == b""
    assert announced(same) == "Library is up to date"
    make_media(app, alice_id, "music", "two")
    make_media(app, alice_id, "music", "three")
    moved = grid(client, refresh="1", shown=shown)
    assert moved.status_code == 200
    assert announced(moved) == "2 new items"
    assert article_titles(moved)[:2] == ["Three", "Two"]


def test_background_check_stays_quiet_when_nothing_new_appeared(client, alice_id):
    """A change without new items (a deletion) refreshes the grid but announces nothing."""
    app = client.application
    keep = make_media(app, alice_id, "music", "keeper")
    gone = make_media(app, alice_id, "music", "goner")
    tag = grid(client).headers["HX-PTag"]
    assert client.post(f"/library/{gone}/delete").status_code == 303
    response = grid(client, tag=tag)
    assert response.status_code == 200
    assert announced(response) is None
    assert [a["id"] for a in soup(response).select("article.media-card")] == [f"media-{keep}"]


def test_refresh_without_javascript_flashes_what_happened(client, alice_id):
    """GET /library?refresh=1&shown=<tag> renders the page with a message."""
    app = client.application
    make_media(app, alice_id, "music", "alpha")
    page = soup(client.get("/library"))
    shown = page.find("input", attrs={"name": "shown"})
    assert shown["form"] == "library-refresh"
    form = page.find("form", id="library-refresh")
    assert form["method"] == "get" and form["action"] == "/library"
    fields = {i["name"]: i["value"] for i in form.find_all("input")}
    assert fields == {"tab": "music", "page": "1", "refresh": "1"}
    query = {**fields, "shown": shown["value"]}
    up_to_date = client.get("/library", query_string=query)
    assert "Library is up to date" in soup(up_to_date).find(id="flashes").get_text()
    make_media(app, alice_id, "music", "beta")
    news = client.get("/library", query_string=query)
    assert "1 new item" in soup(news).find(id="flashes").get_text()
    assert "Beta" in article_titles(news)


def test_sql_statements_per_grid_page_do_not_grow_with_the_library(app, make_client):
    """10 items or 10,000 (bulk-inserted), tracks or releases: the same statements per page."""
    counts = {}
    app.config["STORAGE_QUOTA_BYTES"] = 10**12  # 10,000 bulk items pass the default quota
    for size in (10, 10_000):
        name = f"owner{size}"
        client = make_client(name)
        owner = user_id_of(app, name)
        bulk_items(app, owner, size)
        # A job under way (its card leads the images tab; the music tab stays cacheable).
        submit_job(app, owner, "image", "a job card on the first page")
        with app.app_context():
            session = db.session()
            # One release uses a visible track, so the release lookup has rows too.
            image = make_media(app, owner, "image", "cover for the release")
            track = session.scalar(select(Media.id).where(Media.user_id == owner,
                                                          Media.kind == "music").limit(1))
            session.rollback()
        assert client.post("/releases", data={
            "title": "A release", "music_id": track, "image_id": image, "genre": "ambient",
            "mood": "calm", "description": "",
        }).status_code == 303
        with app.app_context():
            session = db.session()
            session.execute(insert(Release), [
                {"user_id": owner, "music_id": track, "image_id": image, "title": f"Bulk {n}",
                 "genre": "ambient", "mood": "calm", "description": ""}
                for n in range(size - 1)
            ])
            session.commit()
        with counting_statements(app) as statements:
            response = grid(client)
        assert response.status_code == 200
        assert len(soup(response).select("article.media-card")) == min(size, 24)
        counts[size] = len(statements)
        with counting_statements(app) as statements:
            assert grid(client).data == response.data  # the same version again: from cache
        counts[f"again-{size}"] = len(statements)
        with counting_statements(app) as statements:
            releases = grid(client, "releases")
        assert len(soup(releases).select("article.release-card")) == min(size, 24)
        counts[f"releases-{size}"] = len(statements)
        with counting_statements(app) as statements:
            assert grid(client, tag=response.headers["HX-PTag"]).status_code == 304
        counts[f"304-{size}"] = len(statements)
    print("SQL statements per request:", counts)
    assert counts[10] == counts[10_000], counts
    assert counts[10_000] <= 7, counts
    assert counts["again-10"] == counts["again-10000"] < counts[10_000], counts
    assert counts["releases-10"] == counts["releases-10000"] <= 4, counts
    # The unchanged check costs only the session lookup every signed-in request makes.
    assert counts["304-10"] == counts["304-10000"] <= 2, counts


def test_grid_page_counts_new_items_since_a_given_id(app, make_client):
    """The domain function, without HTTP: totals, pages, newest id and newer items."""
    make_client("carol")
    carol = user_id_of(app, "carol")
    ids = [make_media(app, carol, "music", f"song {n}") for n in range(3)]
    with app.app_context():
        view = grid_page(db.session(), carol, 7, "music", 1, page_size=2, since=ids[0])
        assert (view.total, view.pages, view.newest, view.new_items) == (3, 2, ids[2], 2)
        assert [m.id for m in view.items] == [ids[2], ids[1]]
        assert str(view.tag) == f"v7-music-1-{ids[2]}"
        empty = grid_page(db.session(), carol, 7, "images", 1)
        assert (empty.total, empty.newest, empty.is_empty) == (0, 0, True)


# --------------------------------------------------------------------------- deletion


def test_delete_without_javascript_confirms_then_deletes(client, alice_id):
    """GET shows a confirmation with a POST form; POST deletes, removes files, 303 + flash."""
    app = client.application
    item = make_media(app, alice_id, "music", "to be deleted")
    with app.app_context():
        row = db.session().get(Media, item)
        files = [storage.absolute(row.file_path), storage.absolute(row.preview_path)]
    assert all(path.is_file() for path in files)
    before = version_of(app, alice_id)
    confirm = client.get(f"/library/{item}/delete")
    assert confirm.status_code == 200
    page = soup(confirm)
    assert "Delete “To be deleted”?" in page.find("h1").get_text()
    form = page.find("form", attrs={"action": f"/library/{item}/delete"})
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    assert form.find("a", href="/library?tab=music").get_text() == "Cancel"
    done = client.post(f"/library/{item}/delete")
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/library?tab=music")
    after = client.get("/library")
    assert "Deleted “To be deleted”." in soup(after).find(id="flashes").get_text()
    assert soup(after).find(id=f"media-{item}") is None
    with app.app_context():
        assert db.session().get(Media, item) is None
    assert not any(path.exists() for path in files)
    assert version_of(app, alice_id) == before + 1
    assert client.get(f"/library/{item}/delete").status_code == 404
    assert client.post(f"/library/{item}/delete").status_code == 404


def test_delete_with_htmx_removes_the_card_and_tells_the_page(client, alice_id):
    """The card's form asks first (plain-text hx-confirm) and posts; the answer is tiny."""
    app = client.application
    item = make_media(app, alice_id, "image", "sunset pier")
    card = soup(client.get("/library?tab=images")).find(id=f"media-{item}")
    form = card.find("form", attrs={"hx-post": f"/library/{item}/delete"})
    assert form["method"] == "get" and form["action"] == f"/library/{item}/delete"
    assert form["hx-confirm"] == "Delete “Sunset pier”? This cannot be undone."
    assert form["hx-target"] == f"#media-{item}" and form["hx-swap"] == "delete"
    assert form.find("button").get_text(" ", strip=True).startswith("Delete")
    response = client.post(f"/library/{item}/delete", headers=HX)
    assert response.status_code == 200
    assert response.data == b""
    assert announced(response) == "Deleted “Sunset pier”."
    assert '"library-changed"' in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]


def test_deleting_an_item_used_by_a_release_warns_and_removes_the_release(client, alice_id):
    """The confirmation names the release; ON DELETE CASCADE removes it with the item."""
    app = client.application
    track = make_media(app, alice_id, "music", "anthem")
    cover = make_media(app, alice_id, "image", "anthem cover")
    created = client.post("/releases", data={
        "title": "Big Anthem", "music_id": track, "image_id": cover, "genre": "rock",
        "mood": "loud", "description": "",
    })
    assert created.status_code == 303
    warning = "This track is used by release “Big Anthem”; deleting it removes the release."
    assert warning in soup(client.get(f"/library/{track}/delete")).get_text()
    card = soup(client.get("/library")).find(id=f"media-{track}")
    assert warning in card.find("form", attrs={"hx-post": True})["hx-confirm"]
    assert "Big Anthem" in card.get_text()
    releases = soup(client.get("/library?tab=releases"))
    assert "Big Anthem" in [t.get_text(strip=True) for t in releases.select("article h3")]
    response = client.post(f"/library/{track}/delete", headers=HX)
    assert "Its release was removed too." in announced(response)
    with app.app_context():
        assert db.session().scalar(select(Release.id)) is None
        assert db.session().get(Media, cover) is not None
    assert "No releases yet" in client.get("/library?tab=releases").get_data(as_text=True)


def test_delete_publishes_library_changed_to_the_owner_only(app, make_client):
    """The event goes to the owner's tabs after commit, with the new version and no content."""
    owner_client = make_client("dora")
    make_client("eve")
    dora, eve = user_id_of(app, "dora"), user_id_of(app, "eve")
    item = make_media(app, dora, "music", "private melody")
    dora_inbox = events.subscribe(app, dora)
    eve_inbox = events.subscribe(app, eve)
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)
    try:
        assert owner_client.post(f"/library/{item}/delete").status_code == 303
        message = dora_inbox.get(timeout=60)
        assert message.name == "library-changed"
        assert message.data == {"version": version_of(app, dora)}
        with pytest.raises(queue.Empty):
            eve_inbox.get(timeout=0.5)
    finally:
        events.bus_of(app).unsubscribe(dora, dora_inbox)
        events.bus_of(app).unsubscribe(eve, eve_inbox)


# --------------------------------------------------------------------------- isolation


def test_one_users_library_never_shows_or_touches_another_users_items(
    client, alice_id, make_client
):
    """Bob sees none of Alice's items; her ids are 404 to him, and nothing is deleted."""
    app = client.application
    track = make_media(app, alice_id, "music", "alice private song")
    cover = make_media(app, alice_id, "image", "alice private cover")
    bob = make_client("bob")
    for tab in ("music", "images", "releases"):
        for response in (bob.get(f"/library?tab={tab}"), grid(bob, tab)):
            assert response.status_code == 200
            text = response.get_data(as_text=True)
            assert "Alice private" not in text and "alice private" not in text
            assert f"media-{track}" not in text and f"media-{cover}" not in text
    for item in (track, cover):
        assert bob.get(f"/library/{item}/delete").status_code == 404
        assert bob.post(f"/library/{item}/delete").status_code == 404
        assert bob.post(f"/library/{item}/delete", headers=HX).status_code == 404
        assert bob.get(f"/media/{item}/file").status_code == 404
        assert bob.get(f"/media/{item}/preview").status_code == 404
    with app.app_context():
        assert db.session().get(Media, track) is not None
        assert db.session().get(Media, cover) is not None
    # Alice's tag does not make Bob's grid go quiet: tags describe only the asker's library.
    alice_tag = grid(client).headers["HX-PTag"]
    assert grid(bob, tag=alice_tag).status_code == 200


def test_out_of_range_ids_are_404_not_errors(client, alice_id):
    """Ids beyond a 32-bit integer never reach the database."""
    assert client.get("/library/2147483648/delete").status_code == 404
    # Werkzeug answers 405 here (the path shape matches, the converter refuses): still no 500.
    assert client.post("/library/99999999999/delete").status_code in (404, 405)


def test_deleted_files_are_removed_even_when_shared_paths_are_missing(client, alice_id):
    """Deleting an item whose files are already gone still succeeds (idempotent cleanup)."""
    app = client.application
    item = make_media(app, alice_id, "music", "vanishing act")
    with app.app_context():
        row = db.session().get(Media, item)
        Path(storage.absolute(row.file_path)).unlink()
    assert client.post(f"/library/{item}/delete").status_code == 303


# ----------------------------------------------------------------- rendered once per version


def test_a_version_is_rendered_once_and_served_again_from_the_cache(app, make_client):
    """A second tab asking for the same version gets the same bytes with fewer statements."""
    first_tab = make_client("frank")
    second_tab = make_client()
    second_tab.post("/login", data={"username": "frank", "password": "correct horse battery"})
    frank = user_id_of(app, "frank")
    bulk_items(app, frank, 30)
    with counting_statements(app) as rendered:
        one = grid(first_tab)
    with counting_statements(app) as kept:
        two = grid(second_tab)
    assert one.status_code == two.status_code == 200
    assert one.data == two.data
    assert one.headers["HX-PTag"] == two.headers["HX-PTag"]
    assert len(kept) < len(rendered), (kept, rendered)
    # The page a tab held still decides what is announced, cached or not.
    old_tag = one.headers["HX-PTag"]
    make_media(app, frank, "music", "fresh after the cache")
    fresh = grid(first_tab, tag=old_tag)
    assert "Fresh after the cache" in article_titles(fresh)
    assert announced(fresh) == "1 new item"
    again = grid(second_tab, tag=old_tag)
    assert again.data == fresh.data
    assert announced(again) == "1 new item"


def test_cached_fragments_never_outlive_their_version(client, alice_id):
    """Deleting, adding or a job under way: the next answer shows it, never an old render."""
    app = client.application
    keep = make_media(app, alice_id, "image", "cover to keep")
    gone = make_media(app, alice_id, "image", "cover to delete")
    assert len(article_titles(grid(client, "images"))) == 2
    client.post(f"/library/{gone}/delete")
    assert article_titles(grid(client, "images")) == ["Cover to keep"]
    job = submit_job(app, alice_id, "image", "a cover still being drawn")
    with_job = soup(grid(client, "images"))
    assert "Waiting to start" in with_job.find(id=f"job-{job}").get_text()
    from webapp.studio import generations

    with app.app_context():
        assert generations.claim(db.session(), job) is not None
    running = soup(grid(client, "images")).find(id=f"job-{job}")
    assert "Drawing your cover" in running.get_text(), "job cards are never served from cache"
    assert soup(grid(client, "images")).find(id=f"media-{keep}") is not None


def test_the_releases_tab_moves_with_a_rename(client, alice_id):
    """Release cards show the owner's name: a rename (profile_version) changes the tab's tag."""
    app = client.application
    track = make_media(app, alice_id, "music", "rename anthem")
    cover = make_media(app, alice_id, "image", "rename cover")
    client.post("/releases", data={"title": "Named", "music_id": track, "image_id": cover,
                                   "genre": "pop", "mood": "happy", "description": ""})
    tag = grid(client, "releases").headers["HX-PTag"]
    music_tag = grid(client, "music").headers["HX-PTag"]
    assert grid(client, "releases", tag=tag).status_code == 304
    from webapp.profiles import usernames

    with app.app_context():
        assert usernames.rename_user(db.session(), alice_id, "alicia").outcome == "renamed"
    moved = grid(client, "releases", tag=tag)
    assert moved.status_code == 200
    assert "alicia" in moved.get_data(as_text=True)
    assert grid(client, "music", tag=music_tag).status_code == 304
    trigger = soup(moved).find(id="library-grid")["hx-trigger"]
    assert "username-changed from:document" in trigger
