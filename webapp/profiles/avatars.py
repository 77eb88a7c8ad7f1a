"""Avatars: check an upload, re-encode it without metadata, store it under a random name."""

import io
import re
import secrets
import warnings
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


class AvatarError(ValueError):
    """An upload that cannot become an avatar; the message is for people."""


def avatar_dir() -> Path:
    """Where avatar files live (DATA_DIR/avatars)."""
    return data_dir() / "avatars"


def max_bytes() -> int:
    """The largest upload accepted (AVATAR_MAX_BYTES)."""
    return settings().avatar_max_bytes


def read_upload(stream, limit: int) -> bytes:
    """Read at most limit + 1 bytes, so an oversized upload is refused without reading it all."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AvatarError(f"Avatar must be at most {limit // (1024 * 1024)} MB.")
    return data


def prepare(data: bytes) -> bytes:
    """Check an uploaded picture and return it re-encoded as a 256×256 WebP without metadata.

    The size is read from the header and checked (each side and in total) before any
    pixel is decoded; decoding itself runs a few at a time, so a burst queues.
    """
    if not data:
        raise AvatarError("The avatar file is empty. Choose a PNG, JPEG or WebP picture.")
    limits = settings()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                _check_size(image.size, limits.avatar_max_side, limits.avatar_max_pixels)
                with slot("images", limits.image_decode_concurrency,
                          limits.image_decode_wait_seconds):
                    picture = _decode_small(image)
    except AvatarError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarError(_too_large(limits.avatar_max_pixels)) from None
    except UnidentifiedImageError:
        raise AvatarError("Avatar must be a PNG, JPEG or WebP picture.") from None
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


def _decode_small(image: Image.Image) -> Image.Image:
    """Decode at a reduced size where the format allows, then crop and scale to the avatar."""
    # JPEG decodes straight to a smaller scale; other formats are reduced right after
    # decoding, so the later steps (rotation, colour conversion) work on a small copy.
    image.draft("RGB", (SIDE * 2, SIDE * 2))
    image.thumbnail((SIDE * 4, SIDE * 4), Image.Resampling.BOX, reducing_gap=None)
    picture = ImageOps.exif_transpose(image)
    picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    return ImageOps.fit(picture, (SIDE, SIDE), Image.Resampling.LANCZOS)


def _too_large(pixel_limit: int) -> str:
    """The message for a picture with too many pixels."""
    return f"That picture is too large. Use one under {pixel_limit // 1_000_000} megapixels."


def _has_alpha(image: Image.Image) -> bool:
    """Whether the picture has transparency worth keeping."""
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def store(encoded: bytes) -> str:
    """Write an encoded avatar under a new random name and return the name."""
    name = f"{secrets.token_hex(16)}.webp"
    write_atomically(avatar_dir() / name, lambda handle: handle.write(encoded))
    return name


def path_of(filename: str) -> Path | None:
    """The file behind an avatar name, or None for anything that is not one of ours."""
    if not FILENAME.fullmatch(filename or ""):
        return None
    path = avatar_dir() / filename
    return path if path.is_file() else None


def remove(filename: str | None) -> None:
    """Delete an avatar file that is no longer used."""
    if filename and FILENAME.fullmatch(filename):
        remove_quietly(avatar_dir() / filename)


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
