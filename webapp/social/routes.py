"""Social: likes, follows, blocks, comments, notifications, search."""

import re

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import db, htmx, live
from ..access import or_404, private, public
from ..forms import form_id, parse_page, safe_next
from ..models import User
from ..names import release_url, username_key
from . import blocks, comments, follows, likes, notifications, search, subjects
from .cards import CardStats, card_stats

bp = Blueprint("social", __name__)

ID = "int(max=2147483647)"


def _flag(name: str, *, required: bool = True) -> bool | None:
    """A form's "1" or "0"; anything else is a bad request that changes nothing (or None,
    for a domain function that checks what it names first)."""
    value = request.form.get(name, "")
    if value in ("0", "1"):
        return value == "1"
    if required:
        raise likes.bad_flag(name)
    return None


def _form_id(name: str) -> int:
    """A database id from the form; anything else is refused and changes nothing."""
    return form_id(request.form, name)


def _next(default: str) -> str:
    """Where a plain form returns to: its `next` field when it is a same-site path."""
    return safe_next(request.form.get("next"), default)


def _viewer_id() -> int | None:
    """The signed-in user's id, or None."""
    return current_user.id if current_user.is_authenticated else None


def _user(user_id: int) -> User:
    """A user by id, or 404."""
    return or_404(db.session().get(User, user_id))


def _user_named(username: str) -> User:
    """A user by current name (any case), or 404."""
    return or_404(
        db.session().scalar(select(User).where(User.username_key == username_key(username)))
    )


# ---------------------------------------------------------------- likes


@bp.post(f"/likes/release/<{ID}:release_id>")
@private
def like_release(release_id: int):
    """Like ("1") or unlike ("0") a published release."""
    return _like("release", release_id)


@bp.post(f"/likes/post/<{ID}:post_id>")
@private
def like_post(post_id: int):
    """Like ("1") or unlike ("0") a post."""
    return _like("post", post_id)


def _like(kind: str, subject_id: int):
    """Set the like; a second identical click changes nothing. Answers the like button."""
    state = likes.set_like(db.session(), current_user, kind, subject_id,
                           _flag("liked", required=False))
    liked = state.liked
    stats = CardStats()
    if kind == "release":
        stats.release_likes[subject_id] = state.count
        (stats.liked_releases.add if liked else stats.liked_releases.discard)(subject_id)
    else:
        stats.post_likes[subject_id] = state.count
        (stats.liked_posts.add if liked else stats.liked_posts.discard)(subject_id)
    noun = "release" if kind == "release" else "post"
    message = f"You like this {noun}." if liked else f"You no longer like this {noun}."
    card_id = request.form.get("card", "")
    return htmx.form_done(
        message,
        _next(url_for("publishing.explore")),
        lambda: render_template(
            "social/partials/like_button.html", like_kind=kind, like_id=subject_id,
            like_card_id=card_id, card_stats=stats,
        ),
        [(live.LIKE_CHANGED, {"kind": kind, "id": subject_id, "count": state.count})],
    )


CARD_ID = re.compile(r"[a-z][a-z0-9-]{0,63}")


@bp.get(f"/fragments/card-social/<any(release, post):kind>/<{ID}:subject_id>")
@public
def card_social(kind: str, subject_id: int):
    """One card's like button and comments link; 304 while its counts are the same."""
    card_id = request.args.get("card", "")
    if not CARD_ID.fullmatch(card_id):
        abort(400, description="The card named nothing valid. Reload the page and try again.")
    session = db.session()
    subject = subjects.visible(session, kind, subject_id)
    releases, posts = ([subject_id], []) if kind == "release" else ([], [subject_id])
    stats = card_stats(session, _viewer_id(), releases, posts)
    return htmx.versioned_fragment(
        stats.tag(kind, subject_id),
        lambda: render_template(
            "social/partials/card_social.html", like_kind=kind, like_id=subject_id,
            like_card_id=card_id, card_stats=stats, card_social_live=True,
            comments_href=_comments_href(kind, subject, card_id),
        ),
    )


def _comments_href(kind: str, subject, card_id: str) -> str | None:
    """Where a live card's comments link leads: the thread on the page, or the release's."""
    if kind != "release":
        return None
    on_its_page = card_id == "release-page"
    return "#comment-thread" if on_its_page else release_url(subject) + "#comment-thread"


