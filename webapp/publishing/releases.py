"""Releases: creating, editing, publishing and deleting them, and reading one; plain functions
over a Session (authors are joined from `users`, so a rename shows everywhere at once)."""

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import live, ratelimits
from ..config import settings
from ..errors import NotFound
from ..forms import FormErrors, clean_text
from ..generators import music as music_vocabulary
from ..models import Generation, Media, Release, User, utcnow
from ..visibility import media_public, release_public, release_visible

TITLE_MAX = 120
TAG_MAX = 40
DESCRIPTION_MAX = 1000
CHOICES_LIMIT = 200
EDIT_FIELDS = ("title", "genre", "mood", "description")
GENRES = music_vocabulary.GENRES  # the studio's list: a release is tagged in the same words
MOODS = ("calm", "dark", "dreamy", "energetic", "happy", "melancholic", "playful", "relaxed",
         "romantic", "uplifting")
OTHER = "other"  # the select's "Other…": the free text field beside it names the value


def create_release(
    db: Session,
    user: User,
    *,
    title,
    music_id,
    image_id,
    genre,
    mood,
    description,
    client: str | None = None,
) -> tuple[Release | None, FormErrors]:
    """Pair one of the user's tracks with one of their covers; commits on success.

    Someone else's (or a missing) media id raises NotFound and stores nothing; too many
    releases from the account or the `client` address raise Throttled.
    """
    errors = FormErrors()
    form = {
        "title": title or "",
        "genre": genre or "",
        "mood": mood or "",
        "description": description or "",
    }
    clean_title = clean_text(form, "title", "Title", errors, min_length=1, max_length=TITLE_MAX)
    clean_genre = clean_text(form, "genre", "Genre", errors, min_length=1, max_length=TAG_MAX)
    clean_mood = clean_text(form, "mood", "Mood", errors, min_length=1, max_length=TAG_MAX)
    clean_description = clean_text(
        form, "description", "Description", errors, max_length=DESCRIPTION_MAX, multiline=True
    )
    music = _own_media(db, user, music_id, "music_id", "track", errors)
    image = _own_media(db, user, image_id, "image_id", "cover", errors)
    if music is not None and music.kind != "music":
        errors.add("music_id", "That item is a cover, not a track. Choose one of your tracks.")
    if image is not None and image.kind != "image":
        errors.add("image_id", "That item is a track, not a cover. Choose one of your covers.")
    if errors:
        return None, errors
    limits = settings()
    ratelimits.charge(db, "releases", user.id, client, limits.limit_releases_per_account,
                      limits.limit_releases_per_client, "You have made many releases just now.")
    release = Release(
        user_id=user.id,
        music_id=music.id,
        image_id=image.id,
        title=clean_title,
        genre=normalise_tag(clean_genre, GENRES),
        mood=normalise_tag(clean_mood, MOODS),
        description=clean_description,
        published=False,
    )
    db.add(release)
    db.flush()
    live.release_created(db, user.id, release.id)
    db.commit()
    return release, errors


def _own_media(db: Session, user: User, raw, field: str, noun: str, errors: FormErrors):
    """The user's media item named by a form value; another user's id is a 404."""
    media_id = _parse_id(raw)
    if media_id is None:
        errors.add(field, f"Choose a {noun}." if raw in (None, "") else f"Choose a valid {noun}.")
        return None
    media = db.scalar(select(Media).where(Media.id == media_id, Media.user_id == user.id))
    if media is None:
        raise NotFound()
    return media


def _parse_id(raw) -> int | None:
    """A positive database id from an int or a string of digits, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdecimal() and raw.strip().isascii():
        value = int(raw.strip()) if len(raw.strip()) <= 10 else 0
    else:
        return None
    return value if 0 < value <= 2_147_483_647 else None


def own_release(db: Session, user: User, release_id: int) -> Release:
    """One of the user's releases (media joined), or NotFound."""
    release = db.scalar(
        select(Release).where(Release.id == release_id, Release.user_id == user.id)
    )
    if release is None:
        raise NotFound()
    return release


def set_published(
    db: Session, user: User, release_id: int, published: bool
) -> tuple[Release, bool]:
    """Publish or unpublish one of the user's releases; commits and says whether it changed."""
    release = own_release(db, user, release_id)
    if release.published == published:
        return release, False
    release.published = published
    if published:
        release.published_at = utcnow()
    # The library shows the state (and its button); the profile and explore show the release.
    live.release_published(db, user.id, release.id, published)
    db.commit()
    return release, True


def delete_release(db: Session, user: User, release_id: int) -> None:
    """Delete one of the user's releases; posts that attached it keep their text."""
    release = own_release(db, user, release_id)
    was_published = release.published
    db.delete(release)
    db.flush()
    live.release_deleted(db, user.id, release_id, was_published)
    db.commit()


