"""The library, the domain: one page of a tab, its version tag, new-item counts, deletion.

Every read takes a Session and the owner's id and filters on it, so another user's
item is never found. A grid page costs the same number of SQL statements whatever
the size of the library (a count, the page, the releases using it, the generations under way).
"""

import re
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy import Row, case, delete, func, or_, select
from sqlalchemy.orm import Session

from .. import forms, live, storage
from ..models import Generation, Media, Release
from ..studio import generations

TABS = ("music", "images", "releases")
TAB_LABELS = {"music": "Music", "images": "Images", "releases": "Releases"}
TAB_KINDS = {"music": "music", "images": "image"}
KIND_TABS = {kind: tab for tab, kind in TAB_KINDS.items()}
DEFAULT_PAGE_SIZE = 24
MAX_PAGE = 1_000_000
CARD_COLUMNS = (Media.id, Media.kind, Media.title, Media.prompt, Media.duration, Media.size,
                Media.created_at, Media.details["lyrics"].as_string().label("lyrics"))
_TAG = re.compile(r"v([0-9]{1,10})-(music|images|releases)-([0-9]{1,7})-([0-9]{1,10})")


@dataclass(frozen=True)
class Tag:
    """What a grid shows, as a version tag: view version, tab, page, newest id shown."""

    version: int
    tab: str
    page: int
    newest: int

    def __str__(self) -> str:
        """The tag as the page carries it (hx-ptag)."""
        return f"v{self.version}-{self.tab}-{self.page}-{self.newest}"

    def same_view(self, version: int, tab: str, page: int) -> bool:
        """Whether this tag describes the given version of the same tab and page."""
        return (self.version, self.tab, self.page) == (version, tab, page)


def parse_tag(raw: str | None) -> Tag | None:
    """Read a tag sent back by a page; anything malformed counts as no tag."""
    match = _TAG.fullmatch(raw or "")
    if match is None:
        return None
    version, tab, page, newest = match.groups()
    return Tag(int(version), tab, int(page), int(newest))


def parse_tab(raw: str | None) -> str:
    """The tab asked for, or Music when it is missing or unknown."""
    return raw if raw in TABS else "music"


@dataclass
class GridPage:
    """One page of one tab of a user's library, and the tag that names it."""

    tab: str
    page: int
    pages: int
    total: int
    newest: int
    version: int
    new_items: int = 0
    items: list[Row] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    generations: list[Generation] = field(default_factory=list)
    used_by: dict[int, list[str]] = field(default_factory=dict)

    @property
    def tag(self) -> Tag:
        """The version tag of what this page shows."""
        return Tag(self.version, self.tab, self.page, self.newest)

    @property
    def page_links(self) -> list[int | None]:
        """The page numbers the pager shows (None marks a gap)."""
        return page_numbers(self.page, self.pages)

    @property
    def is_empty(self) -> bool:
        """Nothing at all to show: no items and no generations under way."""
        return not (self.items or self.releases or self.generations)


def parse_page(raw: str | None) -> int:
    """The library page asked for (1-based), or 1 when it is missing or not a sane number."""
    return forms.parse_page(raw, MAX_PAGE)


def view_version(library_version: int, profile_version: int, tab: str) -> int:
    """The counter a tab's tag carries: what must move for the tab to look different.

    Release cards show the owner's name, which a rename changes without touching the
    library; both counters only grow, so their sum moves whenever either does.
    """
    return library_version + profile_version if tab == "releases" else library_version


def _scope(user_id: int, tab: str):
    """The table and filters of one tab of one user's library."""
    if tab == "releases":
        return Release, (Release.user_id == user_id,)
    return Media, (Media.user_id == user_id, Media.kind == TAB_KINDS[tab])


def count_newer(db: Session, user_id: int, tab: str, since: int) -> int:
    """How many items (or releases) of a tab are newer than the id a page held."""
    model, scope = _scope(user_id, tab)
    return db.scalar(select(func.count(model.id)).where(*scope, model.id > since)) or 0


def unfinished_generations(db: Session, user_id: int, tab: str) -> list[Generation]:
    """The queued and running generations whose results will land in this tab, newest first."""
    if tab not in TAB_KINDS:
        return []
    return generations.unfinished_generations(db, user_id, TAB_KINDS[tab])


