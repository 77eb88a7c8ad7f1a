"""The studio over HTTP on both databases: the form, submits, job cards, media files."""

import json
import re

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_media, submit_job, user_id_of
from tests.helpers import HX, soup
from webapp import db, jobs
from webapp.generators import music
from webapp.models import Base, Generation, Media, Release
from webapp.studio import generations


@pytest.fixture
def alice_id(client, auth) -> int:
    """Alice, signed in on `client`."""
    assert auth.signup("alice").status_code == 303
    return user_id_of(client.application, "alice")


def fresh_form(client) -> dict:
    """The studio form's fields as the page renders them (with its request id)."""
    page = soup(client.get("/studio"))
    request_id = page.find("input", attrs={"name": "request_id"})["value"]
    return {"kind": "music", "prompt": "a calm piano night", "genre": "lo-fi",
            "duration": "10", "lyrics": "", "request_id": request_id}


def generation_count(app) -> int:
    """Rows in generations."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.scalar(select(func.count()).select_from(Generation))


def test_the_studio_page_has_the_contract_fields(client, alice_id):
    """Prompt, the Music / Cover art choice, Genre, Duration, Lyrics, Generate, Recent jobs."""
    response = client.get("/studio")
    assert response.status_code == 200
    page = soup(response)
    labels = {label.get_text(" ", strip=True) for label in page.find_all("label")}
    assert {"Prompt", "Music", "Cover art", "Genre", "Duration (seconds)"} <= labels
    assert any(label.startswith("Lyrics") for label in labels)
    assert page.find("legend").get_text(strip=True) == "What to make"
    assert [o["value"] for o in page.select("#genre option")] == list(music.GENRES)
    assert page.find("textarea", id="lyrics")["maxlength"] == "2000"
    assert page.find(id="generate-button").get_text(strip=True) == "Generate"
    assert page.find("h2", string="Recent jobs")
    assert page.find(id="job-list").find(class_="empty-state")
    # Every rendered form carries its own request id.
    assert fresh_form(client)["request_id"] != fresh_form(client)["request_id"]


def test_the_studio_needs_a_login(client):
    """Anonymous visitors go to the log-in page."""
    response = client.get("/studio")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_an_htmx_submit_answers_with_a_fresh_form_and_the_new_card(client, alice_id):
    """Main swap: the form (new request id); partial: the job list with the queued card."""
    form = fresh_form(client)
    response = client.post("/generations", data=form, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<form id="studio-form"')
    page = soup(response)
    assert page.find("input", attrs={"name": "request_id"})["value"] != form["request_id"]
    assert page.find("textarea", id="prompt").get_text() == ""
    partial = page.find("hx-partial")
    assert partial["hx-target"] == "#job-list"
    card = partial.find("article", id=re.compile(r"^job-\d+$"))
    assert card.find("progress")["value"] == "0"
    assert "Waiting to start" in card.get_text()
    assert "every 2s" in card["hx-trigger"]
    assert "generation-progressed from:document" in card["hx-trigger"]
    assert "status-announced" in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]
    assert generation_count(client.application) == 1


def test_a_plain_submit_redirects_back_with_a_message(client, alice_id):
    """JavaScript off: 303 to the studio, a flash, and the card on the page."""
    response = client.post("/generations", data=fresh_form(client))
    assert response.status_code == 303
    assert re.search(r"/studio#job-\d+$", response.headers["Location"])
    page = client.get("/studio")
    assert "is on its way" in page.get_data(as_text=True)
    assert soup(page).find("article", class_="job-card").find("noscript")


def test_a_double_submit_makes_one_job(client, alice_id):
    """The same request id twice: one row, and the second answer is not an error."""
    form = fresh_form(client)
    first = client.post("/generations", data=form, headers=HX)
    second = client.post("/generations", data=form, headers=HX)
    assert first.status_code == second.status_code == 200
    assert generation_count(client.application) == 1
    assert "already sent" in second.headers["HX-Trigger"]
    assert len(soup(second).select("#job-list article")) == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_invalid_input_is_refused_inline_and_nothing_is_stored(client, alice_id, htmx):
    """422 with the form (htmx) or the page (no JS), messages next to the fields."""
    form = fresh_form(client) | {"prompt": "hi", "duration": "600", "genre": "polka"}
    response = client.post("/generations", data=form, headers=HX if htmx else {})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert ("<html" in body) is not htmx
    page = soup(response)
    assert "at least 3" in page.find(id="prompt-error").get_text()
    assert page.find(id="prompt")["aria-invalid"] == "true"
    assert page.find(id="prompt").has_attr("autofocus")
    assert "between 10 and 60" in page.find(id="duration-error").get_text()
    assert page.find(id="genre-error")
    assert page.find("input", attrs={"name": "request_id"})["value"] == form["request_id"]
    assert generation_count(client.application) == 0


def test_the_fourth_unfinished_job_is_refused_with_a_message(client, alice_id):
    """429 with the reason in the form; still three rows."""
    for _ in range(3):
        assert client.post("/generations", data=fresh_form(client), headers=HX).status_code == 200
    refused = client.post("/generations", data=fresh_form(client), headers=HX)
    assert refused.status_code == 429
    assert "3 jobs in progress" in soup(refused).find(id="studio-form-error").get_text()
    assert generation_count(client.application) == 3
    page = client.post("/generations", data=fresh_form(client))
    assert page.status_code == 429 and b"<html" in page.data


def test_a_running_card_polls_and_a_finished_card_stops(client, alice_id):
    """Only queued/running cards carry triggers; the done card has the player and waveform."""
    app = client.application
    client.post("/generations", data=fresh_form(client), headers=HX)
    job = _only_job(app)
    running = client.get(f"/generations/{job}/card", headers=HX)
    assert running.status_code == 200
    card = soup(running).find("article")
    assert card["id"] == f"job-{job}" and card["hx-swap"] == "outerMorph"
    assert card["hx-get"] == f"/generations/{job}/card"
    assert "resync from:document" in card["hx-trigger"]
    assert b"<html" not in running.data
    jobs.run_pending(app)
    tag = running.headers["HX-PTag"]
    done = client.get(f"/generations/{job}/card", headers={**HX, "HX-PTag": tag})
    card = soup(done).find("article")
    assert not card.has_attr("hx-trigger") and not card.has_attr("hx-get")
    assert card.find("progress")["value"] == "100"
    audio = card.find("audio")
    assert audio.has_attr("controls") and audio["preload"] == "none"
    media_id = _only_media(app)
    assert audio["src"] == f"/media/{media_id}/file"
    assert card.find("img", class_="waveform")["src"] == f"/media/{media_id}/preview"
    announced = json.loads(done.headers["HX-Trigger"])["status-announced"]["message"]
    assert announced == "“A calm piano night” is ready."


def test_finishing_is_announced_only_to_a_page_that_showed_the_job_unfinished(client, alice_id):
    """htmx polls come only from unfinished cards; a plain GET or a done tag says nothing."""
    app = client.application
    media_id = make_media(app, alice_id, "music", "a finished song")
    url = f"/generations/{_job_of(app, media_id)}/card"
    assert "HX-Trigger" in client.get(url, headers=HX).headers
    assert "HX-Trigger" not in client.get(url).headers
    stale_done = {**HX, "HX-PTag": f"{_job_of(app, media_id)}-done-100-0"}
    assert "HX-Trigger" not in client.get(url, headers=stale_done).headers


def test_an_unchanged_card_answers_304(client, alice_id):
    """The card's version tag comes back: nothing to swap."""
    client.post("/generations", data=fresh_form(client), headers=HX)
    job = _only_job(client.application)
    first = client.get(f"/generations/{job}/card", headers=HX)
    tag = first.headers["HX-PTag"]
    again = client.get(f"/generations/{job}/card", headers={**HX, "HX-PTag": tag})
    assert again.status_code == 304 and again.data == b""
    listing = client.get("/studio/jobs", headers=HX)
    assert listing.status_code == 200 and soup(listing).find(id="job-list")
    unchanged = client.get("/studio/jobs", headers={**HX, "HX-PTag": listing.headers["HX-PTag"]})
    assert unchanged.status_code == 304


