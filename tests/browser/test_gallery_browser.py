"""The screenshot gallery: every page, signed out and signed in, with seed-demo content, at
1280×800 and 390×844, light and dark, checked for layout faults and by axe (WCAG 2.2 AA).

CI only checks. With SOUNDSTAGE_WRITE_SCREENS=1 it also writes viewport PNGs (palette-reduced,
small) to docs/screens/ and their index, docs/screens/README.md.

The look's own limits (LOOK_CHECKS: the phone header and the player) are enforced too, with
no waivers left since the look landed; LOOK_CHECKS_ENFORCED = False would only report them.
"""

import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page
from sqlalchemy import select

from tests.browser.conftest import WCAG_TAGS, serve
from tests.conftest import FAST_HASH, app_config, shutdown_app
from webapp import create_app, db
from webapp.demo import DEMO_PASSWORD
from webapp.events import bus_of
from webapp.migrate import upgrade
from webapp.models import Post, Release, User
from webapp.moderation import reports

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
WRITE = os.environ.get("SOUNDSTAGE_WRITE_SCREENS") == "1"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
SCHEMES = ("light", "dark")
MAX_BUTTON_HEIGHT = 64
MAX_PHONE_HEADER = 64
MAX_PHONE_PLAYER = 72
# Measured on every picture; enforced since the look landed.
LOOK_CHECKS = ("header height on a phone", "player height on a phone")
LOOK_CHECKS_ENFORCED = True
# Faults of the look that the `design` branch restyles (issue 25, item 2: the CSS framework's
# grouped-form style makes Explore's Search button 155 px tall). Reported with the look checks;
# the lead empties this after merging the look, and the gallery then fails on them.
LOOK_WAIVERS: tuple[str, ...] = ()
# axe's target-size on a phone where the spacing scale (the look) decides it: (page, rule).
AXE_LOOK_WAIVERS: set[tuple[str, str]] = set()
DEMO_ARTIST = "demo-aurora"
PLAY_ON = {"release", "release-in"}  # pages pictured playing, so the player is measured too

# (file stem, what it shows, path; "{release}" is a demo release's page, "{other}" another
# artist's, so the signed-in viewer sees Report and the comment form).
SIGNED_OUT = (
    ("home", "Home (signed out)", "/"),
    ("explore", "Explore", "/explore"),
    ("search", "Search", "/search?q=night"),
    ("release", "A release page", "{release}"),
    ("profile", "A profile", "/u/demo-basil"),
    ("login", "Log in", "/login"),
    ("signup", "Sign up", "/signup"),
)
SIGNED_IN = (
    ("library", "Library", "/library"),
    ("studio", "Studio", "/studio"),
    ("explore-in", "Explore (signed in)", "/explore"),
    ("following", "Following", "/explore/following"),
    ("release-in", "Another artist's release (signed in)", "{other}"),
    ("profile-in", "Another artist's profile (signed in)", "/u/demo-basil"),
    ("own-profile", "Your profile", f"/u/{DEMO_ARTIST}"),
    ("search-in", "Search (signed in)", "/search?q=tea"),
    ("liked", "Liked", "/liked"),
    ("notifications", "Notifications", "/notifications"),
    ("notification-settings", "Notification settings", "/notifications/settings"),
    ("settings-profile", "Profile settings", "/settings/profile"),
    ("settings-account", "Account settings", "/settings/account"),
    ("admin", "Admin: reports", "/admin/reports"),
    ("report", "Report a post (no-JavaScript page)", "{report}"),
    ("new-release", "New release", "/releases/new"),
    ("menu", "Account menu page", "/menu"),
)

