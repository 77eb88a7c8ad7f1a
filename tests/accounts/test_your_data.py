"""Your data on both databases: deleting an account leaves nothing of it, an export holds
everything the person owns and nothing of anyone else's, and a job running meanwhile
leaves nothing behind."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text

from tests.factories import make_media, make_release, submit_job, user_id_of
from tests.helpers import HX
from webapp import db, events, jobs
from webapp.accounts import deletion, exports
from webapp.db import Base
from webapp.models import LoginThrottle, Media, User, UsernameChange, utcnow
from webapp.publishing import posts
from webapp.social import comments, follows, likes, notifications
from webapp.studio import generations, worker

PASSWORD = "correct horse battery"
# Tables whose user rows an export leaves out on purpose: the exports themselves.
NOT_EXPORTED = {"data_exports"}
SECTION_OF = {
    "users": "profile", "media": "media", "generations": "generations",
    "releases": "releases", "posts": "posts", "username_changes": "username_history",
    "user_sessions": "sessions", "likes": "likes", "comments": "comments",
    "notification_mutes": "notification_mutes",
}


def picture(size=(300, 200)) -> bytes:
    """A PNG in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def files_under(app) -> set[Path]:
    """Every stored file but the job queue's database."""
    root = Path(app.config["DATA_DIR"])
    return {p for p in root.rglob("*") if p.is_file() and not p.name.startswith("jobs.sqlite3")}


