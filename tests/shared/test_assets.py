"""Static files: content-hashed URLs served immutable; static and dynamic text compressed."""

import gzip
import re
from pathlib import Path

import brotli
import pytest

from webapp import assets

STATIC = Path(assets.__file__).parent / "static"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}(\.[a-z]+)?$")
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def static_urls(page: bytes) -> list[str]:
    """Every /static/ URL a page links, in order."""
    return STATIC_URL.findall(page.decode())


def without_tokens(page: bytes) -> bytes:
    """A page with its CSRF tokens and request ids (new on every render) blanked."""
    return re.sub(rb"[\w-]{20,}\.[\w.-]{20,}|[0-9a-f-]{16,}", b"TOKEN", page)


def file_of(url: str) -> bytes:
    """The bytes on disk behind a hashed static URL."""
    name = url.removeprefix("/static/")
    return (STATIC / re.sub(r"\.[0-9a-f]{12}(?=\.[a-z]+$)", "", name)).read_bytes()


def test_pages_link_hashed_static_urls_that_are_immutable(client):
    """Each linked file has its content hash in its name and is cached for a year."""
    urls = static_urls(client.get("/login").data)
    assert len(urls) >= 6, urls
    assert any("/vendor/htmx-4.0.1.min." in url for url in urls), "vendored names keep versions"
    for url in urls:
        assert HASHED.search(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "Set-Cookie" not in response.headers, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.data == file_of(url), url


def test_static_files_answer_304_to_a_matching_etag(client):
    """A revalidation (never needed for hashed names) is cheap all the same."""
    url = static_urls(client.get("/login").data)[0]
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_a_new_content_is_a_new_name(tmp_path):
    """The hash follows the bytes; names without a suffix get it at the end."""
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "site.css"
    style.write_text("a { color: red }")
    (tmp_path / "LICENSE").write_text("text")
    before = assets.Manifest(tmp_path).hashed
    style.write_text("a { color: blue }")
    after = assets.Manifest(tmp_path).hashed
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", before["css/site.css"])
    assert before["css/site.css"] != after["css/site.css"]
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", after["LICENSE"])


def test_plain_names_revalidate_and_unknown_names_are_404(client):
    """The unhashed name still works (no-cache); a wrong hash or a path outside is 404."""
    plain = client.get("/static/app.css")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/app.000000000000.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404
    assert client.get("/static/vendor").status_code == 404


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_css_js_and_svg_are_compressed_when_accepted(client, encoding):
    """The same bytes, smaller, in the encoding the browser asked for; identity otherwise."""
    urls = static_urls(client.get("/login").data)
    kinds = {url.rsplit(".", 1)[1] for url in urls}
    assert {"css", "js", "svg"} <= kinds
    compressed = 0
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": f"{encoding}, deflate"})
        if "Content-Encoding" not in response.headers:
            # A file so small that compressing it would not make it smaller stays as it is.
            assert len(response.data) == len(file_of(url)) < 200, url
            continue
        compressed += 1
        assert response.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in response.headers["Vary"], url
        assert len(response.data) < len(file_of(url)), url
        assert DECODE[encoding](response.data) == file_of(url), url
        assert "Content-Encoding" not in client.get(url).headers, url
    assert compressed >= len(urls) - 1


def test_brotli_is_preferred_and_refusals_are_respected(client):
    """Chromium asks for both: it gets Brotli; q=0 means no."""
    url = static_urls(client.get("/login").data)[0]
    both = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert both.headers["Content-Encoding"] == "br"
    refused = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_and_fragments_are_compressed_when_accepted(client, auth, encoding):
    """HTML pages and htmx fragments, with the security headers kept."""
    auth.signup("alice")
    client.get("/library")  # shows (and so uses up) the welcome message
    for url, headers in (("/library", {}), ("/studio", {}),
                         ("/library/grid?tab=music", {"HX-Request": "true"})):
        plain = client.get(url, headers=headers)
        packed = client.get(url, headers={**headers, "Accept-Encoding": encoding})
        assert packed.status_code == plain.status_code == 200, url
        assert packed.headers["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert "script-src 'self'" in packed.headers["Content-Security-Policy"], url
        text = DECODE[encoding](packed.data)
        assert len(packed.data) < len(text), url
        assert without_tokens(text) == without_tokens(plain.data), url


def test_streams_and_not_modified_answers_are_not_compressed(client, auth):
    """SSE must flush each event; a 304 has no body to compress."""
    auth.signup("alice")
    accept = {"Accept-Encoding": "gzip, br"}
    grid = client.get("/library/grid?tab=music", headers={"HX-Request": "true", **accept})
    unchanged = client.get("/library/grid?tab=music",
                           headers={"HX-Request": "true", "HX-PTag": grid.headers["HX-PTag"],
                                    **accept})
    assert unchanged.status_code == 304
    assert "Content-Encoding" not in unchanged.headers
    stream = client.get("/events", headers=accept)
    assert stream.mimetype == "text/event-stream"
    assert "Content-Encoding" not in stream.headers
    assert next(iter(stream.response)) in (b"retry: 2000\n\n", "retry: 2000\n\n")
    stream.close()


def test_every_page_links_every_area_stylesheet_and_preloads_htmx(client, auth):
    """Boosted navigation swaps only <main>: the first page must style every page after it."""
    auth.signup("alice")

    def area_styles(url: str) -> set[str]:
        """The area stylesheets a page links."""
        return set(re.findall(r"/static/css/([a-z]+)\.", client.get(url).data.decode()))

    every_area = {"library", "profiles", "publishing", "social", "player", "nojs"}
    for url in ("/library", "/studio", "/explore", "/u/alice"):
        assert area_styles(url) == every_area, url
    page = client.get("/library").data.decode()
    preload = re.search(r'<link rel="preload" href="([^"]+)" as="script">', page).group(1)
    assert "/vendor/htmx-4.0.1.min." in preload
    assert f'<script src="{preload}"></script>' in page
