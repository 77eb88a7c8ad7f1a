"""Avatars and banners: check an upload, re-encode it without metadata, store it under a
random name. Both follow the same rules; they differ in shape and folder."""

import io
import re
import secrets
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import live
from ..config import settings
from ..db import expire_loaded, finish_transaction
from ..models import User
from ..slots import slot
from ..storage import data_dir, remove_quietly, write_atomically

FORMATS = ["PNG", "JPEG", "WEBP"]
SIDE = 256
FILENAME = re.compile(r"[0-9a-f]{32}\.webp")
MIME_TYPE = "image/webp"


@dataclass(frozen=True)
class Picture:
    """A kind of profile picture: its word for people, its folder and its stored size."""

    label: str
    folder: str
    size: tuple[int, int]


AVATAR = Picture("Avatar", "avatars", (SIDE, SIDE))
BANNER = Picture("Banner", "banners", (1500, 500))


class AvatarError(ValueError):
    """An upload that cannot become a profile picture; the message is for people."""


def avatar_dir(kind: Picture = AVATAR) -> Path:
    """Where a kind of picture lives (DATA_DIR/avatars, DATA_DIR/banners)."""
    return data_dir() / kind.folder


def max_bytes() -> int:
    """The largest upload accepted (AVATAR_MAX_BYTES)."""
    return settings().avatar_max_bytes


def read_upload(stream, limit: int, kind: Picture = AVATAR) -> bytes:
    """Read at most limit + 1 bytes, so an oversized upload is refused without reading it all."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AvatarError(f"{kind.label} must be at most {limit // (1024 * 1024)} MB.")
    return data


def prepare(data: bytes, kind: Picture = AVATAR) -> bytes:
    """Check an uploaded picture and return it re-encoded (cropped to the kind's size) as a
    WebP without metadata.

    The size is read from the header and checked (each side and in total) before any
    pixel is decoded; decoding itself runs a few at a time, so a burst queues.
    """
    if not data:
        raise AvatarError(
            f"The {kind.label.lower()} file is empty. Choose a PNG, JPEG or WebP picture."
        )
    limits = settings()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                _check_size(image.size, limits.avatar_max_side, limits.avatar_max_pixels)
                with slot("images", limits.image_decode_concurrency,
                          limits.image_decode_wait_seconds):
                    picture = _decode_small(image, kind.size)
    except AvatarError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarError(_too_large(limits.avatar_max_pixels)) from None
    except UnidentifiedImageError:
        raise AvatarError(f"{kind.label} must be a PNG, JPEG or WebP picture.") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise AvatarError("That picture could not be read. It may be damaged.") from None
    output = io.BytesIO()
    # A fresh image object carries no EXIF, ICC or text chunks: nothing is copied over.
    picture.save(output, format="WEBP", quality=85, method=4)
    return output.getvalue()


def _check_size(size: tuple[int, int], max_side: int, max_pixels: int) -> None:
    """Refuse a picture whose header promises too many pixels in all or along one side."""
    width, height = size
    if max(width, height) > max_side:
        raise AvatarError(
            f"That picture is too large. Use one at most {max_side} pixels on each side."
        )
    if width < 1 or height < 1 or width * height > max_pixels:
        raise AvatarError(_too_large(max_pixels))


def _decode_small(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Decode at a reduced size where the format allows, then crop and scale to `size`."""
    # JPEG decodes straight to a smaller scale; other formats are reduced right after
    # decoding, so the later steps (rotation, colour conversion) work on a small copy.
    width, height = size
    image.draft("RGB", (width * 2, height * 2))
    image.thumbnail((width * 4, height * 4), Image.Resampling.BOX, reducing_gap=None)
    picture = ImageOps.exif_transpose(image)
    picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    return ImageOps.fit(picture, size, Image.Resampling.LANCZOS)


def _too_large(pixel_limit: int) -> str:
    """The message for a picture with too many pixels."""
    return f"That picture is too large. Use one under {pixel_limit // 1_000_000} megapixels."


def _has_alpha(image: Image.Image) -> bool:
    """Whether the picture has transparency worth keeping."""
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def store(encoded: bytes, kind: Picture = AVATAR) -> str:
    """Write an encoded picture under a new random name and return the name."""
    name = f"{secrets.token_hex(16)}.webp"
    write_atomically(avatar_dir(kind) / name, lambda handle: handle.write(encoded))
    return name


def path_of(filename: str, kind: Picture = AVATAR) -> Path | None:
    """The file behind a picture name, or None for anything that is not one of ours."""
    if not FILENAME.fullmatch(filename or ""):
        return None
    path = avatar_dir(kind) / filename
    return path if path.is_file() else None


def remove(filename: str | None, kind: Picture = AVATAR) -> None:
    """Delete a picture file that is no longer used."""
    if filename and FILENAME.fullmatch(filename):
        remove_quietly(avatar_dir(kind) / filename)


def sweep_orphans(db: Session, *, min_age_seconds: int = 600) -> int:
    """Delete avatar and banner files no account points at (older than `min_age_seconds`,
    so an upload between its file and its commit is spared); returns how many went."""
    finish_transaction(db)
    used = {name for row in db.execute(select(User.avatar, User.banner)) for name in row if name}
    finish_transaction(db)
    cutoff = time.time() - min_age_seconds
    removed = 0
    for kind in (AVATAR, BANNER):
        folder = avatar_dir(kind)
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.name not in used and path.stat().st_mtime < cutoff:
                remove_quietly(path)
                removed += 1
    return removed


def replace_in_transaction(db: Session, user_id: int, filename: str) -> str | None:
    """Point the user at a new avatar inside the caller's transaction; returns the old name.

    The first statement is a write, so the row is locked (PostgreSQL) or the write lock
    held (SQLite) before the old name is read: two uploads cannot both claim it.
    """
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(**live.profile_bump())
        .execution_options(synchronize_session=False)
    )
    old = db.scalar(select(User.avatar).where(User.id == user_id))
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(avatar=filename)
        .execution_options(synchronize_session=False)
    )
    live.avatar_changed(db, user_id, filename)
    return old


def change_avatar(db: Session, user_id: int, filename: str) -> str | None:
    """Commit a new avatar for the user and delete the old file; returns the old name."""
    finish_transaction(db)
    try:
        old = replace_in_transaction(db, user_id, filename)
        db.commit()
    except BaseException:
        db.rollback()
        remove(filename)
        raise
    remove(old)
    expire_loaded(db, User, user_id)
    return old
