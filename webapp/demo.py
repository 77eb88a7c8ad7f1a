"""Demo content for a fresh instance (`flask seed-demo`): a few artists with releases made by
the app's own music and cover generators, posts, likes, comments and plays.

Idempotent: every step looks for what it would make first (users by name, generations by
request id, releases by title, posts and comments by text), so a second run changes nothing.
Nothing runs it implicitly.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import logins
from .listening import plays
from .models import Comment, Generation, Media, Post, Release, User
from .publishing import posts, releases
from .social import comments, likes
from .studio import generations, worker

DEMO_PASSWORD = "soundstage demo password"  # noqa: S105 - public: the command prints it
DEMO_PLAYS = (7, 2)  # plays each artist's first and second release starts with
TRACK_SECONDS = 10  # short tracks: the whole seed stays well under a minute


@dataclass(frozen=True)
class DemoRelease:
    """One release an artist makes: its prompt, title, genre and mood."""

    title: str
    prompt: str
    genre: str
    mood: str
    description: str


@dataclass(frozen=True)
class DemoArtist:
    """A demo account, its bio, its releases and the post it writes."""

    username: str
    bio: str
    releases: tuple[DemoRelease, ...]
    post: str


ARTISTS = (
    DemoArtist("demo-aurora", "Slow synths for late trains.", (
        DemoRelease("Night Train", "slow dreamy synth pads at night, rain on the window",
                    "ambient", "calm", "Ten seconds of a train crossing a sleeping city."),
        DemoRelease("Glass Harbour", "bright electronic arpeggios by the sea at dawn",
                    "electronic", "uplifting", "Morning light on the water."),
    ), "New short pieces every week. Headphones recommended."),
    DemoArtist("demo-basil", "Beats from a small kitchen.", (
        DemoRelease("Tea Break", "warm lo-fi piano with soft drums, cosy afternoon",
                    "lo-fi", "relaxed", "For the kettle's whistle."),
        DemoRelease("Corner Shop", "funky hip-hop groove with bass and claps",
                    "hip-hop", "playful", ""),
    ), "Made this one while the soup was on."),
    DemoArtist("demo-cleo", "Jazz chords and bright guitars.", (
        DemoRelease("Blue Hour", "smoky jazz trio, brushed drums, walking bass",
                    "jazz", "melancholic", "A trio for the hour after sunset."),
        DemoRelease("Open Road", "driving rock guitars, big drums, summer",
                    "rock", "energetic", "Windows down."),
    ), "First rock track! Tell me what you think."),
)

# (who, on whose release by title, what they say)
COMMENTS = (
    ("demo-basil", "Night Train", "This is exactly what my commute needed."),
    ("demo-cleo", "Night Train", "Lovely pads. More please!"),
    ("demo-aurora", "Tea Break", "So cosy."),
    ("demo-aurora", "Blue Hour", "That bass line!"),
)


def seed(app: Flask, db: Session, say: Callable[[str], None] = print) -> dict[str, int]:
    """Make whatever demo content is missing; returns how many of each thing it made."""
    made = {"artists": 0, "releases": 0, "posts": 0, "likes": 0, "comments": 0}
    people = {}
    for artist in ARTISTS:
        user, new = _artist(db, artist)
        people[artist.username] = user
        made["artists"] += new
        for number, plan in enumerate(artist.releases):
            if _release(app, db, user, number, plan, say):
                made["releases"] += 1
        made["posts"] += _post(db, user, artist.post)
    made["likes"] += _likes(db, people)
    made["comments"] += _comments(db, people)
    return made


def _artist(db: Session, artist: DemoArtist) -> tuple[User, bool]:
    """The demo account, made (with its bio) if missing; (user, whether it was made)."""
    user = db.scalar(select(User).where(User.username == artist.username))
    if user is not None:
        return user, False
    user, errors = logins.sign_up(db, artist.username, DEMO_PASSWORD)
    if user is None:
        raise RuntimeError(f"could not make {artist.username}: {errors.messages}")
    user.bio = artist.bio
    db.commit()
    return user, True


def _release(
    app: Flask, db: Session, user: User, number: int, plan: DemoRelease, say
) -> bool:
    """The published release, made from a generated track and cover if missing."""
    if db.scalar(select(Release.id).where(Release.user_id == user.id,
                                          Release.title == plan.title)):
        return False
    say(f"Making “{plan.title}” by {user.username}…")
    track = _generated(app, db, user, f"demo-{number}-music", {
        "kind": "music", "prompt": plan.prompt, "genre": plan.genre,
        "duration": str(TRACK_SECONDS), "lyrics": "",
    })
    cover = _generated(app, db, user, f"demo-{number}-image", {
        "kind": "image", "prompt": plan.prompt,
    })
    release, errors = releases.create_release(
        db, user, title=plan.title, music_id=track, image_id=cover, genre=plan.genre,
        mood=plan.mood, description=plan.description,
    )
    if release is None:
        raise RuntimeError(f"could not make {plan.title}: {errors.messages}")
    releases.set_published(db, user, release.id, True)
    for listener in range(DEMO_PLAYS[number % len(DEMO_PLAYS)] + len(plan.title) % 3):
        plays.record_play(db, release.id, f"ademo-{listener}", None)
    return True


def _generated(app: Flask, db: Session, user: User, request_id: str, form: dict) -> int:
    """The media id of a generation run here, in this process (no queue, no worker)."""
    # A name-based UUID: the same demo job has the same request id on every run.
    stable_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"soundstage-demo/{user.username}/{request_id}"))
    result = generations.submit(db, user.id, {**form, "request_id": stable_id},
                                seed=sum(map(ord, request_id + user.username)))
    if result.generation is None:
        raise RuntimeError(f"could not start {request_id}: {result.errors.messages}")
    generation_id = result.generation.id
    media_id = db.scalar(select(Media.id).where(Media.generation_id == generation_id))
    if media_id is None:
        held = generations.claim(db, generation_id)
        if held is None:
            status = db.scalar(select(Generation.status).where(Generation.id == generation_id))
            raise RuntimeError(f"generation {generation_id} is {status}; run seed-demo again")
        media_id = worker.execute_claim(app, db, held)
    if media_id is None:
        raise RuntimeError(f"generation {generation_id} failed; run seed-demo again")
    return media_id


def _post(db: Session, user: User, body: str) -> int:
    """The artist's post (attaching their first release), made if missing."""
    if db.scalar(select(Post.id).where(Post.user_id == user.id, Post.body == body)):
        return 0
    first = db.scalar(select(Release.id).where(Release.user_id == user.id)
                      .order_by(Release.id).limit(1))
    post, errors = posts.create_post(db, user, body, first)
    if post is None:
        raise RuntimeError(f"could not post for {user.username}: {errors.messages}")
    return 1


def _likes(db: Session, people: dict[str, User]) -> int:
    """Every artist likes every other artist's releases (a like twice is one like)."""
    made = 0
    releases = db.execute(select(Release.id, Release.user_id).where(
        Release.user_id.in_([u.id for u in people.values()]), Release.published.is_(True))
    ).all()
    for user in people.values():
        for release_id, owner_id in releases:
            if owner_id != user.id:
                made += likes.set_like(db, user, "release", release_id, True).changed
    return made


def _comments(db: Session, people: dict[str, User]) -> int:
    """The demo comments, each made once."""
    made = 0
    for username, title, body in COMMENTS:
        user = people[username]
        release_id = db.scalar(select(Release.id).where(Release.title == title,
                                                        Release.user_id.in_(
                                                            [u.id for u in people.values()])))
        if release_id is None or db.scalar(select(Comment.id).where(
            Comment.user_id == user.id, Comment.release_id == release_id, Comment.body == body
        )):
            continue
        comment, errors = comments.create(db, user, release_id, body)
        if comment is None:
            raise RuntimeError(f"could not comment: {errors.messages}")
        made += 1
    return made