def visible_release(db: Session, release_id: int, viewer_id: int | None) -> tuple[Release, User]:
    """A release the viewer may see (`visibility.release_visible`) with its author; else
    NotFound. Without a viewer (embed, oEmbed), only public releases."""
    row = db.execute(
        select(Release, User).join(User, User.id == Release.user_id).where(
            Release.id == release_id, release_visible(viewer_id), User.deleted_at.is_(None),
        )
    ).unique().first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def lyrics_of(db: Session, release: Release) -> str:
    """The lyrics the release's track was generated from ("" when none)."""
    if release.music.generation_id is None:
        return ""
    params = db.scalar(
        select(Generation.params).where(Generation.id == release.music.generation_id)
    )
    return str((params or {}).get("lyrics") or "")


def other_releases(db: Session, release: Release) -> list[Release]:
    """The author's other published releases, newest first (one statement)."""
    return list(db.scalars(
        select(Release)
        .where(
            Release.user_id == release.user_id,
            release_public(),
            Release.id != release.id,
        )
        .order_by(Release.id.desc())
        .limit(settings().other_releases_limit)
    ).unique())


def showcase(db: Session, order: str, limit: int = 6) -> list[tuple[Release, User]]:
    """Published releases with their authors for the front page: "latest" or "most_played"."""
    ordering = {
        "latest": (Release.published_at.desc(), Release.id.desc()),
        "most_played": (Release.play_count.desc(), Release.id.desc()),
    }[order]
    rows = db.execute(
        select(Release, User).join(User, User.id == Release.user_id)
        .where(Release.published.is_(True), Release.hidden.is_(False))
        .order_by(*ordering).limit(limit)
    ).unique()
    return [(release, author) for release, author in rows]


def tag_from_form(form, name: str) -> str:
    """A genre or mood from its select, or from its "Other…" text when that was chosen."""
    choice = form.get(name, "")
    return form.get(f"{name}_other", "") if choice == OTHER else choice


def normalise_tag(value: str, vocabulary: tuple[str, ...]) -> str:
    """One spelling per tag: lower case, single spaces, and the vocabulary's own spelling
    when only case, spaces or hyphens differ ("Lo-fi", "lo fi", "LOFI" are "lo-fi")."""
    value = " ".join(value.split()).lower()
    compact = re.sub(r"[\s_-]+", "", value)
    for known in vocabulary:
        if re.sub(r"[\s_-]+", "", known) == compact:
            return known
    return value


def release_tag(release: Release, author: User) -> str:
    """The version of everything a release page's details show."""
    parts = (release.title, release.genre, release.mood, release.description,
             release.play_count, release.published, author.username)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def edit_release(
    db: Session, user: User, release_id: int, values: dict
) -> tuple[Release, FormErrors]:
    """Change one of the user's releases' title, genre, mood and description; commits
    when the form is valid (the library, profile and open pages follow)."""
    release = own_release(db, user, release_id)
    errors = FormErrors()
    form = {name: values.get(name) or "" for name in EDIT_FIELDS}
    title = clean_text(form, "title", "Title", errors, min_length=1, max_length=TITLE_MAX)
    genre = clean_text(form, "genre", "Genre", errors, min_length=1, max_length=TAG_MAX)
    mood = clean_text(form, "mood", "Mood", errors, min_length=1, max_length=TAG_MAX)
    description = clean_text(
        form, "description", "Description", errors, max_length=DESCRIPTION_MAX, multiline=True
    )
    if errors:
        return release, errors
    genre, mood = normalise_tag(genre, GENRES), normalise_tag(mood, MOODS)
    release.title, release.genre, release.mood = title, genre, mood
    release.description = description
    live.release_changed(db, user.id, release.id)
    db.commit()
    return release, errors


def media_is_public(db: Session, media_id: int) -> bool:
    """Whether the media item is part of a published release (readable by anyone)."""
    return bool(db.scalar(select(media_public(media_id))))


def user_releases(db: Session, user_id: int, *, published_only: bool = False) -> list[Release]:
    """The user's releases, newest first, media joined (one statement)."""
    query = select(Release).where(Release.user_id == user_id)
    if published_only:
        query = query.where(Release.published.is_(True))
    return list(db.scalars(query.order_by(Release.id.desc()).limit(CHOICES_LIMIT)).unique())


def release_choices(db: Session, user_id: int) -> tuple[list[Media], list[Media]]:
    """The user's tracks and covers, newest first, for the release form (one statement)."""
    rows = db.scalars(
        select(Media)
        .where(Media.user_id == user_id, Media.kind.in_(("music", "image")))
        .order_by(Media.id.desc())
        .limit(CHOICES_LIMIT * 2)
    ).all()
    return [m for m in rows if m.kind == "music"], [m for m in rows if m.kind == "image"]


def release_form_context(db: Session, user_id: int) -> dict:
    """What the release form shows: the user's tracks and covers."""
    return {"release_choices": release_choices(db, user_id)}