def test_cover_and_failed_cards(client, alice_id):
    """A cover links its thumbnail to the full size; a failed job says why, in words."""
    app = client.application
    media_id = make_media(app, alice_id, "image", "neon city at dusk")
    card = soup(client.get(f"/generations/{_job_of(app, media_id)}/card", headers=HX))
    link = card.find("a", href=f"/media/{media_id}/file")
    assert link.find("img")["src"] == f"/media/{media_id}/preview"
    assert "full-size cover" in link.find("img")["alt"]
    failed = submit_job(app, alice_id)
    with app.app_context(), db.standalone_session(app) as session:
        session.execute(
            Generation.__table__.update().where(Generation.id == failed)
            .values(status="failed", error=generations.RENDER_FAILED["music"])
        )
        session.commit()
    text_ = soup(client.get(f"/generations/{failed}/card", headers=HX)).get_text()
    assert "We could not make this track" in text_


def test_someone_elses_card_and_files_are_not_found(client, alice_id, make_client):
    """Another user's card, file and preview: 404, like a missing one."""
    app = client.application
    media_id = make_media(app, alice_id, "music", "private tune")
    job = _job_of(app, media_id)
    mallory = make_client("mallory")
    for url in (f"/generations/{job}/card", f"/media/{media_id}/file",
                f"/media/{media_id}/preview", "/generations/999999/card",
                "/media/2147483647/file", "/media/2147483648/file"):
        assert mallory.get(url, headers=HX).status_code == 404, url
    anonymous = app.test_client()
    assert anonymous.get(f"/media/{media_id}/file").status_code == 404
    assert client.get(f"/media/{media_id}/file").status_code == 200


