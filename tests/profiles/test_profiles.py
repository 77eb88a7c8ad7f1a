"""Profiles over HTTP on both databases: pages, fragments, rename, undo, history, avatars."""

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from tests.factories import user_ref
from tests.helpers import HX, soup, triggers
from webapp import db as database
from webapp.models import Media, Release, User, UsernameChange
from webapp.publishing import posts

PASSWORD = "correct horse battery"
def rename(client, name: str, password: str = PASSWORD, htmx: bool = True, **extra):
    """POST the settings form the way the page does."""
    data = {"username": name, "current_password": password, **extra}
    return client.post("/settings/profile", data=data, headers=HX if htmx else {},
                       content_type="multipart/form-data")


def user_named(app, name: str) -> User | None:
    """The user row holding a name right now."""
    with app.app_context():
        return database.session().scalar(select(User).where(User.username == name))


def changes(app) -> list[tuple[str, str, str]]:
    """Every history row as (kind, old, new), oldest first."""
    with app.app_context():
        rows = database.session().scalars(select(UsernameChange).order_by(UsernameChange.id))
        return [(r.kind, r.old_username, r.new_username) for r in rows]


def picture(fmt: str = "PNG", size=(300, 200), color=(200, 30, 30), **save) -> bytes:
    """An image file in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(client, data: bytes, filename: str = "me.png", name: str | None = None,
           password: str = "", htmx: bool = True):
    """Send the settings form with an avatar file (and the current name unless given)."""
    form = {"avatar": (io.BytesIO(data), filename), "current_password": password}
    if name is not None:
        form["username"] = name
    return client.post("/settings/profile", data=form, headers=HX if htmx else {},
                       content_type="multipart/form-data")


def avatar_files(app) -> list[Path]:
    """The avatar files on disk."""
    folder = Path(app.config["DATA_DIR"]) / "avatars"
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("*") if not p.name.startswith("."))


@pytest.fixture
def alice_client(client, auth):
    """A signed-in alice."""
    assert auth.signup().status_code == 303
    return client


# ---------------------------------------------------------------- the public profile


def test_profile_shows_the_name_in_the_h1_matched_case_insensitively(app, alice_client):
    """/u/<name> in any case shows the profile; unknown names are 404."""
    for path in ("/u/alice", "/u/ALICE", "/u/Alice"):
        response = alice_client.get(path)
        assert response.status_code == 200, path
        assert soup(response).h1.get_text(strip=True) == "alice"
        assert "alice · Soundstage" in soup(response).title.get_text()
    assert alice_client.get("/u/nobody").status_code == 404
    assert alice_client.get("/u/" + "x" * 300).status_code == 404
    assert alice_client.get("/u/%C3%A5lice").status_code == 404


def test_profile_lists_published_releases_and_posts_newest_first_with_pages(app, alice_client,
                                                                            make_client):
    """Releases (playable) and posts of that user only, newest first, paginated."""
    app.config["FEED_PAGE_SIZE"] = 2
    make_client("bob")
    with app.app_context():
        session = database.session()
        me = session.scalar(select(User).where(User.username == "alice"))
        bob = session.scalar(select(User).where(User.username == "bob"))
        music = Media(user_id=me.id, kind="music", title="t", prompt="p", file_path="a.ogg",
                      mime_type="audio/ogg")
        image = Media(user_id=me.id, kind="image", title="c", prompt="p", file_path="c.png",
                      mime_type="image/png")
        session.add_all([music, image])
        session.flush()
        session.add_all([
            Release(user_id=me.id, music_id=music.id, image_id=image.id, title="Old song",
                    published=True, published_at=datetime(2020, 1, 1, tzinfo=UTC)),
            Release(user_id=me.id, music_id=music.id, image_id=image.id, title="Draft song",
                    published=False),
        ])
        session.commit()
        posts.create_post(session, me, "first post")
        posts.create_post(session, me, "second post")
        posts.create_post(session, bob, "bob's post")
    page1 = soup(alice_client.get("/u/alice"))
    texts = [a.get_text(" ", strip=True) for a in page1.select("#feed article")]
    assert "second post" in texts[0] and "first post" in texts[1] and len(texts) == 2
    page2 = soup(alice_client.get("/u/alice?page=2"))
    [release] = page2.select("#feed article")
    assert "Old song" in release.get_text() and release.find("audio") is not None
    body = alice_client.get("/u/alice").get_data(as_text=True) + str(page2)
    assert "Draft song" not in body and "bob&#39;s post" not in body and "bob's post" not in body


def test_an_old_name_redirects_permanently_until_someone_claims_it(app, alice_client, make_client):
    """301 to the current name (query kept); a claim ends it; unknown stays 404."""
    assert rename(alice_client, "alicia").status_code == 200
    response = alice_client.get("/u/alice?page=2")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/u/alicia?page=2")
    assert alice_client.get("/u/ALICE").status_code == 301
    mallory = make_client("mallory")
    assert rename(mallory, "alice").status_code == 200
    response = alice_client.get("/u/alice")
    assert response.status_code == 200
    assert soup(response).h1.get_text(strip=True) == "alice"
    assert soup(response).select_one("#profile-header")["hx-get"].endswith(
        f"/{user_ref(app, user_named(app, 'alice').id)}?level=1")
    # mallory moves on: the name never leads back to alicia, only to its latest holder.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=False):
        assert rename(mallory, "mallory2").status_code == 200
        assert alice_client.get("/u/alice").headers["Location"].endswith("/u/mallory2")
        assert alice_client.get("/u/alicia").status_code == 200


def test_the_header_fragment_is_conditional_and_carries_the_title(app, alice_client):
    """Same version → 304 and no body; after a rename → 200 with the new name and title."""
    raw_id = user_named(app, "alice").id
    uid = user_ref(app, raw_id)
    first = alice_client.get(f"/fragments/profile-header/{uid}?level=1", headers=HX)
    assert first.status_code == 200 and b"<html" not in first.data
    version = first.headers["HX-PTag"]
    page = soup(alice_client.get("/u/alice"))
    assert page.select_one("#profile-header")["hx-ptag"] == version
    url = f"/fragments/profile-header/{uid}?level=1"
    again = alice_client.get(url, headers={**HX, "HX-PTag": version})
    assert again.status_code == 304 and again.data == b""
    rename(alice_client, "alicia")
    fresh = alice_client.get(url, headers={**HX, "HX-PTag": version})
    assert fresh.status_code == 200 and fresh.headers["HX-PTag"] != version
    parsed = soup(fresh)
    assert parsed.title.get_text() == "alicia · Soundstage"
    assert parsed.select_one("#profile-header h1").get_text(strip=True) == "alicia"
    preview = alice_client.get(f"/fragments/profile-header/{uid}?level=3", headers=HX)
    assert soup(preview).title is None and soup(preview).h3.get_text(strip=True) == "alicia"
    assert alice_client.get("/fragments/profile-header/999", headers=HX).status_code == 404
    assert alice_client.get(f"/fragments/profile-header/{raw_id}", headers=HX).status_code == 404
    forged = uid.replace(uid.split("-")[0], "2", 1)
    assert alice_client.get(f"/fragments/profile-header/{forged}", headers=HX).status_code == 404


def test_the_nav_fragment_is_conditional(app, alice_client):
    """The nav link is the username; 304 while unchanged."""
    first = alice_client.get("/fragments/nav-user", headers=HX)
    nav = soup(first).select_one("#nav-user")
    assert nav.a.get_text(strip=True) == "alice" and nav.a["href"] == "/u/alice"
    version = first.headers["HX-PTag"]
    same = alice_client.get("/fragments/nav-user", headers={**HX, "HX-PTag": version})
    assert same.status_code == 304
    rename(alice_client, "alicia")
    fresh = alice_client.get("/fragments/nav-user", headers={**HX, "HX-PTag": version})
    assert soup(fresh).select_one("#nav-user a").get_text(strip=True) == "alicia"


# ---------------------------------------------------------------- renaming


def test_settings_need_a_signed_in_user(client):
    """Anonymous visitors are sent to log in; htmx gets 401 + a redirect header."""
    assert client.get("/settings/profile").status_code in (302, 303)
    assert client.post("/settings/profile", data={"username": "x"}).status_code in (302, 303)
    assert client.get("/settings/profile/history").status_code in (302, 303)
    assert client.get("/fragments/nav-user", headers=HX).status_code == 401


def test_settings_page_shows_the_form_preview_and_history_link(alice_client):
    """Fields, button, link, and a preview with the header and the feed."""
    page = soup(alice_client.get("/settings/profile"))
    assert page.find("label", attrs={"for": "username"}).get_text(strip=True) == "Username"
    assert page.find("label", attrs={"for": "avatar"}).get_text(strip=True) == "Avatar"
    assert "Current password" in page.find("label", attrs={"for": "current_password"}).get_text()
    assert page.find("button", string="Save") is not None
    assert page.find("button", string="Undo") is None
    assert page.find("a", string="Username history")["href"] == "/settings/profile/history"
    assert page.select_one("#profile-header h3").get_text(strip=True) == "alice"
    assert page.select_one("#feed") is not None
    assert page.select_one("#profile-form")["enctype"] == "multipart/form-data"
    assert page.select_one("#profile-form input[name=csrf_token]") is not None


def test_a_rename_with_htmx_answers_the_form_with_events_and_undo(app, alice_client):
    """200 fragment, HX-Trigger username-changed + announcement, Undo offered."""
    response = rename(alice_client, "Alicia")
    assert response.status_code == 200
    assert b"<html" not in response.data
    parsed = soup(response)
    assert parsed.select_one("#profile-settings") is not None
    notice = parsed.select_one("#profile-notice").get_text(strip=True)
    assert notice == "Username changed to Alicia."
    assert parsed.find("button", string="Undo") is not None
    assert parsed.select_one("#username")["value"] == "Alicia"
    events = triggers(response)
    assert events["username-changed"] == {"username": "Alicia"}
    assert events["status-announced"] == {"message": "Username changed to Alicia."}
    assert changes(app) == [("rename", "alice", "Alicia")]
    nav = soup(alice_client.get("/studio")).select_one("#nav-user a")
    assert nav.get_text(strip=True) == "Alicia"


def test_a_rename_without_javascript_redirects_with_a_flash(app, alice_client):
    """303 to settings; the next page flashes and every name is the new one."""
    response = rename(alice_client, "alicia", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/settings/profile")
    page = alice_client.get("/settings/profile")
    text = page.get_data(as_text=True)
    assert "Username changed to alicia." in text
    assert soup(page).find("button", string="Undo") is not None
    for path in ("/settings/profile", "/u/alicia", "/settings/profile/history"):
        parsed = soup(alice_client.get(path))
        assert parsed.select_one("#nav-user a").get_text(strip=True) == "alicia"
    assert soup(alice_client.get("/u/alicia")).h1.get_text(strip=True) == "alicia"


@pytest.mark.parametrize("htmx", [True, False])
def test_a_rename_needs_the_current_password(app, alice_client, htmx):
    """Missing or wrong password → 422, inline message, nothing stored."""
    for password, message in (("", "Enter your current password"),
                              ("wrong password!", "Current password is incorrect.")):
        response = rename(alice_client, "alicia", password=password, htmx=htmx)
        assert response.status_code == 422
        parsed = soup(response)
        assert (parsed.html is None) == htmx
        error = parsed.select_one("#current-password-error")
        assert message in error.get_text()
        assert parsed.select_one("#current_password")["aria-invalid"] == "true"
    assert user_named(app, "alice") is not None and changes(app) == []


@pytest.mark.parametrize("bad, message", [
    ("ab", "at least 3"),
    ("admin", "reserved"),
    ("ålice", "English letters"),
    ("аlice", "English letters"),  # Cyrillic а
    ("-alice", "start with a letter"),
    ("", "required"),
])
def test_invalid_names_show_the_message_next_to_the_field(app, alice_client, bad, message):
    """422 with the form, the typed value kept, nothing stored."""
    response = rename(alice_client, bad)
    assert response.status_code == 422
    parsed = soup(response)
    assert message in parsed.select_one("#username-error").get_text()
    assert parsed.select_one("#username")["aria-invalid"] == "true"
    assert parsed.select_one("#username")["value"] == bad
    assert "username-error" in parsed.select_one("#username")["aria-describedby"]
    assert triggers(response)["status-announced"]["message"]
    assert "username-changed" not in triggers(response)
    assert changes(app) == []


def test_a_taken_name_is_refused(app, alice_client, make_client):
    """Another user's name in another case → 422 'taken', nothing stored."""
    make_client("bob")
    response = rename(alice_client, "BOB")
    assert response.status_code == 422
    assert "That username is taken" in soup(response).select_one("#username-error").get_text()
    assert changes(app) == []