# Run in the page: every fault the gallery looks for, as plain data.
MEASURE = """
() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) return false;
    return !el.closest('[hidden], details:not([open]) > :not(summary), [inert]');
  };
  const name = (el) => {
    const own = el.tagName === 'SELECT' ? '' : el.innerText;
    const text = (el.getAttribute('aria-label') || own || el.value || '').trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text.slice(0, 40) + '"';
  };
  const interactive = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], '
    + '[tabindex]:not([tabindex="-1"])'
  )].filter(visible);
  const overlaps = [];
  // Line boxes, not bounding boxes: a link that wraps covers two half lines, not a rectangle.
  const boxes = interactive.map((el) => [...el.getClientRects()].filter(
    (r) => r.width > 2 && r.height > 2));
  const hits = (ra, rb) => {
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    return w > 2 && h > 2;
  };
  // A fixed or sticky bar (the player, a header) floats over content scrolling beneath it.
  const pinned = interactive.map((el) => {
    for (let n = el; n; n = n.parentElement) {
      if (['fixed', 'sticky'].includes(getComputedStyle(n).position)) return true;
    }
    return false;
  });
  for (let i = 0; i < interactive.length; i++) {
    for (let j = i + 1; j < interactive.length; j++) {
      const a = interactive[i], b = interactive[j];
      if (a.contains(b) || b.contains(a) || pinned[i] !== pinned[j]) continue;
      if (boxes[i].some((ra) => boxes[j].some((rb) => hits(ra, rb)))) {
        overlaps.push(name(a) + ' over ' + name(b));
      }
    }
  }
  const tallButtons = [...document.querySelectorAll(
    'button, [role=button], input[type=submit], input[type=button]'
  )].filter(visible).filter((el) => el.getBoundingClientRect().height > MAX_BUTTON_HEIGHT)
    .map((el) => name(el) + ' ' + Math.round(el.getBoundingClientRect().height) + 'px');
  const clipped = [...document.querySelectorAll('body *')].filter(visible).filter((el) => {
    const s = getComputedStyle(el);
    const hides = (value) => value === 'hidden' || value === 'clip';
    const clips = hides(s.overflowX) || hides(s.overflowY);
    const isControl = el.matches('button, [role=button], .badge');
    if (!clips && !isControl) return false;
    if (s.textOverflow === 'ellipsis' || !el.innerText || !el.innerText.trim()) return false;
    if (el.matches('img, audio, video, svg, canvas, select, textarea, input')) return false;
    return el.scrollWidth > el.clientWidth + 1 || (clips && el.scrollHeight > el.clientHeight + 1);
  }).map(name);
  const banner = document.querySelector('body > header, [role=banner]');
  const player = document.getElementById('player');
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    overlaps, tallButtons, clipped,
    header: banner && visible(banner) ? Math.round(banner.getBoundingClientRect().height) : 0,
    player: player && visible(player) ? Math.round(player.getBoundingClientRect().height) : 0,
  };
}
""".replace("MAX_BUTTON_HEIGHT", str(MAX_BUTTON_HEIGHT))


@pytest.fixture(scope="module")
def gallery_server(tmp_path_factory):
    """A server of its own (demo content would show on the shared one), seeded by seed-demo."""
    root = tmp_path_factory.mktemp("gallery")
    url = f"sqlite:///{root / 'gallery.db'}"
    upgrade(url)
    app = create_app(app_config(url, root / "data", WTF_CSRF_ENABLED=True,
                                PASSWORD_HASH=FAST_HASH, SSE_MAX_STREAMS_PER_PROCESS=500))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.standalone_session(app) as session:
        assert reports.make_admin(session, DEMO_ARTIST)
        releases = {r.title: r.id for r in session.scalars(select(Release))}
        releases["post"] = session.scalar(
            select(Post.id).join(User, User.id == Post.user_id)
            .where(User.username == "demo-basil"))
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}", app, releases
    bus_of(app).closing.set()
    server.shutdown()
    shutdown_app(app)


def _paths(base: str, page: Page, releases: dict[str, int]) -> dict[str, str]:
    """The placeholders' addresses: a release of the signed-in artist and one of another's."""
    page.goto(base + f"/releases/{releases['Night Train']}")
    own = page.url.removeprefix(base)
    page.goto(base + f"/releases/{releases['Tea Break']}")
    other = page.url.removeprefix(base)
    return {"{release}": own, "{other}": other,
            "{report}": f"/report/post/{releases['post']}?next=/explore"}