def grid_page(
    db: Session,
    user_id: int,
    version: int,
    tab: str,
    page: int,
    page_size: int = DEFAULT_PAGE_SIZE,
    since: int | None = None,
) -> GridPage:
    """One page of a tab, newest first; `since` counts the items newer than that id.

    `version` is the tab's view_version read before these queries, so the tag never
    claims more than the rows show: a concurrent change makes the next check return
    the page again rather than hiding the change behind a 304.
    """
    model, scope = _scope(user_id, tab)
    newer = func.coalesce(func.sum(case((model.id > (since or 0), 1), else_=0)), 0)
    total, newest, new_items = db.execute(
        select(func.count(model.id), func.coalesce(func.max(model.id), 0), newer).where(*scope)
    ).one()
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    result = GridPage(
        tab=tab, page=page, pages=pages, total=total, newest=newest, version=version,
        new_items=new_items if since is not None else 0,
    )
    offset = (page - 1) * page_size
    if tab == "releases":
        result.releases = list(
            db.scalars(
                select(Release).where(*scope).order_by(Release.id.desc())
                .limit(page_size).offset(offset)
            ).unique()
        )
        return result
    # Only the columns a card shows: plain rows, no ORM identity bookkeeping per item.
    result.items = list(
        db.execute(
            select(*CARD_COLUMNS).where(*scope).order_by(Media.id.desc())
            .limit(page_size).offset(offset)
        )
    )
    result.used_by = releases_using(db, user_id, [item.id for item in result.items])
    if page == 1:
        result.generations = unfinished_generations(db, user_id, tab)
    return result


def releases_using(db: Session, user_id: int, media_ids: list[int]) -> dict[int, list[str]]:
    """Titles of the user's releases that use each of these items, in one query."""
    if not media_ids:
        return {}
    rows = db.execute(
        select(Release.title, Release.music_id, Release.image_id)
        .where(
            Release.user_id == user_id,
            or_(Release.music_id.in_(media_ids), Release.image_id.in_(media_ids)),
        )
        .order_by(Release.id)
    ).all()
    wanted = set(media_ids)
    used: dict[int, list[str]] = {}
    for title, music_id, image_id in rows:
        for media_id in {music_id, image_id} & wanted:
            used.setdefault(media_id, []).append(title)
    return used


def item_for_owner(db: Session, user_id: int, media_id: int) -> Media | None:
    """One library item of this user, or None (someone else's item is not found)."""
    return db.scalar(select(Media).where(Media.id == media_id, Media.user_id == user_id))


def delete_warning(item: Media, release_titles: list[str]) -> str:
    """What deleting this item takes with it, in words (empty when nothing else goes)."""
    if not release_titles:
        return ""
    what = "track" if item.kind == "music" else "cover"
    names = ", ".join(f"“{title}”" for title in release_titles)
    if len(release_titles) == 1:
        return f"This {what} is used by release {names}; deleting it removes the release."
    return f"This {what} is used by releases {names}; deleting it removes those releases."


def confirm_question(item: Media, release_titles: list[str]) -> str:
    """The plain-text question asked before deleting (no markup: it goes in hx-confirm)."""
    question = f"Delete “{item.title}”? This cannot be undone."
    warning = delete_warning(item, release_titles)
    return f"{question} {warning}" if warning else question


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed."""

    media_id: int
    kind: str
    title: str
    releases: int
    version: int


def delete_item(db: Session, user_id: int, media_id: int) -> Deleted | None:
    """Delete one of the user's items (and, by cascade, releases using it); commits.

    In one transaction: the row goes, library_version moves on and `library-changed`
    is queued for the owner's tabs. Files are removed only after the commit, so a
    failed transaction never leaves a row pointing at a missing file. None when the
    item is not this user's (or is already gone).
    """
    item = item_for_owner(db, user_id, media_id)
    if item is None:
        db.rollback()
        return None
    files = [path for path in (item.file_path, item.preview_path) if path]
    kind, title = item.kind, item.title
    releases = db.execute(
        select(Release.id, Release.published).where(
            Release.user_id == user_id,
            or_(Release.music_id == media_id, Release.image_id == media_id),
        )
    ).all()
    removed = db.execute(
        delete(Media).where(Media.id == media_id, Media.user_id == user_id)
    ).rowcount
    if removed != 1:
        db.rollback()
        return None
    # A published release disappears from the public profile too.
    version = live.library_changed(
        db, user_id, profile=any(published for _, published in releases)
    )
    db.commit()
    for relative in files:
        # The row is gone either way; a file that cannot go now is swept as an orphan later.
        with suppress(ValueError, OSError):
            storage.remove_quietly(storage.absolute(relative))
    return Deleted(media_id, kind, title, len(releases), version)


def new_items_message(count: int) -> str:
    """'1 new item' / 'N new items'."""
    return "1 new item" if count == 1 else f"{count} new items"


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page links to show: the first, the last and a window around the current page.

    None marks a gap, so a library of 10,000 items still gets a short pager.
    """
    shown = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            numbers.append(previous + 1)  # a gap of one page: show the page, not "…"
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers
