"""Procedural album covers: prompt-derived palette and composition drawn with Pillow and numpy."""

from __future__ import annotations

import colorsys
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .common import Output, Progress, ProgressFn, prompt_words, seeded_rng, write_output

COVER_SIZE = 1024
THUMB_SIZE = 320
COVER_MIME = "image/webp"
COVER_EXT = "webp"

RGB = tuple[int, int, int]

# method 2 is twice as fast as the default 4 for the same size at this quality.
_WEBP_QUALITY = 86
_WEBP_METHOD = 2


def _hue_table(text: str) -> dict[str, float]:
    """Parse 'word=degrees' pairs into a keyword-to-hue map."""
    return {word: float(hue) for word, hue in (pair.split("=") for pair in text.split())}


# Keyword hints: hue in degrees, then words nudging brightness and saturation.
_HUES = _hue_table(
    "ocean=205 sea=200 water=195 blue=220 rain=212 ice=190 winter=200 sky=205 river=195 "
    "lake=200 wave=200 waves=200 fire=12 flame=15 flames=15 red=2 love=345 passion=350 "
    "heart=350 rose=340 blood=355 anger=5 lava=10 forest=125 green=130 nature=100 jungle=115 "
    "leaf=95 leaves=95 spring=90 garden=105 moss=85 emerald=145 sunset=18 dusk=285 golden=42 "
    "gold=45 sun=40 summer=35 desert=32 sand=38 autumn=25 orange=28 yellow=52 honey=40 "
    "night=235 midnight=240 space=255 galaxy=270 cosmic=275 star=250 stars=250 moon=225 "
    "nebula=290 neon=305 cyber=290 cyberpunk=295 retro=320 synthwave=310 vaporwave=300 "
    "purple=275 violet=270 pink=330 lavender=265 snow=200 cloud=210 clouds=210 mist=200 "
    "fog=205 sunrise=30 dream=280 ghost=230 ash=30 coffee=28 rust=18 teal=175 mint=155"
)
_DARK_WORDS = frozenset(
    {"night", "midnight", "dark", "space", "galaxy", "shadow", "noir", "storm", "cosmic", "void"}
)
_LIGHT_WORDS = frozenset({"snow", "cloud", "clouds", "mist", "fog", "morning", "white", "soft"})
_PASTEL_WORDS = frozenset({"dream", "dreamy", "soft", "pastel", "gentle", "calm", "lofi", "lo"})
_VIVID_WORDS = frozenset({"neon", "fire", "party", "electric", "energetic", "cyber", "vivid"})


def _keyword_map(groups: dict[str, str]) -> dict[str, str]:
    """Invert {composition: 'word word ...'} into {word: composition}."""
    return {word: name for name, words in groups.items() for word in words.split()}


_COMPOSITION_GROUPS = {
    "horizon": "mountain mountains hill hills peak valley alps horizon road canyon forest",
    "waves": "ocean sea wave waves water beach surf tide lake river shore sail",
    "orbits": "space star stars galaxy planet cosmic orbit moon astral universe nebula",
    "grid": "retro synthwave 80s neon cyber cyberpunk arcade vaporwave outrun grid",
    "rays": "sunburst light rays ray shine radiant glory dawn sunrise",
    "bokeh": "dream dreamy bokeh city lights glow club bubbles firefly rain rainy",
    "bauhaus": "geometric abstract bauhaus modern minimal shape shapes pattern jazz",
}
_COMPOSITION_WORDS = _keyword_map(_COMPOSITION_GROUPS)
_COMPOSITIONS = tuple(_COMPOSITION_GROUPS)


@dataclass(frozen=True)
class _Palette:
    """Colours for one cover: sky gradient, accents and a dark-to-light layer ramp."""

    top: RGB
    bottom: RGB
    accent: RGB
    accent2: RGB
    light: RGB
    deep: RGB
    dark: bool


