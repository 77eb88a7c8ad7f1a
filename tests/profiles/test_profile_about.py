"""Bio, links and banner on both databases: checked, stored in one step, shown live."""

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.factories import user_id_of, user_ref
from tests.helpers import HX, soup
from webapp import db
from webapp.accounts import deletion, exports
from webapp.models import User


def picture(fmt="PNG", size=(2000, 600), **save) -> bytes:
    """An image file in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 30, 160)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def save(client, htmx=False, **form):
    """POST the about form the way the page does."""
    return client.post("/settings/profile/about", data=form, headers=HX if htmx else {},
                       content_type="multipart/form-data")


def user(app, name="alice") -> User:
    """The user row, fresh."""
    with app.app_context():
        return db.session().get(User, user_id_of(app, name))


def banners(app) -> list[Path]:
    """The banner files on disk."""
    folder = Path(app.config["DATA_DIR"]) / "banners"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def alice_client(make_client):
    """Alice, signed in."""
    return make_client("alice")


def test_bio_and_links_show_on_the_profile_with_rel_me_nofollow_noopener(app, alice_client):
    """Saved in one step; the header shows them; the profile version moved (live refresh)."""
    url = f"/fragments/profile-header/{user_ref(app, user(app).id)}"
    header = alice_client.get(url, headers=HX)
    tag = header.headers["HX-PTag"]
    response = save(alice_client, htmx=True, bio="Synths at night.\nDrums by day.",
                    link1="https://example.com/me", link2="", link3="http://music.example.org/")
    assert response.status_code == 200
    assert "profile-changed" in response.headers["HX-Trigger"]
    page = soup(alice_client.get("/u/alice"))
    assert page.select_one(".profile-bio").get_text() == "Synths at night.\nDrums by day."
    links = page.select(".profile-links a")
    assert [a["href"] for a in links] == ["https://example.com/me", "http://music.example.org/"]
    assert all(a["rel"] == ["me", "nofollow", "noopener"] for a in links)
    header_url = f"/fragments/profile-header/{user_ref(app, user(app).id)}"
    fresh = alice_client.get(header_url, headers={**HX, "HX-PTag": tag})
    assert fresh.status_code == 200 and b"Synths at night." in fresh.data


@pytest.mark.parametrize("field, value", [
    ("bio", "x" * 301),
    ("link1", "javascript:alert(1)"),
    ("link1", "ftp://example.com/"),
    ("link2", "example.com"),
    ("link2", "https://"),
    ("link3", "https://user:secret@example.com/"),
    ("link3", "https://exa mple.com/"),
    ("link1", "https://" + "a" * 200 + ".com"),
    ("link1", "http://[::1"),
])
def test_bad_input_gets_a_message_and_changes_nothing(app, alice_client, field, value):
    """422, the message by the field, and the profile as it was."""
    save(alice_client, bio="kept", link1="https://kept.example/")
    before = user(app)
    form = {"bio": "new", "link1": "https://new.example/", field: value}
    for htmx in (True, False):
        response = save(alice_client, htmx=htmx, **form)
        assert response.status_code == 422
        assert f'id="{field}-error"'.encode() in response.data
    after = user(app)
    assert (after.bio, after.links, after.profile_version) == (
        before.bio, before.links, before.profile_version)


def test_a_banner_is_re_encoded_served_replaced_and_removed(app, alice_client):
    """3:1 WebP without metadata under a random name; the old file goes when replaced."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    assert save(alice_client, bio="", banner=(io.BytesIO(picture("JPEG", exif=exif)), "b.jpg")
                ).status_code == 303
    first = user(app).banner
    served = alice_client.get(f"/banners/{first}")
    assert served.headers["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (1500, 500) and b"SecretCam" not in served.data
    assert b"/banners/" in alice_client.get("/u/alice").data
    save(alice_client, bio="", banner=(io.BytesIO(picture()), "c.png"))
    second = user(app).banner
    assert second != first and [p.name for p in banners(app)] == [second]
    assert alice_client.get(f"/banners/{first}").status_code == 404
    save(alice_client, bio="", remove_banner="1")
    assert user(app).banner is None and banners(app) == []


@pytest.mark.parametrize("data, message", [
    (b"not a picture", b"Banner must be a PNG, JPEG or WebP picture."),
    (b"", b"The banner file is empty."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"Banner must be a PNG, JPEG or WebP"),
])
def test_a_bad_banner_is_refused_and_nothing_is_stored(app, alice_client, data, message):
    """The same rules as avatars: only real PNG, JPEG or WebP pictures."""
    response = save(alice_client, bio="changed", banner=(io.BytesIO(data), "b.png"))
    assert response.status_code == 422 and message in response.data
    assert user(app).bio == "" and banners(app) == []


def test_the_banner_and_bio_are_exported_and_deleted_with_the_account(app, alice_client):
    """The export holds the banner; deleting the account removes it."""
    save(alice_client, bio="about me", banner=(io.BytesIO(picture()), "b.png"))
    alice_id = user(app).id
    with app.app_context(), db.standalone_session(app) as session:
        export, _ = exports.start(session, alice_id)
        assert exports.run(session, export.id)
        archive = zipfile.ZipFile(exports.download_path(session, alice_id, export.id))
        assert "profile/banner.webp" in archive.namelist()
        assert b"about me" in archive.read("data/profile.json")
        assert deletion.erase_user(session, alice_id) is not None
    assert banners(app) == []
