"""The library blueprint: the page, the self-refreshing grid fragment, and deletion.

The grid carries a version tag (hx-ptag). A background check whose tag still matches
the tab's version costs no query beyond the session lookup every signed-in request
makes, and answers 304 with an empty body, so htmx swaps nothing.

A changed grid is rendered once per version: the fragment is kept in a small per-process
cache keyed by that same version, so the other open tabs of the user (which all ask at
once after a live event) get it without re-rendering. The cache adds no rule of its own:
"every change the grid shows moves the version" is what the 304 already relies on.
"""

import threading
from collections import OrderedDict

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import db, htmx, live
from ..access import or_404, private
from ..config import settings
from ..publishing import releases
from .items import (
    KIND_TABS,
    TAB_KINDS,
    TAB_LABELS,
    GridPage,
    Tag,
    confirm_question,
    count_newer,
    delete_item,
    delete_warning,
    grid_page,
    item_for_owner,
    new_items_message,
    parse_page,
    parse_tab,
    parse_tag,
    releases_using,
    view_version,
)

bp = Blueprint("library", __name__)

UP_TO_DATE = "Library is up to date"
UPDATED = "Library updated"
MEDIA_ID = "<int(max=2147483647):media_id>"


class FragmentCache:
    """A bounded, thread-safe LRU of rendered grid fragments: key -> (body, tag)."""

    def __init__(self, size: int) -> None:
        """Keep at most `size` fragments (0 keeps none)."""
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> tuple[str, str] | None:
        """A kept fragment, marked as recently used."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, body: str, tag: str) -> None:
        """Keep a fragment, forgetting the least recently used beyond the size."""
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = (body, tag)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def fragment_cache() -> FragmentCache:
    """This process's cache (LIBRARY_RENDER_CACHE fragments; 0 turns it off)."""
    cache = current_app.extensions.get("library_fragments")
    if cache is None:
        size = settings().library_render_cache
        cache = current_app.extensions.setdefault("library_fragments", FragmentCache(size))
    return cache


def page_size() -> int:
    """Items per grid page (LIBRARY_PAGE_SIZE)."""
    return max(1, settings().library_page_size)


def requested_view() -> tuple[str, int]:
    """The tab and page named in the query string (lenient: bad values mean the defaults)."""
    return parse_tab(request.args.get("tab")), parse_page(request.args.get("page"))


def current_version(tab: str) -> int:
    """The signed-in user's version of a tab (loaded with the session: no extra query)."""
    return view_version(current_user.library_version, current_user.profile_version, tab)


def since_of(known: Tag | None, tab: str) -> int | None:
    """The newest id the page held, if its tag was for this tab."""
    return known.newest if known is not None and known.tab == tab else None


def announcement(new_items: int, refresh: bool) -> str | None:
    """What the status region says after a check that found a change (None: stay quiet)."""
    if new_items:
        return new_items_message(new_items)
    return UPDATED if refresh else None


def load_view(tab: str, page: int, known: Tag | None) -> GridPage:
    """The signed-in user's page of a tab, counting items newer than the page held."""
    return grid_page(
        db.session(), current_user.id, current_version(tab), tab, page, page_size(),
        since=since_of(known, tab),
    )


def render_fragment(tab: str, page: int, known: Tag | None) -> tuple[str, str, int]:
    """The grid fragment for a changed view: (body, tag, new items since `known`).

    Music and images fragments without jobs under way come from the cache when this
    version was already rendered; job cards (whose progress moves without a version)
    and release cards (whose forms carry a per-session CSRF token) are never kept. A job
    starting or ending moves the version, so a kept fragment never hides a job card.
    """
    session, user_id = db.session(), current_user.id
    key = (user_id, tab, page, page_size(), current_version(tab), request.script_root)
    cache = fragment_cache()
    kept = cache.get(key) if tab in TAB_KINDS else None
    if kept is not None:
        body, tag = kept
        since = since_of(known, tab)
        new_items = count_newer(session, user_id, tab, since) if since is not None else 0
        return body, tag, new_items
    view = load_view(tab, page, known)
    body = render_template("library/partials/library_grid.html", view=view, tab_labels=TAB_LABELS)
    if tab in TAB_KINDS and not view.generations:
        cache.put(key, body, str(view.tag))
    return body, str(view.tag), view.new_items


@bp.get("/library")
@private
def library():
    """The library page: tabs, the Refresh form and the grid (works without JavaScript)."""
    tab, page = requested_view()
    refresh = request.args.get("refresh") == "1"
    known = parse_tag(request.args.get("shown")) if refresh else None
    view = load_view(tab, page, known)
    if refresh:
        # The no-JavaScript Refresh: say what changed since the page the person had.
        unchanged = known is not None and known.same_view(view.version, view.tab, view.page)
        flash(UP_TO_DATE if unchanged else announcement(view.new_items, True), "info")
    # The releases tab shows the release form, which lists your tracks and covers.
    forms = {}
    if view.tab == "releases":
        forms = releases.release_form_context(db.session(), current_user.id)
    return render_template("library/library.html", view=view, tab_labels=TAB_LABELS, **forms)


@bp.get("/library/grid")
@private
def grid():
    """The grid fragment, or 304 with an empty body when the page already shows this version.

    Background checks send the tag they hold in hx-ptag; the Refresh form sends it as
    `shown` with `refresh=1`, and is told "up to date" when nothing moved.
    """
    tab, page = requested_view()
    refresh = request.args.get("refresh") == "1"
    known = parse_tag(htmx.client_version() or request.args.get("shown"))
    if known is not None and known.same_view(current_version(tab), tab, page):
        response = make_response("", 304)
        htmx.set_version(response, str(known))
        if refresh:
            htmx.announce(response, UP_TO_DATE)
        return response
    body, tag, new_items = render_fragment(tab, page, known)
    response = Response(body, mimetype="text/html")
    htmx.set_version(response, tag)
    message = announcement(new_items, refresh)
    if message:
        htmx.announce(response, message)
    return response


@bp.get(f"/library/{MEDIA_ID}/delete")
@private
def confirm_delete(media_id: int):
    """Ask before deleting (the no-JavaScript path), saying which releases go with it."""
    item = or_404(item_for_owner(db.session(), current_user.id, media_id))
    used = releases_using(db.session(), current_user.id, [item.id]).get(item.id, [])
    return render_template(
        "library/delete.html", item=item, warning=delete_warning(item, used),
        question=confirm_question(item, used), tab=KIND_TABS[item.kind],
    )


@bp.post(f"/library/{MEDIA_ID}/delete")
@private
def delete(media_id: int):
    """Delete an item; htmx removes its card, a plain form goes back to the library."""
    deleted = or_404(delete_item(db.session(), current_user.id, media_id))
    message = f"Deleted “{deleted.title}”."
    if deleted.releases:
        message += " Its release was removed too." if deleted.releases == 1 else (
            f" {deleted.releases} releases using it were removed too."
        )
    return htmx.form_done(
        message,
        url_for(".library", tab=KIND_TABS[deleted.kind]),
        # This tab re-checks at once (the live event says the same to the other tabs).
        events=[(live.LIBRARY_CHANGED, {"version": deleted.version})],
    )