def _page() -> int:
    """The ?page= argument."""
    return parse_page(request.args.get("page"), 100_000)


# ---------------------------------------------------------------- follows and blocks


@bp.get(f"/fragments/follow-box/<{ID}:user_id>")
@public
def follow_box(user_id: int):
    """A profile's follower and following counts with the viewer's buttons; 304 when unchanged."""
    box = follows.follow_box(db.session(), _viewer_id(), _user(user_id))
    return htmx.versioned_fragment(
        box.version, lambda: render_template("social/partials/follow_box.html", box=box)
    )


def _follow_box_answer(person: User, error: str, message: str):
    """After a follow or block: the updated box (or the refusal in it); without JS, the profile."""
    back = _next(url_for("profiles.public_profile", username=person.username))

    def box(follow_error: str = "") -> str:
        """The box as the signed-in person now sees it (read only when htmx wants it)."""
        state = follows.follow_box(db.session(), current_user.id, person)
        return render_template(
            "social/partials/follow_box.html", box=state, follow_error=follow_error
        )

    if error:
        return htmx.form_refused(error, back, lambda: box(error))
    return htmx.form_done(
        message, back, box,
        [(live.FOLLOW_CHANGED, {"follower": current_user.id, "followed": person.id})],
    )


@bp.post(f"/follows/<{ID}:user_id>")
@private
def follow(user_id: int):
    """Follow ("1") or unfollow ("0") someone."""
    following = _flag("following")
    person, error = follows.set_follow(db.session(), current_user, user_id, following)
    return _follow_box_answer(
        person, error,
        f"You follow {person.username}." if following
        else f"You no longer follow {person.username}.",
    )


@bp.post(f"/blocks/<{ID}:user_id>")
@private
def block(user_id: int):
    """Block ("1") or unblock ("0") someone: their comments disappear for you, follows end."""
    blocking = _flag("blocked")
    person, error = blocks.set_block(db.session(), current_user, user_id, blocking)
    return _follow_box_answer(
        person, error,
        f"You blocked {person.username}: you no longer see their comments, "
        "and neither of you follows the other." if blocking
        else f"You unblocked {person.username}.",
    )


@bp.get("/follows/<username>/followers", defaults={"which": "followers"})
@bp.get("/follows/<username>/following", defaults={"which": "following"})
@public
def people(username: str, which: str):
    """A person's followers, or the people they follow."""
    user = _user_named(username)
    found = follows.people(db.session(), user, which, _page())
    return render_template("social/people.html", people=found)


# ---------------------------------------------------------------- comments


def _thread_page(release_id: int) -> int | None:
    """The ?page= of a thread; none means its last page (the newest comments)."""
    if "page" not in request.args:
        return None
    return parse_page(request.args.get("page"), comments.MAX_PAGE)


@bp.get(f"/comments/release/<{ID}:release_id>")
@public
def release_comments(release_id: int):
    """A release (with its like button) and its comment thread."""
    session = db.session()
    thread = comments.thread(session, _viewer_id(), release_id, _thread_page(release_id))
    stats = card_stats(session, _viewer_id(), [release_id], [])
    return render_template("social/comments.html", thread=thread, card_stats=stats)


@bp.get(f"/comments/release/<{ID}:release_id>/thread")
@public
@htmx.fragment_of(lambda release_id: url_for(".release_comments", release_id=release_id))
def comment_thread(release_id: int):
    """The thread fragment; 304 while it shows the same comments."""
    thread = comments.thread(db.session(), _viewer_id(), release_id, _thread_page(release_id))
    return htmx.versioned_fragment(
        thread.version,
        lambda: render_template("social/partials/comment_thread.html", thread=thread),
    )


