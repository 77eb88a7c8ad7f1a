"""Listening: play reports, the oEmbed endpoint, the embeddable player page and the share page."""

import re
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from .. import db, security
from ..access import public
from ..config import settings
from ..publishing import releases
from ..templating import absolute_url, public_origin
from . import plays

bp = Blueprint("listening", __name__)

RELEASE_ID = "<int(max=2147483647):release_id>"
RELEASE_PATH = re.compile(r"^/releases/([0-9]{1,10})(?:-[^/]*)?/?$")
EMBED_WIDTH, EMBED_HEIGHT = 480, 160
THUMBNAIL_SIZE = 512
OEMBED_CACHE_SECONDS = 3600


@bp.post("/plays")
@public
def report_play():
    """Count a play the player reports (after 3 s or 30 % of the track); 204 either way."""
    raw = request.form.get("release_id", "")
    if not (raw.isdecimal() and raw.isascii() and len(raw) <= 10) or int(raw) > 2_147_483_647:
        abort(400)
    release_id = int(raw)
    user_id = current_user.id if current_user.is_authenticated else None
    if user_id is None and "listener" not in session:
        session["listener"] = secrets.token_hex(16)
    secret = current_app.secret_key
    network = plays.network_digest(security.network_of(security.client_address()),
                                   secret.encode() if isinstance(secret, str) else secret)
    listener = plays.listener_key(user_id, session.get("listener"), network,
                                  settings().plays_anonymous_per_network)
    plays.record_play(db.session(), release_id, listener, user_id)
    return "", 204


@bp.get("/oembed")
@public
def oembed():
    """oEmbed 1.0 (JSON) for a release page's URL on this site."""
    if request.args.get("format", "json") != "json":
        abort(501)
    target = urlsplit(request.args.get("url", ""))
    match = RELEASE_PATH.match(target.path)
    if not _our_origin(target) or match is None or int(match.group(1)) > 2_147_483_647:
        abort(404)
    release, author = releases.visible_release(db.session(), int(match.group(1)), None)
    width = _bounded(request.args.get("maxwidth"), EMBED_WIDTH)
    height = _bounded(request.args.get("maxheight"), EMBED_HEIGHT)
    embed_url = absolute_url(url_for(".embed", release_id=release.id))
    frame = render_template(
        "listening/oembed_frame.html", src=embed_url, width=width, height=height,
        title=f"{release.title} by {author.username}",
    )
    return jsonify({
        "version": "1.0",
        "type": "rich",
        "title": release.title,
        "author_name": author.username,
        "author_url": absolute_url(url_for("profiles.public_profile", username=author.username)),
        "provider_name": "Soundstage",
        "provider_url": absolute_url(url_for("main.index")),
        "cache_age": OEMBED_CACHE_SECONDS,
        "thumbnail_url": absolute_url(url_for("media.file", media_id=release.image_id)),
        "thumbnail_width": THUMBNAIL_SIZE,
        "thumbnail_height": THUMBNAIL_SIZE,
        "html": frame.strip(),
        "width": width,
        "height": height,
    })


def _our_origin(target) -> bool:
    """Whether a URL is on this site's public origin (its scheme may be http or https)."""
    ours = urlsplit(public_origin())
    return target.scheme in ("http", "https") and target.netloc.lower() == ours.netloc.lower()


def _bounded(raw: str | None, default: int) -> int:
    """A maxwidth/maxheight request: the default, or less when the consumer asks for less."""
    if raw and raw.isdecimal() and len(raw) <= 5:
        return max(1, min(default, int(raw)))
    return default


@bp.get(f"/embed/{RELEASE_ID}")
@public
def embed(release_id: int):
    """A small player for other sites' frames: the only page they may frame."""
    release, author = releases.visible_release(db.session(), release_id, None)
    page = render_template("listening/embed.html", release=release, author=author)
    return security.allow_framing(make_response(page))


@bp.get(f"/share/{RELEASE_ID}")
@public
def share(release_id: int):
    """The share page (Share without JavaScript): the release's link and its embed code."""
    release, author = releases.visible_release(db.session(), release_id, None)
    embed_url = absolute_url(url_for(".embed", release_id=release.id))
    frame = render_template(
        "listening/oembed_frame.html", src=embed_url, width=EMBED_WIDTH, height=EMBED_HEIGHT,
        title=f"{release.title} by {author.username}",
    )
    return render_template(
        "listening/share.html", release=release, author=author, frame=frame.strip(),
        embed_url=embed_url,
    )