def test_the_owner_gets_files_with_fixed_types_ranges_and_private_caching(client, alice_id):
    """Content-Type from the row, nosniff, Range → 206, private cache, safe download name."""
    app = client.application
    track = make_media(app, alice_id, "music", "Rain on glass: a story/café")
    full = client.get(f"/media/{track}/file")
    assert full.status_code == 200
    assert full.headers["Content-Type"] == "audio/mpeg"
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert full.headers["Cache-Control"].startswith("private")
    assert full.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"/media/{track}/file", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.data) == 100
    assert part.data == full.data[100:200]
    again = client.get(f"/media/{track}/file", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304
    download = client.get(f"/media/{track}/file?download=1")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename=Rain-on-glass-a-story-cafe.mp3" in disposition
    assert client.get(f"/media/{track}/preview").headers["Content-Type"] == "image/png"
    cover_id = make_media(app, alice_id, "image", "neon")
    assert client.get(f"/media/{cover_id}/preview").headers["Content-Type"] == "image/webp"


def test_published_media_is_open_to_everyone_and_publicly_cacheable(client, alice_id):
    """A published release's track and cover: anyone may fetch them; unpublished: 404."""
    app = client.application
    track = make_media(app, alice_id, "music", "open air")
    art = make_media(app, alice_id, "image", "open sky")
    with app.app_context(), db.standalone_session(app) as session:
        release = Release(user_id=alice_id, music_id=track, image_id=art, title="Open",
                          published=False)
        session.add(release)
        session.commit()
        release_id = release.id
    anonymous = app.test_client()
    assert anonymous.get(f"/media/{track}/file").status_code == 404
    with app.app_context(), db.standalone_session(app) as session:
        session.get(Release, release_id).published = True
        session.commit()
    for media_id in (track, art):
        response = anonymous.get(f"/media/{media_id}/file")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert anonymous.get(f"/media/{media_id}/preview").status_code == 200


def test_others_download_published_files_under_the_release_title_not_the_prompt(client, alice_id):
    """The item title comes from the private prompt: a visitor's download name must not."""
    app = client.application
    track = make_media(app, alice_id, "music", "my secret diary entry about bob")
    art = make_media(app, alice_id, "image", "private cover words")
    with app.app_context(), db.standalone_session(app) as session:
        session.add(Release(user_id=alice_id, music_id=track, image_id=art, title="Night Drive",
                            published=True))
        session.commit()
    visitor = app.test_client().get(f"/media/{track}/file?download=1")
    assert "filename=Night-Drive.mp3" in visitor.headers["Content-Disposition"]
    assert "secret" not in visitor.headers["Content-Disposition"]
    own = client.get(f"/media/{track}/file?download=1").headers["Content-Disposition"]
    assert "My-secret-diary" in own


def test_an_unsatisfiable_range_gets_416_with_content_range(client, alice_id):
    """A range past the end: 416 and `Content-Range: bytes */<size>` (RFC 9110 15.5.17)."""
    track = make_media(client.application, alice_id, "music", "short one")
    size = len(client.get(f"/media/{track}/file").data)
    response = client.get(f"/media/{track}/file", headers={"Range": f"bytes={size + 10}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_get_requests_never_change_the_database(client, alice_id, make_client):
    """Studio page, cards, list, files and previews: the tables are the same afterwards."""
    app = client.application
    media_id = make_media(app, alice_id, "music", "quiet")
    client.post("/generations", data=fresh_form(client), headers=HX)
    job = _job_of(app, media_id)
    mallory = make_client("mallory")
    before = _snapshot(app)
    urls = ["/studio", f"/generations/{job}/card", "/studio/jobs", f"/media/{media_id}/file",
            f"/media/{media_id}/preview", f"/media/{media_id}/file?download=1"]
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.get(url, headers=HX).status_code == 200, url
    assert mallory.get(f"/media/{media_id}/file").status_code == 404
    assert _snapshot(app) == before


def _snapshot(app) -> dict:
    """Every row of the tables this feature touches (sessions excepted: they are auth's)."""
    with app.app_context(), db.standalone_session(app) as session:
        return {
            table: session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            for table in ("users", "generations", "media", "releases")
            if table in Base.metadata.tables
        }


def _only_job(app) -> int:
    """The id of the single generation."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.scalar(select(Generation.id))


def _only_media(app) -> int:
    """The id of the single media row."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.scalar(select(Media.id))


def _job_of(app, media_id: int) -> int:
    """The generation behind a media item."""
    with app.app_context(), db.standalone_session(app) as session:
        return session.get(Media, media_id).generation_id


def test_a_finished_track_offers_a_variation_and_an_extension(client, alice_id, make_client):
    """The done card has both buttons; each queues a linked job; others' tracks are 404."""
    app = client.application
    media_id = make_media(app, alice_id, "music", "celtic jig", genre="pop", duration=50)
    job = _job_of(app, media_id)
    card = soup(client.get(f"/generations/{job}/card", headers=HX))
    actions = {f["action"] for f in card.find_all("form")}
    assert actions == {f"/generations/{job}/variation", f"/generations/{job}/extend"}
    assert make_client("mallory").post(f"/generations/{job}/variation").status_code == 404
    before = generation_count(app)
    made = client.post(f"/generations/{job}/variation")
    assert made.status_code == 303 and "/studio#job-" in made.headers["Location"]
    longer = client.post(f"/generations/{job}/extend", headers=HX)
    assert longer.status_code == 204 and "/studio#job-" in longer.headers["HX-Redirect"]
    assert generation_count(app) == before + 2
    with app.app_context(), db.standalone_session(app) as session:
        jobs = session.scalars(select(Generation).where(Generation.id != job)).all()
        steps = sorted(j.params["steps"][0][0] for j in jobs)
        assert steps == ["extend", "vary"] and {j.params["source_id"] for j in jobs} == {job}
        extension = next(j for j in jobs if j.params["steps"][0][0] == "extend")
        assert extension.params["steps"][0][1] == 10  # capped at the 60 s limit
    assert client.post("/generations/999999/extend").status_code == 404