def fill_account(app, client, name: str, *, release_title: str, post: str) -> dict:
    """A signed-up user with two tracks of one title, a cover, a published release, a post
    attaching it, an avatar, a rename and a failed log-in; returns their ids."""
    assert client.post("/signup", data={"username": name, "password": PASSWORD}).status_code == 303
    user_id = user_id_of(app, name)
    track = make_media(app, user_id, "music", f"{name} same title", duration=10)
    twin = make_media(app, user_id, "music", f"{name} same title", duration=10, seed=9)
    cover = make_media(app, user_id, "image", f"{name} cover art")
    release = make_release(app, user_id, track, cover, published=True, title=release_title)
    with app.app_context():
        session = db.session()
        row, errors = posts.create_post(session, session.get(User, user_id), post, release)
        assert not errors
    response = client.post(
        "/settings/profile",
        data={"username": f"{name}2", "current_password": PASSWORD,
              "avatar": (io.BytesIO(picture()), "me.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    client.post("/login", data={"username": f"{name}2", "password": "wrong password!"})
    return {"user": user_id, "media": [track, twin, cover], "release": release, "post": row.id,
            "name": f"{name}2"}


def owned_rows(app, user_id: int) -> dict[str, set]:
    """Primary keys of every row that is the user's or refers, through any chain of foreign
    keys, to one of theirs (found from the metadata, so new tables are covered)."""
    found: dict[str, set] = {"users": {(user_id,)}}
    with app.app_context():
        session = db.session()
        changed = True
        while changed:
            changed = False
            for table in Base.metadata.sorted_tables:
                keys = [c.name for c in table.primary_key.columns]
                for fk in table.foreign_keys:
                    parents = found.get(fk.column.table.name)
                    if not parents or len(fk.column.table.primary_key.columns) != 1:
                        continue
                    values = [p[0] for p in parents]
                    query = select(*[table.c[k] for k in keys]).where(fk.parent.in_(values))
                    rows = {tuple(r) for r in session.execute(query)}
                    if not rows <= found.get(table.name, set()):
                        found.setdefault(table.name, set()).update(rows)
                        changed = True
        session.rollback()
    return found


def references_to(app, user_id: int) -> list[str]:
    """Every row of any table still naming the user by a users foreign key or user_id."""
    left = []
    with app.app_context():
        session = db.session()
        for table in Base.metadata.sorted_tables:
            columns = {fk.parent for fk in table.foreign_keys if fk.column.table.name == "users"}
            columns |= {c for c in table.columns if c.name == "user_id"}
            if table.name == "users":
                columns.add(table.c.id)
            for column in columns:
                count = session.scalar(
                    select(text("count(*)")).select_from(table).where(column == user_id)
                )
                if count:
                    left.append(f"{table.name}.{column.name}: {count}")
        session.rollback()
    return left


@pytest.fixture
def two_accounts(app, make_client):
    """Alice and Bob, each with a full account; (alice's client, alice, bob)."""
    app.config["JOBS_MAX_PER_HOUR"] = 100
    alice_client, bob_client = make_client(), make_client()
    alice = fill_account(app, alice_client, "alice", release_title="Alice Anthem",
                         post="alice was here")
    bob = fill_account(app, bob_client, "bob", release_title="Bob Ballad", post="bob was here")
    with app.app_context():
        session = db.session()
        fan = session.get(User, alice["user"])
        likes.set_like(session, fan, "release", bob["release"], True)
        comment, errors = comments.create(session, fan, bob["release"], "alice likes this")
        assert comment is not None and not errors
        follows.set_follow(session, fan, bob["user"], True)
        notifications.set_muted(session, alice["user"], ["follow"])
    return alice_client, alice, bob


def test_deleting_an_account_leaves_no_row_and_no_file_of_it(app, two_accounts, make_client):
    """Every row (found through the foreign keys) and file of Alice goes; Bob's stay."""
    client, alice, bob = two_accounts
    client.post("/settings/account/export")
    assert jobs.run_pending(app) == 1
    other_browser = make_client()
    other_browser.post("/login", data={"username": alice["name"], "password": PASSWORD})
    owned = owned_rows(app, alice["user"])
    assert {"users", "media", "generations", "releases", "posts", "username_changes",
            "user_sessions", "data_exports"} <= set(owned)
    bob_before = owned_rows(app, bob["user"])
    alice_files = files_under(app)
    stream = events.subscribe(app, alice["user"])
    listener = app.extensions.get("event_listener")
    if listener is not None:
        assert listener.ready.wait(60)

    response = client.post("/settings/account/delete",
                           data={"delete_password": PASSWORD, "confirm_username": alice["name"]})

    assert response.status_code == 303
    assert response.headers["Location"] == "/settings/account/deleted"
    # Disabled at once; the rows go in batches in the background job.
    assert client.get(f"/u/{alice['name']}").status_code == 404
    assert jobs.run_pending(app) == 1
    assert references_to(app, alice["user"]) == []
    after = owned_rows(app, alice["user"])
    assert after == {"users": {(alice["user"],)}}  # only the seed of the search is left
    with app.app_context():
        session = db.session()
        for table, keys in owned.items():
            pk = Base.metadata.tables[table].primary_key.columns
            still = session.execute(select(*pk)).all()
            assert not keys & {tuple(r) for r in still}, table
        assert session.scalar(select(LoginThrottle).where(
            LoginThrottle.username_key == alice["name"])) is None
        assert session.scalar(select(UsernameChange.id).where(
            UsernameChange.new_username == alice["name"])) is None
    # Bob keeps everything but what Alice made about his work (her like, comment, follow and
    # the notifications they caused), which goes with her account.
    bob_kept = {table: keys - owned.get(table, set()) for table, keys in bob_before.items()}
    assert owned_rows(app, bob["user"]) == {table: keys for table, keys in bob_kept.items() if keys}
    remaining = files_under(app)
    with app.app_context():
        bob_media = db.session().scalars(select(Media).where(Media.user_id == bob["user"])).all()
        bob_user = db.session().get(User, bob["user"])
    bob_files = {Path(app.config["DATA_DIR"]) / "media" / m.file_path for m in bob_media}
    bob_files |= {Path(app.config["DATA_DIR"]) / "media" / m.preview_path for m in bob_media}
    bob_files.add(Path(app.config["DATA_DIR"]) / "avatars" / bob_user.avatar)
    assert remaining == bob_files
    assert alice_files - remaining  # Alice's files existed and went
    # Every session ended, every stream closed.
    assert client.get("/settings/account").status_code == 303
    assert other_browser.get("/library").status_code == 303
    message = stream.get(timeout=60)
    assert message.final and message.name == "account-deleted"
    assert events.bus_of(app).count() == 0


def test_the_name_is_free_at_once_and_its_old_names_lead_nowhere(app, two_accounts, make_client):
    """Like a renamed-away name: anyone may take it; old-name redirects are gone."""
    client, alice, _ = two_accounts
    assert client.get("/u/alice").status_code == 301
    client.post("/settings/account/delete",
                data={"delete_password": PASSWORD, "confirm_username": alice["name"].upper()})
    assert client.get(f"/u/{alice['name']}").status_code == 404
    assert client.get("/u/alice").status_code == 404
    make_client(alice["name"])
    assert client.get(f"/u/{alice['name']}").status_code == 200


@pytest.mark.parametrize("form, field", [
    ({"delete_password": "wrong password!", "confirm_username": "alice"}, "delete-password"),
    ({"delete_password": "", "confirm_username": "alice"}, "delete-password"),
    ({"delete_password": PASSWORD, "confirm_username": "alice2"}, "confirm-username"),
    ({"delete_password": PASSWORD}, "confirm-username"),
])
@pytest.mark.parametrize("htmx", [True, False])
def test_a_wrong_confirmation_deletes_nothing(app, make_client, form, field, htmx):
    """A wrong password or name: 422 with the message by the field, every row kept."""
    client = make_client("alice")
    alice = user_id_of(app, "alice")
    before = owned_rows(app, alice)
    response = client.post("/settings/account/delete", data=form, headers=HX if htmx else {})
    assert response.status_code == 422
    assert f'id="{field}-error"'.encode() in response.data
    assert (b"<html" in response.data) is not htmx
    assert owned_rows(app, alice) == before


def test_deleting_during_a_running_generation_leaves_nothing(app, two_accounts, monkeypatch):
    """The account goes while a track renders: the worker notices and keeps no file."""
    _, alice, _ = two_accounts
    app.config["JOBS_PROGRESS_SECONDS"] = 0
    job = submit_job(app, alice["user"], "music", "deleted while rendering", duration=10)
    real = generations.report_progress
    seen = []

    def delete_then_report(session, held, progress, **kwargs):
        """The owner deletes their account while the job reports progress."""
        if not seen:
            seen.append(progress)
            with app.app_context(), db.standalone_session(app) as other:
                assert deletion.erase_user(other, alice["user"]) is not None
        return real(session, held, progress, **kwargs)

    monkeypatch.setattr(generations, "report_progress", delete_then_report)
    assert worker.run_generation(app, job) is None
    assert seen
    assert references_to(app, alice["user"]) == []
    leftovers = [p.name for p in files_under(app) if p.name.startswith(f"gen-{job}")]
    assert leftovers == []
    assert [p for p in files_under(app) if p.name.startswith(".tmp-")] == []


def test_deleting_just_before_completion_leaves_nothing(app, two_accounts):
    """The account goes after the render, before the result is recorded: files removed."""
    _, alice, _ = two_accounts
    job = submit_job(app, alice["user"], "image", "deleted before completion")
    with app.app_context(), db.standalone_session(app) as session:
        held = generations.claim(session, job)
        output = worker.render(held)
        assert any(p.name.startswith(f"gen-{job}") for p in files_under(app))
        assert deletion.erase_user(session, alice["user"]) is not None
        assert generations.complete(session, held, output) is None
    assert [p for p in files_under(app) if p.name.startswith(f"gen-{job}")] == []
    assert references_to(app, alice["user"]) == []


def test_deleting_during_an_export_leaves_nothing(app, two_accounts, monkeypatch):
    """The account goes while its export is being written: no ZIP, no temp file."""
    client, alice, _ = two_accounts
    client.post("/settings/account/export")
    real = exports.write_zip

    def delete_midway(handle, contents, progress):
        """Delete the account once the ZIP has begun."""
        with app.app_context(), db.standalone_session(app) as other:
            deletion.erase_user(other, alice["user"])
        real(handle, contents, progress)

    monkeypatch.setattr(exports, "write_zip", delete_midway)
    assert jobs.run_pending(app) == 1
    assert not (Path(app.config["DATA_DIR"]) / "exports").exists() or not any(
        (Path(app.config["DATA_DIR"]) / "exports").iterdir())
    assert references_to(app, alice["user"]) == []


def exported(app, client) -> zipfile.ZipFile:
    """Start an export, run the queue, download the ZIP."""
    response = client.post("/settings/account/export")
    assert response.status_code == 303
    assert jobs.run_pending(app) == 1
    page = client.get("/settings/account").get_data(as_text=True)
    assert "Download your data (ZIP)" in page
    with app.app_context():
        export_id = exports.latest(db.session(), user_id_of(app, "alice2")).id
    download = client.get(f"/settings/account/export/{export_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert "no-store" in download.headers["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(download.data))


def test_an_export_holds_every_file_and_row_of_the_owner_and_nothing_else(app, two_accounts):
    """Files by title (de-duplicated), byte for byte; each owned table's rows, exactly."""
    client, alice, bob = two_accounts
    archive = exported(app, client)
    names = set(archive.namelist())
    with app.app_context():
        session = db.session()
        media = session.scalars(select(Media).where(Media.user_id == alice["user"])).all()
        avatar = session.get(User, alice["user"]).avatar
    assert {"media/Alice same title.mp3", "media/Alice same title (2).mp3",
            "media/Alice cover art.webp", "profile/avatar.webp"} <= names
    stored = [Path(app.config["DATA_DIR"]) / "media" / m.file_path for m in media]
    stored += [Path(app.config["DATA_DIR"]) / "media" / m.preview_path for m in media]
    stored.append(Path(app.config["DATA_DIR"]) / "avatars" / avatar)
    files = [n for n in names if not n.startswith("data/")]
    assert sorted(archive.read(n) for n in files) == sorted(p.read_bytes() for p in stored)
    owned = owned_rows(app, alice["user"])
    user_tables = [t for t in Base.metadata.sorted_tables
                   if "user_id" in t.c or t.name == "users"]
    for table in user_tables:
        if table.name in NOT_EXPORTED:
            continue
        assert table.name in SECTION_OF, f"{table.name} is not exported"
        rows = json.loads(archive.read(f"data/{SECTION_OF[table.name]}.json"))
        expected = {(alice["user"],)} if table.name == "users" else _owned_directly(
            app, table, alice["user"])
        assert expected and expected <= owned[table.name]
        assert len(rows) == len(expected), table.name
        if table.name != "user_sessions":  # session ids are credentials: left out
            keys = [c.name for c in table.primary_key.columns]
            assert {tuple(row[k] for k in keys) for row in rows} == expected, table.name
    everything = b"".join(archive.read(n) for n in names)
    for foreign in (b"bob", b"Bob Ballad", b"password_hash", b"argon2", b"lease_token"):
        assert foreign not in everything
    profile = json.loads(archive.read("data/profile.json"))[0]
    assert profile["username"] == alice["name"]
    history = json.loads(archive.read("data/username_history.json"))
    assert [(h["old_username"], h["new_username"]) for h in history] == [("alice", "alice2")]


def _owned_directly(app, table, user_id: int) -> set:
    """Primary keys of a table's rows whose user_id is the user's."""
    with app.app_context():
        session = db.session()
        keys = [c for c in table.primary_key.columns]
        rows = {tuple(r) for r in session.execute(select(*keys).where(table.c.user_id == user_id))}
        session.rollback()
    return rows


def test_only_the_owner_downloads_an_export_and_only_for_24_hours(app, two_accounts,
                                                                   make_client):
    """Another user gets 404; after EXPORT_KEEP the file is deleted and the link is gone."""
    client, alice, _ = two_accounts
    exported(app, client)
    with app.app_context():
        export = exports.latest(db.session(), alice["user"])
    url = f"/settings/account/export/{export.id}/download"
    assert make_client("mallory").get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 303)
    with app.app_context(), db.standalone_session(app) as session:
        assert exports.expire(session, now=export.expires_at) == 1
    assert client.get(url).status_code == 404
    assert not any((Path(app.config["DATA_DIR"]) / "exports").iterdir())


def test_the_export_card_follows_progress_and_refreshes_by_link_without_javascript(
        app, two_accounts):
    """Queued: progress bar, a plain link, a conditional poll; done: a download link."""
    client, _, _ = two_accounts
    answer = client.post("/settings/account/export", headers=HX)
    assert answer.status_code == 200
    assert "export-progressed" in answer.headers["HX-Trigger"]
    page = client.get("/settings/account").get_data(as_text=True)
    assert 'aria-label="Export progress"' in page
    assert "Check progress of your export" in page and "<noscript>" in page
    card = client.get("/settings/account/export", headers=HX)
    tag = card.headers["HX-PTag"]
    assert client.get("/settings/account/export",
                      headers={**HX, "HX-PTag": tag}).status_code == 304
    again = client.post("/settings/account/export", headers=HX)
    assert again.status_code == 409 and b"already being prepared" in again.data
    jobs.run_pending(app)
    done = client.get("/settings/account/export", headers={**HX, "HX-PTag": tag})
    assert done.status_code == 200 and b"Download your data (ZIP)" in done.data
    assert "ready to download" in done.headers["HX-Trigger"]


def test_final_events_close_every_stream_of_the_user_only():
    """The bus hands a final message to the user's streams and forgets them; others stay."""
    bus = events.Bus()
    alice, bob = bus.subscribe(1), bus.subscribe(2)
    for _ in range(300):
        bus.deliver(events.Message(1, "library-changed", {}, events.next_id()))
    bus.deliver(events.Message(1, "account-deleted", {}, events.next_id(), final=True))
    assert alice.get_nowait().final and alice.empty()
    assert bus.count() == 1 and bob.empty()


def test_support_commands_export_and_delete_a_user_by_name(app, make_client, tmp_path):
    """export-user writes the ZIP (copied where asked); delete-user needs --yes or a yes."""
    make_client("carol")
    carol = user_id_of(app, "carol")
    make_media(app, carol, "image", "carol's cover")
    runner = app.test_cli_runner()
    target = tmp_path / "carol.zip"
    result = runner.invoke(args=["export-user", "CAROL", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "media/Carol's cover.webp" in zipfile.ZipFile(target).namelist()
    assert runner.invoke(args=["export-user", "nobody"]).exit_code == 1
    refused = runner.invoke(args=["delete-user", "carol"], input="n\n")
    assert refused.exit_code == 1 and user_id_of(app, "carol") == carol
    result = runner.invoke(args=["delete-user", "carol", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted carol: 3 files" in result.output
    assert references_to(app, carol) == []
    assert [p for p in files_under(app)] == []


def test_a_second_export_while_one_runs_is_refused_without_javascript_too(app, make_client):
    """The plain form gets the whole page with the message, 409, and no second export."""
    client = make_client("dave")
    client.post("/settings/account/export")
    response = client.post("/settings/account/export")
    assert response.status_code == 409 and b"already being prepared" in response.data
    assert b"<html" in response.data
    assert jobs.run_pending(app) == 1


def test_a_stuck_export_fails_and_a_new_one_can_start(app, make_client):
    """A claimed export that stops moving for EXPORT_STALE is failed and its file swept."""
    client = make_client("erin")
    erin = user_id_of(app, "erin")
    client.post("/settings/account/export")
    with app.app_context(), db.standalone_session(app) as session:
        assert exports.expire(session) == 0
        export = exports.latest(session, erin)
        assert exports._claim(session, export.id) is not None
        folder = exports.exports_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".tmp-half-written.zip").write_bytes(b"PK")
        later = utcnow() + app.config["EXPORT_STALE"]
        assert exports.expire(session, now=later) == 1
        assert exports.latest(session, erin).status == "failed"
        assert exports.sweep_orphans(session, min_age_seconds=0) == 1
    assert b"Your export stopped before it finished." in client.get("/settings/account").data
    assert client.post("/settings/account/export").status_code == 303