@bp.post(f"/comments/release/<{ID}:release_id>")
@private
def post_comment(release_id: int):
    """Post a comment: up to 1,000 characters, line breaks kept, a limit per hour."""
    session = db.session()
    body = request.form.get("body", "")
    comment, errors = comments.create(session, current_user, release_id, body)
    if errors:
        thread = comments.thread(session, current_user.id, release_id)
        context = {"thread": thread, "comment_errors": errors, "comment_body": body}
        response = htmx.form_errors(
            lambda: render_template("social/partials/comment_thread.html", **context),
            lambda: render_template("social/comments.html", **context),
            429 if comments.rate_limited(errors) else 422,
        )
        return htmx.announce(response, next(iter(errors.messages.values())))
    thread = comments.thread(session, current_user.id, release_id)
    return htmx.form_done(
        "Comment posted.",
        release_url(thread.release) + f"#comment-{comment.id}",
        lambda: render_template("social/partials/comment_thread.html", thread=thread),
        [(live.COMMENT_CREATED, {"release": release_id, "id": comment.id})],
    )


@bp.post(f"/comments/<{ID}:comment_id>/delete")
@private
def delete_comment(comment_id: int):
    """Delete a comment (its author or the release's owner; anyone else gets a 404)."""
    session = db.session()
    comment = comments.delete(session, current_user, comment_id)
    thread = comments.thread(session, current_user.id, comment.release_id)
    return htmx.form_done(
        "Comment deleted.",
        release_url(thread.release) + "#comment-thread",
        lambda: render_template("social/partials/comment_thread.html", thread=thread),
        [(live.COMMENT_DELETED, {"release": comment.release_id, "id": comment.id})],
    )


# ---------------------------------------------------------------- notifications


@bp.get("/notifications")
@private
def notifications_page():
    """Your notifications, newest first (reading changes nothing: "Mark all read" does)."""
    found = notifications.page_of(db.session(), current_user.id, _page())
    return render_template("social/notifications.html", notes=found)


@bp.get("/notifications/list")
@private
@htmx.fragment_of(lambda: url_for(".notifications_page", page=_page()))
def notification_list():
    """The list fragment; 304 while nothing is new."""
    found = notifications.page_of(db.session(), current_user.id, _page())
    return htmx.versioned_fragment(
        found.version,
        lambda: render_template("social/partials/notification_list.html", notes=found),
    )


@bp.post("/notifications/read")
@private
def mark_notifications_read():
    """Mark all your notifications read (a POST: a link from elsewhere cannot do it)."""
    session = db.session()
    notifications.mark_read(session, current_user.id)
    page = parse_page(request.form.get("page"), 100_000)
    found = notifications.page_of(session, current_user.id, page)
    return htmx.form_done(
        "All notifications are marked read.",
        url_for(".notifications_page", page=page),
        lambda: render_template("social/partials/notification_list.html", notes=found),
        [(live.NOTIFICATIONS_CHANGED, {"unread": 0})],
    )


@bp.get("/fragments/nav-notifications")
@private
def nav_notifications():
    """The nav's Notifications link with the unread count; 304 when the count is the same."""
    return htmx.versioned_fragment(
        f"n{current_user.unread_notifications}",
        lambda: render_template("social/partials/nav_notifications.html"),
    )


@bp.get("/notifications/settings")
@private
def notification_settings():
    """Choose which kinds of notification to mute."""
    muted = notifications.muted_kinds(db.session(), current_user.id)
    return render_template("social/notification_settings.html", muted=muted)


@bp.post("/notifications/settings")
@private
def save_notification_settings():
    """Save the muted kinds (boxes left unticked are muted)."""
    wanted = set(request.form.getlist("kind"))
    muted = notifications.set_muted(
        db.session(), current_user.id, set(notifications.KINDS) - wanted
    )
    return htmx.form_done(
        "Notification settings saved.", url_for(".notification_settings"),
        lambda: render_template("social/partials/notification_settings_form.html", muted=muted),
    )


# ---------------------------------------------------------------- search


def _search() -> search.Results:
    """Run the search the query string asks for."""
    args = request.args
    return search.search(db.session(), args.get("q", ""), args.get("genre", ""),
                         args.get("mood", ""), parse_page(args.get("page"), search.MAX_PAGE))


@bp.get("/search")
@public
def search_page():
    """Search releases and people, with genre and mood filters (works without JavaScript)."""
    results = _search()
    genres, moods = search.choices(db.session())
    return render_template("social/search.html", results=results, genres=genres, moods=moods)


@bp.get("/search/results")
@public
@htmx.fragment_of(lambda: url_for(".search_page", **request.args))
def search_results():
    """The results fragment, fetched as you type (a plain visit goes to the page)."""
    return render_template("social/partials/search_results.html", results=_search())