def test_saving_without_a_change_says_nothing_to_change(app, alice_client):
    """htmx: 204 + announcement; plain: 303 + flash; no history row either way."""
    response = rename(alice_client, "alice", password="")
    assert response.status_code == 204
    assert triggers(response) == {"status-announced": {"message": "Nothing to change."}}
    response = rename(alice_client, "alice", password="", htmx=False)
    assert response.status_code == 303
    assert "Nothing to change." in alice_client.get("/settings/profile").get_data(as_text=True)
    assert changes(app) == []


def soon() -> datetime:
    """A whole minute just ahead of now: session cookies stay valid when time is moved there."""
    return (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)


def test_one_rename_per_24_hours_with_the_time_it_is_allowed_again(app, alice_client):
    """429 with a clear message and Retry-After until exactly 24 h later."""
    t0 = soon()
    allowed = (t0 + timedelta(hours=24)).strftime("%d %b %Y at %H:%M:%S UTC")
    with time_machine.travel(t0, tick=False):
        assert rename(alice_client, "alicia").status_code == 200
    with time_machine.travel(t0 + timedelta(hours=23, minutes=59, seconds=59), tick=False):
        response = rename(alice_client, "alicia2")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "2"
        error = soup(response).select_one("#username-error").get_text()
        assert allowed in error
        plain = rename(alice_client, "alicia2", htmx=False)
        assert plain.status_code == 429 and soup(plain).html is not None
        assert allowed in plain.get_data(as_text=True)
    with time_machine.travel(t0 + timedelta(hours=24), tick=False):
        assert rename(alice_client, "alicia2").status_code == 200
    assert [c[2] for c in changes(app)] == ["alicia", "alicia2"]


