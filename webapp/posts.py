"""Posts and the public feeds: /explore, its fragment, and each user's feed fragment."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from . import db, htmx, publishing
from .access import private, public
from .forms import parse_page, safe_next
from .models import User

bp = Blueprint("posts", __name__)


@bp.app_context_processor
def post_helpers() -> dict:
    """Template helpers for the feed and the post form, on every page."""
    return {"feed_tag": viewer_feed_tag, "post_form_releases": post_form_releases}


def viewer_feed_tag(feed: publishing.Feed) -> str:
    """The version tag of a feed as the current viewer sees it."""
    viewer = current_user.id if current_user.is_authenticated else None
    return publishing.feed_tag(feed, viewer)


def post_form_releases():
    """The signed-in user's published releases, for "Attach release"."""
    return publishing.user_releases(db.session(), current_user.id, published_only=True)


def _page() -> int:
    """The ?page= argument of a feed."""
    return parse_page(request.args.get("page"), publishing.MAX_PAGE)


def _feed_response(feed: publishing.Feed):
    """The feed fragment, or 304 when the region already shows this version."""
    return htmx.vary(htmx.versioned_fragment(
        viewer_feed_tag(feed), lambda: render_template("partials/feed.html", feed=feed)
    ))


@bp.get("/explore")
@public
def explore():
    """Everyone's published releases and posts, newest first, with the post form."""
    feed = publishing.explore_feed(db.session(), _page())
    return render_template("posts/explore.html", feed=feed)


@bp.get("/explore/feed")
@public
def explore_feed():
    """The explore feed fragment (a plain visit goes to the page)."""
    if not htmx.is_partial():
        return htmx.vary(redirect(url_for("posts.explore", page=_page()), 303))
    return _feed_response(publishing.explore_feed(db.session(), _page()))


@bp.get("/feeds/user/<int(max=2147483647):user_id>")
@public
def user_feed(user_id: int):
    """One user's feed fragment (a plain visit goes to their profile, by current name)."""
    username = db.session().scalar(select(User.username).where(User.id == user_id))
    if username is None:
        abort(404)
    if not htmx.is_partial():
        profile = url_for("profiles.public_profile", username=username, page=_page())
        return htmx.vary(redirect(profile, 303))
    return _feed_response(publishing.profile_feed(db.session(), user_id, _page()))


@bp.get("/posts/form")
@private
def form():
    """The post form fragment; 304 while the user's published releases are unchanged."""
    next_page = safe_next(request.args.get("next"), url_for("posts.explore"))
    return htmx.versioned_fragment(
        str(current_user.profile_version),
        lambda: render_template("partials/post_form.html", post_next=next_page),
    )


@bp.post("/posts")
@private
def create():
    """Publish a post; attaching someone else's release is a 404 and stores nothing."""
    next_page = safe_next(request.form.get("next"), url_for("posts.explore"))
    values = {name: request.form.get(name, "") for name in ("body", "release_id")}
    post, errors = publishing.create_post(
        db.session(), current_user, values["body"], values["release_id"] or None
    )
    context = {"post_errors": errors, "post_values": values, "post_next": next_page}
    if errors:
        if htmx.is_partial():
            return render_template("partials/post_form.html", **context), 422
        feed = publishing.explore_feed(db.session(), 1)
        return render_template("posts/explore.html", feed=feed, **context), 422
    message = "Post published."
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(next_page, 303)
    response = make_response(render_template("partials/post_form.html", post_next=next_page))
    htmx.trigger(response, publishing.POST_CREATED, {"id": post.id})
    return htmx.announce(response, message)


@bp.post("/posts/<int(max=2147483647):post_id>/delete")
@private
def delete(post_id: int):
    """Delete one of your posts; someone else's is a 404."""
    publishing.delete_post(db.session(), current_user, post_id)
    message = "Post deleted."
    if not htmx.is_partial():
        flash(message, "success")
        return redirect(safe_next(request.form.get("next"), url_for("posts.explore")), 303)
    response = make_response("")
    htmx.trigger(response, publishing.POST_DELETED, {"id": post_id})
    return htmx.announce(response, message)