def _log_in(page: Page, base: str) -> None:
    """Sign in as the demo artist (an admin) through the form."""
    page.goto(base + "/login")
    page.get_by_label("Username").fill(DEMO_ARTIST)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _faults(found: dict, viewport: str) -> tuple[list[str], list[str]]:
    """(faults that fail the test, look faults measured for the other branch's look)."""
    faults, look = [], []
    if viewport == "phone" and found["overflow"] > 1:
        faults.append(f"scrolls sideways by {found['overflow']} px")
    faults += [f"overlapping: {pair}" for pair in found["overlaps"]]
    for button in found["tallButtons"]:
        fault = f"button taller than {MAX_BUTTON_HEIGHT} px: {button}"
        (look if button.startswith(LOOK_WAIVERS) else faults).append(fault)
    faults += [f"text clipped: {c}" for c in found["clipped"]]
    if viewport == "phone" and found["header"] > MAX_PHONE_HEADER:
        look.append(f"{LOOK_CHECKS[0]}: {found['header']} px > {MAX_PHONE_HEADER}")
    if viewport == "phone" and found["player"] > MAX_PHONE_PLAYER:
        look.append(f"{LOOK_CHECKS[1]}: {found['player']} px > {MAX_PHONE_PLAYER}")
    return faults, look


def _axe_violations(page: Page) -> list[tuple[str, str]]:
    """axe-core's WCAG 2.2 AA violations on the page: (rule, where)."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        (v["id"], f"{v['help']} -> " + "; ".join(
            node["target"][0] if node["target"] else "?" for node in v["nodes"][:3]))
        for v in results.response.get("violations", [])
    ]


def _save(page: Page, stem: str) -> None:
    """Write the viewport as a palette PNG (small)."""
    picture = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    small = picture.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    path = SCREENS / f"{stem}.png"
    small.save(path, optimize=True)


def _index() -> None:
    """docs/screens/README.md: every picture on disk, by page, viewport and theme."""
    variants = [f"{v}-{s}" for v in VIEWPORTS for s in SCHEMES]
    lines = ["# Screens", "",
             "Written by `SOUNDSTAGE_WRITE_SCREENS=1 pytest "
             "tests/browser/test_gallery_browser.py` with seed-demo content: the viewport only,",
             "desktop 1280×800 and phone 390×844, light and dark, signed out then signed in as",
             f"{DEMO_ARTIST} (an admin).", "",
             "| Page | " + " | ".join(v.replace("-", " ") for v in variants) + " |",
             "|---" * (len(variants) + 1) + "|"]
    for stem, title, _path in SIGNED_OUT + SIGNED_IN:
        cells = [f"![{title}, {v}]({stem}-{v}.png)" if (SCREENS / f"{stem}-{v}.png").exists()
                 else "—" for v in variants]
        if any(cell != "—" for cell in cells):
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
    (SCREENS / "README.md").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_passes_the_gallery_checks(browser, gallery_server, viewport, scheme):
    """Every gallery page passes the layout checks and axe in this viewport and theme."""
    base, _app, releases = gallery_server
    width, height = VIEWPORTS[viewport]
    variant = f"{viewport}-{scheme}"
    if WRITE:
        SCREENS.mkdir(parents=True, exist_ok=True)
    faults: list[str] = []
    look_faults: list[str] = []
    for signed_in, pages in ((False, SIGNED_OUT), (True, SIGNED_IN)):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=scheme)
        page = context.new_page()
        paths = _paths(base, page, releases)
        if signed_in:
            _log_in(page, base)
        for stem, _title, path in pages:
            address = paths.get(path, path)
            response = page.goto(base + address)
            assert response.ok, f"{address} answered {response.status}"
            # Not "networkidle": the live event stream stays open on every page.
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            if stem in PLAY_ON:
                page.locator(".release-details button[data-play]").click()
                page.locator("#player").wait_for(state="visible")
            found = page.evaluate(MEASURE)
            hard, look = _faults(found, viewport)
            faults += [f"{stem} {variant}: {fault}" for fault in hard]
            look_faults += [f"{stem} {variant}: {fault}" for fault in look]
            for rule, detail in _axe_violations(page):
                fault = f"{stem} {variant}: axe {rule}: {detail}"
                (look_faults if (stem, rule) in AXE_LOOK_WAIVERS else faults).append(fault)
            if WRITE:
                _save(page, f"{stem}-{variant}")
        context.close()
    if WRITE:
        _index()
    if look_faults:
        print("Look checks (enforced once the design branch lands):", *look_faults, sep="\n  ")
    assert not faults, "\n".join(faults)
    if LOOK_CHECKS_ENFORCED:
        assert not look_faults, "\n".join(look_faults)


def test_the_screens_stay_small():
    """The committed pictures take under 6 MB together."""
    pictures = list(SCREENS.glob("*.png"))
    total = sum(p.stat().st_size for p in pictures)
    assert total < 6_000_000, f"docs/screens holds {total:,} bytes in {len(pictures)} pictures"