def test_undo_with_htmx_and_without(app, alice_client):
    """Undo restores the old name once; a second undo is refused clearly."""
    rename(alice_client, "alicia")
    response = alice_client.post("/settings/profile/undo", headers=HX)
    assert response.status_code == 200
    assert triggers(response)["username-changed"] == {"username": "alice"}
    assert soup(response).find("button", string="Undo") is None
    assert soup(response).select_one("#username").has_attr("autofocus")
    again = alice_client.post("/settings/profile/undo", headers=HX)
    assert again.status_code == 409
    assert "no recent username change to undo" in again.get_data(as_text=True)
    plain = alice_client.post("/settings/profile/undo")
    assert plain.status_code == 303
    settings = alice_client.get("/settings/profile").get_data(as_text=True)
    assert "no recent username change" in settings
    assert changes(app) == [("rename", "alice", "alicia"), ("undo", "alicia", "alice")]


def test_undo_without_javascript(app, alice_client):
    """POST, 303, flash, old name back."""
    rename(alice_client, "alicia", htmx=False)
    response = alice_client.post("/settings/profile/undo")
    assert response.status_code == 303
    page = alice_client.get("/settings/profile").get_data(as_text=True)
    assert "Username changed back to alice." in page
    assert user_named(app, "alice") is not None


