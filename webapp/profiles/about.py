"""The "about" part of a profile: a short bio, up to three links and a banner picture."""

from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import live
from ..db import expire_loaded, finish_transaction
from ..forms import (
    FormErrors,
    clean_text,
    has_control_characters,
    has_invisible_characters,
    without_invisible_characters,
)
from ..models import User
from . import avatars

BIO_MAX = 300
LINKS_MAX = 3
LINK_MAX_LENGTH = 200
LINK_FIELDS = tuple(f"link{number}" for number in range(1, LINKS_MAX + 1))


@dataclass
class AboutResult:
    """What saving the bio, links and banner came to."""

    errors: FormErrors = field(default_factory=FormErrors)
    bio: str = ""
    links: list[str] = field(default_factory=list)


def link_error(link: str) -> str | None:
    """Why `link` cannot be shown on a profile, or None when it can (http and https only)."""
    if len(link) > LINK_MAX_LENGTH:
        return f"A link must be at most {LINK_MAX_LENGTH} characters."
    if has_control_characters(link) or any(ch.isspace() for ch in link) or "\\" in link:
        return "A link cannot contain spaces or control characters."
    if has_invisible_characters(link):
        # A right-to-left override would show the label reversed ("moc.elpmaxe").
        return "A link cannot contain invisible or text-direction characters."
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return "Enter a full web address, like https://example.com."
    if parts.scheme.lower() not in ("http", "https") or not host:
        return "Enter a full web address starting with https:// or http://."
    if parts.username is not None or parts.password is not None:
        return "A link cannot contain a user name or password."
    return None


def read_form(form) -> AboutResult:
    """The bio and links of a submitted form, each checked, with any problems."""
    result = AboutResult()
    result.bio = clean_text(form, "bio", "Bio", result.errors, max_length=BIO_MAX, multiline=True)
    for name in LINK_FIELDS:
        link = form.get(name, "").strip()
        if not link:
            continue
        if message := link_error(link):
            result.errors.add(name, message)
        else:
            result.links.append(link)
    return result


def save_about(
    db: Session, user_id: int, form, banner_upload: BinaryIO | None, remove_banner: bool
) -> AboutResult:
    """Check the form and store bio, links and banner in one transaction, or change nothing."""
    result = read_form(form)
    encoded = None
    if banner_upload is not None:
        try:
            data = avatars.read_upload(banner_upload, avatars.max_bytes(), avatars.BANNER)
            encoded = avatars.prepare(data, avatars.BANNER)
        except avatars.AvatarError as error:
            result.errors.add("banner", str(error))
    if result.errors:
        return result
    filename = avatars.store(encoded, avatars.BANNER) if encoded is not None else None
    values: dict = {"bio": result.bio, "links": result.links}
    if filename is not None or remove_banner:
        values["banner"] = filename
    finish_transaction(db)
    try:
        # The counter moves first: the row is locked before the old banner is read.
        live.profile_changed(db, user_id)
        old = db.scalar(select(User.banner).where(User.id == user_id))
        db.execute(
            update(User).where(User.id == user_id).values(**values)
            .execution_options(synchronize_session=False)
        )
        db.commit()
    except BaseException:
        db.rollback()
        avatars.remove(filename, avatars.BANNER)
        raise
    if "banner" in values and old != filename:
        avatars.remove(old, avatars.BANNER)
    expire_loaded(db, User, user_id)
    return result


def link_label(link: str) -> str:
    """A link as people read it: without the scheme, a trailing slash or any direction
    control a link saved before they were refused may hold."""
    return without_invisible_characters(link.split("://", 1)[-1].rstrip("/"))