def render_cover(
    prompt: str,
    seed: int,
    out: Output,
    thumb_out: Output,
    progress: ProgressFn | None = None,
) -> tuple[int, int]:
    """Draw a COVER_SIZE square cover and a THUMB_SIZE thumbnail; returns (width, height)."""
    report = Progress(progress)
    report(0)
    rng, palette, composition = _choose(prompt, seed)
    report(10)
    image = _DRAWERS[composition](palette, rng)
    report(60)
    image = _finish(image, rng)
    report(80)
    write_output(out, _encode(image))
    report(90)
    thumb = image.resize((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    write_output(thumb_out, _encode(thumb))
    report(100)
    return image.size


def describe_cover(prompt: str, seed: int) -> str:
    """A short description of the composition chosen for a prompt (for alt text)."""
    _, palette, composition = _choose(prompt, seed)
    mood = "night" if palette.dark else "light"
    return f"Abstract {composition} artwork in a {mood} palette"


def _choose(prompt: str, seed: int) -> tuple[np.random.Generator, _Palette, str]:
    """The seeded generator, palette and composition for a prompt (rng ready for drawing)."""
    text = str(prompt or "")
    words = prompt_words(text)
    rng = seeded_rng("cover", " ".join(words) or text.strip(), seed)
    palette = _palette(words, rng)
    return rng, palette, _composition(words, rng)


def _encode(image: Image.Image) -> bytes:
    """Encode as WebP without metadata (fresh images carry no EXIF/ICC/XMP)."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=_WEBP_QUALITY, method=_WEBP_METHOD, exif=b"")
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Palette and composition choice
# ---------------------------------------------------------------------------


def _hsv(hue: float, sat: float, val: float) -> RGB:
    """An RGB triple from hue in degrees and saturation/value in 0..1."""
    r, g, b = colorsys.hsv_to_rgb((hue % 360) / 360.0, min(max(sat, 0), 1), min(max(val, 0), 1))
    return round(r * 255), round(g * 255), round(b * 255)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    """Linear interpolation between two colours."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _palette(words: list[str], rng: np.random.Generator) -> _Palette:
    """Derive a harmonious palette from hue keywords, mood words and the hash."""
    hues = [_HUES[w] for w in words if w in _HUES]
    hue = float(hues[0]) if hues else float(rng.uniform(0, 360))
    hue += float(rng.uniform(-12, 12))
    second = float(hues[1]) if len(hues) > 1 else hue + float(rng.choice([30, -30, 150, 180, 210]))
    dark = any(w in _DARK_WORDS for w in words) or (not hues and rng.random() < 0.3)
    light = not dark and any(w in _LIGHT_WORDS for w in words)
    sat = 0.75
    if any(w in _PASTEL_WORDS for w in words):
        sat = 0.42
    if any(w in _VIVID_WORDS for w in words):
        sat = 0.92
    sat = min(1.0, max(0.25, sat + float(rng.uniform(-0.1, 0.1))))
    if dark:
        top, bottom = _hsv(second, sat * 0.8, 0.08), _hsv(hue, sat * 0.9, 0.38)
        accent, light_c = _hsv(hue + 25, sat * 0.5, 0.95), _hsv(hue, 0.25, 0.98)
    elif light:
        top, bottom = _hsv(hue, sat * 0.35, 0.95), _hsv(second, sat * 0.45, 0.88)
        accent, light_c = _hsv(second, sat, 0.85), _hsv(hue, 0.08, 1.0)
    else:
        top, bottom = _hsv(second, sat * 0.85, 0.45), _hsv(hue, sat * 0.75, 0.95)
        accent, light_c = _hsv(hue + 18, sat, 1.0), _hsv(hue + 30, 0.2, 1.0)
    accent2 = _hsv(second + 180, sat * 0.9, 0.85 if not dark else 0.7)
    deep = _hsv(second, min(1.0, sat * 1.1), 0.12 if dark else 0.22)
    return _Palette(top, bottom, accent, accent2, light_c, deep, dark)


def _composition(words: list[str], rng: np.random.Generator) -> str:
    """Pick the composition from keywords, else from the hash."""
    for word in words:
        if word in _COMPOSITION_WORDS:
            return _COMPOSITION_WORDS[word]
    return _COMPOSITIONS[int(rng.integers(len(_COMPOSITIONS)))]


# ---------------------------------------------------------------------------
# Numpy helpers
# ---------------------------------------------------------------------------


@functools.cache
def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Cached pixel-centre coordinate grids (y, x) normalised to 0..1."""
    axis = (np.arange(COVER_SIZE, dtype=np.float32) + 0.5) / COVER_SIZE
    return axis[:, None], axis[None, :]


def _gradient(top: RGB, bottom: RGB, curve: float = 1.0) -> np.ndarray:
    """Vertical gradient as a float32 (H, W, 3) array."""
    y, _ = _grid()
    a = np.asarray(top, dtype=np.float32)
    b = np.asarray(bottom, dtype=np.float32)
    column = a + (b - a) * (y**curve)[..., None]
    return np.broadcast_to(column, (COVER_SIZE, COVER_SIZE, 3)).copy()


def _glow(
    canvas: np.ndarray, cx: float, cy: float, radius: float, color: RGB, amount: float
) -> None:
    """Add a soft Gaussian light blob in place (coordinates in 0..1)."""
    rows, cols = _window(cx, cy, 3.0 * radius)
    y, x = _grid()
    falloff = np.exp(-((x[:, cols] - cx) ** 2 + (y[rows] - cy) ** 2) / (radius * radius))
    canvas[rows, cols] += falloff[..., None] * (np.asarray(color, dtype=np.float32) * amount)


def _window(cx: float, cy: float, reach: float) -> tuple[slice, slice]:
    """Row and column slices of the pixels within reach (0..1 units) of a point."""

    def span(centre: float) -> slice:
        lo = int(max(0.0, centre - reach) * COVER_SIZE)
        hi = int(np.ceil(min(1.0, centre + reach) * COVER_SIZE))
        return slice(lo, max(lo, hi))

    return span(cy), span(cx)


def _to_image(canvas: np.ndarray) -> Image.Image:
    """Clip a float canvas into an RGB image."""
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")


def _ridge(rng: np.random.Generator, base: float, amplitude: float, roughness: float) -> np.ndarray:
    """A mountain-like skyline: summed sines plus a smoothed random walk (pixel y values)."""
    x = np.linspace(0.0, 1.0, 129)
    y = np.zeros_like(x)
    for octave in range(1, 5):
        freq = float(rng.uniform(0.6, 1.6)) * octave * 2
        y += np.sin(2 * np.pi * freq * x + float(rng.uniform(0, 2 * np.pi))) / octave
    walk = np.cumsum(rng.normal(0, roughness, x.size))
    y = y / 1.6 + (walk - np.linspace(walk[0], walk[-1], x.size)) * 0.6
    return (base - amplitude * y) * COVER_SIZE


def _skyline(ys: np.ndarray) -> list[tuple[float, float]]:
    """Points of a skyline given by pixel y values sampled across the full width."""
    return list(zip(np.linspace(-4, COVER_SIZE + 4, ys.size).tolist(), ys.tolist(), strict=True))


def _polygon_below(ys: np.ndarray) -> list[tuple[float, float]]:
    """Polygon covering everything beneath a skyline sampled across the full width."""
    return [*_skyline(ys), (COVER_SIZE + 4, COVER_SIZE + 4), (-4, COVER_SIZE + 4)]


def _disc(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: tuple[int, ...]) -> None:
    """Filled circle in pixel coordinates."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)


def _stars(draw: ImageDraw.ImageDraw, rng: np.random.Generator, count: int, max_y: float) -> None:
    """Scatter small stars of varying brightness above max_y (0..1)."""
    xs = rng.uniform(0, COVER_SIZE, count)
    ys = rng.uniform(0, max_y * COVER_SIZE, count) * rng.uniform(0.3, 1.0, count)
    sizes = rng.choice([0.6, 0.9, 1.3, 2.0], size=count, p=[0.45, 0.3, 0.18, 0.07])
    alphas = rng.uniform(90, 255, count)
    for x, y, r, a in zip(xs, ys, sizes, alphas, strict=True):
        _disc(draw, x, y, r, (255, 255, 245, int(a)))


# ---------------------------------------------------------------------------
# Compositions
# ---------------------------------------------------------------------------


def _draw_horizon(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Sky, a low sun or moon with glow, and layered mountain ridges fading into haze."""
    canvas = _gradient(p.top, p.bottom, float(rng.uniform(0.8, 1.6)))
    sx, sy = float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.3, 0.5))
    _glow(canvas, sx, sy, 0.28, p.light, 0.35)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    if p.dark:
        _stars(draw, rng, 260, 0.6)
    _disc(draw, sx * COVER_SIZE, sy * COVER_SIZE, float(rng.uniform(70, 130)), (*p.light, 235))
    layers = int(rng.integers(4, 7))
    for i in range(layers):
        t = (i + 1) / layers
        color = _blend(_blend(p.bottom, p.accent2, 0.35), p.deep, t**0.8)
        base = 0.5 + 0.45 * t
        draw.polygon(_polygon_below(_ridge(rng, base, 0.09 * (1.2 - t * 0.5), 0.18)), fill=color)
    return image


def _draw_waves(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Sun over layered sine-wave bands with thin foam highlights."""
    canvas = _gradient(p.top, p.bottom, 1.3)
    sx = float(rng.uniform(0.3, 0.7))
    _glow(canvas, sx, 0.42, 0.3, p.accent, 0.4)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    if p.dark:
        _stars(draw, rng, 200, 0.45)
    _disc(draw, sx * COVER_SIZE, 0.4 * COVER_SIZE, float(rng.uniform(80, 150)), (*p.light, 220))
    bands = int(rng.integers(5, 9))
    x = np.linspace(0.0, 1.0, 257)
    for i in range(bands):
        t = i / max(1, bands - 1)
        base = 0.5 + 0.48 * t
        freq = float(rng.uniform(1.0, 3.0))
        phase = float(rng.uniform(0, 2 * np.pi))
        amp = 0.012 + 0.03 * t
        ys = base + amp * np.sin(2 * np.pi * freq * x + phase)
        ys += amp * 0.4 * np.sin(2 * np.pi * freq * 2.7 * x + phase * 1.7)
        pixels = ys * COVER_SIZE
        color = _blend(_blend(p.bottom, p.accent2, 0.2), p.deep, t**0.9)
        draw.polygon(_polygon_below(pixels), fill=color)
        draw.line(_skyline(pixels), fill=(*p.light, 70 + int(60 * (1 - t))), width=2)
    return image


def _draw_orbits(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Deep-space backdrop, a shaded planet with rings and a few moons."""
    canvas = _gradient(_blend(p.top, (0, 0, 0), 0.6), _blend(p.deep, (0, 0, 0), 0.3), 1.0)
    nx, ny = float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.6))
    _glow(canvas, nx, ny, 0.35, p.accent2, 0.35)
    cx, cy = float(rng.uniform(0.35, 0.65)), float(rng.uniform(0.4, 0.6))
    radius = float(rng.uniform(0.16, 0.26))
    _planet(canvas, cx, cy, radius, p)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    _stars(draw, rng, 420, 1.0)
    tilt = float(rng.uniform(0.18, 0.35))
    for k in range(int(rng.integers(2, 5))):
        rx = (radius * (1.45 + 0.18 * k)) * COVER_SIZE
        ry = rx * tilt
        box = (
            cx * COVER_SIZE - rx,
            cy * COVER_SIZE - ry,
            cx * COVER_SIZE + rx,
            cy * COVER_SIZE + ry,
        )
        draw.arc(box, 180, 360, fill=(*p.light, 90 - 15 * k), width=3 + k)
        draw.arc(box, 0, 180, fill=(*p.accent, 160 - 20 * k), width=3 + k)
    for _ in range(int(rng.integers(2, 5))):
        mx, my = rng.uniform(0.08, 0.92, 2) * COVER_SIZE
        _disc(draw, float(mx), float(my), float(rng.uniform(6, 22)), (*p.accent, 230))
    return image


def _planet(canvas: np.ndarray, cx: float, cy: float, radius: float, p: _Palette) -> None:
    """Paint a sphere lit from the upper left, with banding, into the canvas."""
    rows, cols = _window(cx, cy, radius * 1.02)
    y, x = _grid()
    dx, dy = (x[:, cols] - cx) / radius, (y[rows] - cy) / radius
    r2 = dx * dx + dy * dy
    inside = r2 < 1.0
    dz = np.sqrt(np.maximum(1.0 - r2, 0.0))
    light = np.clip(-0.55 * dx - 0.55 * dy + 0.63 * dz, 0.0, 1.0)
    bands = 0.5 + 0.5 * np.sin(dy * 9.0 + 2.0 * np.sin(dx * 3.0))
    base = np.asarray(p.accent, dtype=np.float32) * (0.55 + 0.45 * bands[..., None])
    base = base * 0.15 + base * 0.95 * light[..., None]
    edge = np.clip((1.0 - r2) * 30.0, 0.0, 1.0)[..., None] * inside[..., None]
    canvas[rows, cols] = canvas[rows, cols] * (1 - edge) + base * edge


def _draw_grid(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Retro sunset: striped sun over a perspective grid floor."""
    horizon = float(rng.uniform(0.55, 0.66))
    canvas = _gradient(p.deep, p.accent2, 1.4)
    floor_top = np.asarray(_blend(p.deep, (0, 0, 0), 0.5), dtype=np.float32)
    canvas[int(horizon * COVER_SIZE) :] = floor_top
    _glow(canvas, 0.5, horizon, 0.35, p.accent, 0.45)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    if p.dark or rng.random() < 0.5:
        _stars(draw, rng, 160, horizon * 0.8)
    _striped_sun(image, p, horizon, float(rng.uniform(0.2, 0.28)))
    draw = ImageDraw.Draw(image, "RGBA")
    hy = horizon * COVER_SIZE
    line = (*p.accent, 200)
    for i in range(-14, 15):
        draw.line([(COVER_SIZE / 2 + i * 10, hy), (COVER_SIZE / 2 + i * 150, COVER_SIZE)], line, 2)
    for k in range(1, 14):
        yy = hy + (COVER_SIZE - hy) * (k / 13) ** 2.2
        draw.line([(0, yy), (COVER_SIZE, yy)], fill=line, width=2)
    draw.line([(0, hy), (COVER_SIZE, hy)], fill=(*p.light, 230), width=3)
    return image


def _striped_sun(image: Image.Image, p: _Palette, horizon: float, radius: float) -> None:
    """A gradient sun whose lower half is cut by widening horizontal gaps."""
    size = COVER_SIZE
    r = radius * size
    cx, cy = size / 2, horizon * size - r * 0.35
    sun = _gradient(p.light, p.accent, 1.0)
    mask = Image.new("L", (size, size), 0)
    mdraw = ImageDraw.Draw(mask)
    _disc(mdraw, cx, cy, r, (255,))
    for k in range(7):
        gap_y = cy + r * (0.05 + 0.14 * k)
        mdraw.rectangle((0, gap_y, size, gap_y + 4 + 3 * k), fill=0)
    mdraw.rectangle((0, horizon * size, size, size), fill=0)
    image.paste(_to_image(sun), (0, 0), mask)


def _draw_rays(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Sunburst of alternating rays around concentric discs."""
    canvas = _gradient(p.top, p.bottom, 1.0)
    cx, cy = float(rng.uniform(0.35, 0.65)), float(rng.uniform(0.45, 0.7))
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    count = int(rng.integers(14, 30)) * 2
    offset = float(rng.uniform(0, 2 * np.pi))
    px, py = cx * COVER_SIZE, cy * COVER_SIZE
    far = COVER_SIZE * 1.6
    for i in range(0, count, 2):
        a0 = offset + 2 * np.pi * i / count
        a1 = offset + 2 * np.pi * (i + 1) / count
        points = [(px, py), (px + far * math.cos(a0), py + far * math.sin(a0))]
        points.append((px + far * math.cos(a1), py + far * math.sin(a1)))
        draw.polygon(points, fill=(*p.accent, 70))
    for k, radius in enumerate(sorted(rng.uniform(60, 260, 4), reverse=True)):
        color = p.accent2 if k % 2 == 0 else p.light
        _disc(draw, px, py, float(radius), (*color, 200 if k else 120))
    return _blurred_discs(image, [(px, py, 300.0, (*p.light, 90))], 60.0, 8)


def _draw_bokeh(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Out-of-focus light discs in two depth layers over a dusky gradient."""
    canvas = _gradient(p.deep, _blend(p.top, p.bottom, 0.5), 1.2)
    _glow(canvas, float(rng.uniform(0.2, 0.8)), 0.7, 0.4, p.accent2, 0.3)
    image = _to_image(canvas)
    colors = (p.accent, p.accent2, p.light)
    for blur, factor, count, sizes in ((14.0, 4, 26, (60, 150)), (3.0, 2, 40, (12, 55))):
        discs = []
        for _ in range(count):
            x, y = rng.uniform(-0.05, 1.05, 2) * COVER_SIZE
            color = colors[int(rng.integers(len(colors)))]
            alpha = int(rng.uniform(50, 150))
            discs.append((float(x), float(y), float(rng.uniform(*sizes)), (*color, alpha)))
        image = _blurred_discs(image, discs, blur, factor)
    return image


def _blurred_discs(
    image: Image.Image,
    discs: list[tuple[float, float, float, tuple[int, ...]]],
    blur: float,
    factor: int,
) -> Image.Image:
    """Composite soft discs; drawn and blurred at 1/factor size since blur hides the detail."""
    small = COVER_SIZE // factor
    layer = Image.new("RGBA", (small, small), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for x, y, r, fill in discs:
        _disc(draw, x / factor, y / factor, r / factor, fill)
    layer = layer.filter(ImageFilter.GaussianBlur(blur / factor))
    layer = layer.resize(image.size, Image.Resampling.BILINEAR)
    out = image.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert("RGB")


def _draw_bauhaus(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A grid of flat geometric tiles: quarter circles, half discs, triangles and stripes."""
    n = int(rng.choice([3, 4]))
    tile = COVER_SIZE / n
    colors = (p.accent, p.accent2, p.deep, p.light, p.bottom)
    image = _to_image(_gradient(p.light, _blend(p.light, p.bottom, 0.25), 1.0))
    draw = ImageDraw.Draw(image, "RGBA")
    for row in range(n):
        for col in range(n):
            x0, y0 = col * tile, row * tile
            picks = rng.choice(len(colors), size=2, replace=False)
            back, front = colors[int(picks[0])], colors[int(picks[1])]
            draw.rectangle((x0, y0, x0 + tile, y0 + tile), fill=back)
            _tile_shape(draw, int(rng.integers(6)), int(rng.integers(4)), x0, y0, tile, front)
    return image


def _tile_shape(
    draw: ImageDraw.ImageDraw, shape: int, turn: int, x0: float, y0: float, s: float, color: RGB
) -> None:
    """Draw one of six motifs into a tile, rotated by quarter turns."""
    corners = [(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)]
    if shape == 0:
        cx, cy = corners[turn]
        draw.pieslice((cx - s, cy - s, cx + s, cy + s), 0, 360, fill=color)
    elif shape == 1:
        start = 90 * turn
        draw.pieslice((x0, y0, x0 + s, y0 + s), start, start + 180, fill=color)
    elif shape == 2:
        draw.polygon([corners[turn], corners[(turn + 1) % 4], corners[(turn + 2) % 4]], fill=color)
    elif shape == 3:
        pad = s * 0.18
        draw.ellipse((x0 + pad, y0 + pad, x0 + s - pad, y0 + s - pad), fill=color)
    elif shape == 4:
        for k in range(4):
            offset = s * (0.1 + 0.22 * k)
            draw.rectangle((x0, y0 + offset, x0 + s, y0 + offset + s * 0.1), fill=color)
    else:
        for k in range(3):
            pad = s * (0.08 + 0.14 * k)
            draw.ellipse((x0 + pad, y0 + pad, x0 + s - pad, y0 + s - pad), outline=color, width=10)


_DRAWERS: dict[str, Callable[[_Palette, np.random.Generator], Image.Image]] = {
    "horizon": _draw_horizon,
    "waves": _draw_waves,
    "orbits": _draw_orbits,
    "grid": _draw_grid,
    "rays": _draw_rays,
    "bokeh": _draw_bokeh,
    "bauhaus": _draw_bauhaus,
}


@functools.cache
def _vignette() -> np.ndarray:
    """Cached radial darkening mask (H, W, 1)."""
    y, x = _grid()
    falloff = np.clip(((x - 0.5) ** 2 + (y - 0.5) ** 2) * 2.2, 0, 1) ** 1.5
    return (1.0 - 0.38 * falloff)[..., None].astype(np.float32)


def _finish(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Soften hard polygon edges, add a vignette and film grain for depth."""
    arr = np.asarray(image.filter(ImageFilter.SMOOTH), dtype=np.float32)
    arr *= _vignette()
    arr += rng.standard_normal((COVER_SIZE, COVER_SIZE, 1), dtype=np.float32) * np.float32(4.5)
    return _to_image(arr)