def test_history_page_lists_every_change_newest_first_in_utc(app, alice_client):
    """Rows with UTC times; the fragment is conditional."""
    t0 = soon()
    with time_machine.travel(t0, tick=False):
        rename(alice_client, "alicia")
    with time_machine.travel(t0 + timedelta(minutes=2), tick=False):
        alice_client.post("/settings/profile/undo", headers=HX)
        page = soup(alice_client.get("/settings/profile/history"))
        assert page.h1.get_text(strip=True) == "Username history"
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")]
                for tr in page.select("tbody tr")]
        stamp = "%d %b %Y, %H:%M UTC"
        assert rows == [
            [(t0 + timedelta(minutes=2)).strftime(stamp), "Undo", "alicia", "alice"],
            [t0.strftime(stamp), "Rename", "alice", "alicia"],
        ]
        fragment = alice_client.get("/fragments/username-history", headers=HX)
        assert fragment.status_code == 200 and b"<html" not in fragment.data
        tag = fragment.headers["HX-PTag"]
        assert alice_client.get("/fragments/username-history",
                         headers={**HX, "HX-PTag": tag}).status_code == 304


# ---------------------------------------------------------------- avatars


def test_an_avatar_is_re_encoded_stripped_stored_and_served(app, alice_client):
    """JPEG with EXIF GPS → 256×256 WebP without metadata, random name, fixed type."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    response = upload(alice_client, picture("JPEG", exif=exif.tobytes()), "me.jpg")
    assert response.status_code == 200
    events = triggers(response)
    assert "avatar-changed" in events and "username-changed" not in events
    assert events["status-announced"] == {"message": "Avatar updated."}
    [stored] = avatar_files(app)
    assert stored.name == user_named(app, "alice").avatar
    assert len(stored.stem) == 32 and stored.suffix == ".webp"
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (256, 256))
        assert not image.getexif() and "exif" not in image.info
    assert b"SecretCam" not in stored.read_bytes()
    served = alice_client.get(f"/avatars/{stored.name}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored.read_bytes()
    nav = soup(alice_client.get("/fragments/nav-user", headers=HX))
    assert nav.select_one("#nav-user img")["src"] == f"/avatars/{stored.name}"
    assert nav.select_one("#nav-user a").get_text(strip=True) == "alice"


def test_orientation_is_applied(app, alice_client):
    """An EXIF-rotated photo is stored upright."""
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    assert upload(alice_client, buffer.getvalue(), "rotated.jpg").status_code == 200
    [stored] = avatar_files(app)
    with Image.open(stored) as result:
        rgb = result.convert("RGB")
        top, bottom = rgb.getpixel((128, 30)), rgb.getpixel((128, 226))
    assert top[0] > 200 and top[2] < 60, top  # red on top
    assert bottom[2] > 200 and bottom[0] < 60, bottom  # blue below


def test_an_unwritable_data_directory_gives_a_clear_answer_not_a_500(app, alice_client, tmp_path):
    """Avatar upload with DATA_DIR unusable: 503 with a message by the field; nothing changes."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data directory should be")
    app.config["DATA_DIR"] = str(blocked)
    response = upload(alice_client, picture("PNG"))
    assert response.status_code == 503
    assert "could not be saved" in soup(response).select_one("#avatar-error").get_text()
    assert user_named(app, "alice").avatar is None


