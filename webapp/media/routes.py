"""The media blueprint: serves stored files to those allowed to see them."""

import re
import unicodedata

from flask import Blueprint, abort, request, send_file
from flask_login import current_user
from sqlalchemy import or_, select

from .. import db, storage
from ..access import or_404, public
from ..models import Media, Release
from ..visibility import release_public

bp = Blueprint("media", __name__)

PREVIEW_TYPES = {".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg"}
EXTENSIONS = {"audio/mpeg": ".mp3", "image/webp": ".webp", "image/png": ".png",
              "image/jpeg": ".jpg"}


def viewable_media(media_id: int) -> tuple[Media, str | None, bool] | None:
    """The media row, the title of a release publishing it, and whether the visitor owns it.

    None when the visitor may not see it (not the owner, and in no public release).
    """
    session = db.session()
    media = session.get(Media, media_id)
    if media is None:
        return None
    release_title = session.scalar(
        select(Release.title)
        .where(release_public(), or_(Release.music_id == media_id, Release.image_id == media_id))
        .order_by(Release.id)
        .limit(1)
    )
    owner = current_user.is_authenticated and current_user.id == media.user_id
    return (media, release_title, owner) if owner or release_title is not None else None


def download_name(title: str, mime_type: str) -> str:
    """A safe ASCII file name from the title, with the extension of the stored type."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")
    return (stem or "soundstage") + EXTENSIONS.get(mime_type, "")


def _serve(media_id: int, preview: bool):
    """Send the file (Range and conditional requests work), or 404 when not allowed."""
    media, release_title, owner = or_404(viewable_media(media_id))
    relative = media.preview_path if preview else media.file_path
    if not relative:
        abort(404)
    try:
        path = storage.absolute(relative)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    mime_type = PREVIEW_TYPES.get(path.suffix, "application/octet-stream") if preview else (
        media.mime_type
    )
    attachment = request.args.get("download") == "1"
    response = send_file(
        path,
        mimetype=mime_type,
        as_attachment=attachment,
        # Item titles come from the private prompt: others see the release's title.
        download_name=download_name(media.title if owner else release_title, mime_type),
        conditional=True,
        etag=True,
        max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Always revalidate (cheap 304s via ETag): an unpublished file must stop at once, and
    # SQLite may reuse the id of a deleted newest row.
    response.headers["Cache-Control"] = "private, no-cache" if owner else "public, no-cache"
    return response


@bp.get("/media/<int(max=2147483647):media_id>/file")
@public
def file(media_id: int):
    """A media file; @public since published items are open to all: it checks access itself."""
    return _serve(media_id, preview=False)


@bp.get("/media/<int(max=2147483647):media_id>/preview")
@public
def preview(media_id: int):
    """Waveform or thumbnail; @public like `file`: it checks owner-or-published itself, else 404."""
    return _serve(media_id, preview=True)