def test_a_new_avatar_replaces_the_old_file(app, alice_client):
    """After commit the previous file is deleted."""
    upload(alice_client, picture("PNG"))
    [first] = avatar_files(app)
    upload(alice_client, picture("WEBP", color=(0, 200, 0)), "new.webp")
    [second] = avatar_files(app)
    assert first != second and not first.exists()
    assert alice_client.get(f"/avatars/{first.name}").status_code == 404


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, filename, message", [
    (b"", "empty.png", "empty"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "x.svg", "PNG, JPEG or WebP"),
    (b"MZ\x90\x00" + b"\x00" * 200, "photo.png", "PNG, JPEG or WebP"),
    (picture("GIF"), "anim.gif", "PNG, JPEG or WebP"),
    (picture("JPEG")[:300], "cut.jpg", "could not be read"),
    (_png_header_only(20000, 20000), "bomb.png", "too large"),  # past Pillow's own limit
    (_png_header_only(5000, 4000), "big.png", "under 16 megapixels"),  # past ours only
    (_png_header_only(1, 40_000_000), "strip.png", "at most 8192 pixels on each side"),
    (_png_header_only(9000, 1000), "wide.png", "at most 8192 pixels on each side"),
    (b"GIF89a" + picture("PNG"), "polyglot.png", "PNG, JPEG or WebP"),
])
def test_bad_avatars_are_refused_and_nothing_is_stored(app, alice_client, data, filename, message):
    """422 with the message by the field; no file, no change."""
    response = upload(alice_client, data, filename)
    assert response.status_code == 422
    parsed = soup(response)
    assert message in parsed.select_one("#avatar-error").get_text()
    assert parsed.select_one("#avatar")["aria-invalid"] == "true"
    assert avatar_files(app) == [] and user_named(app, "alice").avatar is None


def test_huge_headers_are_refused_without_decoding(app, alice_client, monkeypatch):
    """A 1 × 40,000,000 PNG (78 KB, 1.2 GB decoded) is refused from its header alone."""
    from PIL import ImageFile

    def no_decoding(self):
        """Decoding is what must not happen."""
        raise AssertionError("decoded a picture that its header already ruled out")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    for width, height in ((1, 40_000_000), (40_000_000, 1), (9000, 9000)):
        response = upload(alice_client, _png_header_only(width, height), "bomb.png")
        assert response.status_code == 422
        assert "too large" in soup(response).select_one("#avatar-error").get_text()


def test_avatar_decoding_runs_a_few_at_a_time(app, make_client, monkeypatch):
    """Four uploads at once: at most IMAGE_DECODE_CONCURRENCY pictures decode together."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from PIL import ImageFile

    app.config["IMAGE_DECODE_CONCURRENCY"] = 2
    clients = [make_client(f"user{n}") for n in range(4)]
    running, peak, lock = [0], [0], threading.Lock()
    real_load = ImageFile.ImageFile.load

    def counting_load(self):
        """Decode, noting how many decode at once."""
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            threading.Event().wait(0.1)
            return real_load(self)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda c: upload(c, picture("PNG")).status_code, clients))
    assert statuses == [200] * 4
    assert peak[0] == 2


def test_an_oversized_avatar_is_refused_before_decoding(app, alice_client):
    """AVATAR_MAX_BYTES is enforced on the bytes read."""
    app.config["AVATAR_MAX_BYTES"] = 1024 * 1024
    noisy = Image.effect_noise((900, 900), 120).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 * 1024
    response = upload(alice_client, buffer.getvalue())
    assert response.status_code == 422
    assert "at most 1 MB" in soup(response).select_one("#avatar-error").get_text()
    assert avatar_files(app) == []


def test_rename_and_avatar_together_are_one_change(app, alice_client):
    """Both in one POST; both events; the avatar is kept only if the rename succeeds."""
    response = upload(alice_client, picture("PNG"), name="alicia", password=PASSWORD)
    assert response.status_code == 200
    assert {"username-changed", "avatar-changed"} <= set(triggers(response))
    assert "Username changed to alicia. Avatar updated." in response.get_data(as_text=True)
    assert len(avatar_files(app)) == 1 and user_named(app, "alicia").avatar


def test_a_refused_rename_stores_no_avatar_either(app, alice_client, make_client):
    """'Taken' at commit time: the new avatar file is removed, the row unchanged."""
    make_client("bob")
    response = upload(alice_client, picture("PNG"), name="bob", password=PASSWORD)
    assert response.status_code == 422
    assert avatar_files(app) == [] and user_named(app, "alice").avatar is None


@pytest.mark.parametrize("name", ["../secret", "x.webp", "A" * 32 + ".webp", "0" * 32 + ".png",
                                  "0" * 32 + ".webp", "%2e%2e%2fapp.db"])
def test_avatar_urls_accept_only_our_own_names(alice_client, name):
    """Anything but an existing random .webp name is 404."""
    assert alice_client.get(f"/avatars/{name}").status_code == 404


def test_the_nav_marks_the_own_profile_as_current_also_after_a_refresh(alice_client):
    """aria-current="page" on the own profile, kept by the fragment the nav re-fetches."""
    page = soup(alice_client.get("/u/alice"))
    link = page.select_one("#nav-user a")
    assert link["aria-current"] == "page"
    fragment = soup(alice_client.get(page.select_one("#nav-user")["hx-get"], headers=HX))
    assert fragment.select_one("#nav-user a")["aria-current"] == "page"
    other = soup(alice_client.get("/settings/profile")).select_one("#nav-user a")
    assert not other.has_attr("aria-current")
