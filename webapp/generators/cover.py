"""Procedural album covers: prompt-derived palette and composition drawn with Pillow and numpy."""

from __future__ import annotations

import colorsys
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

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
    "fog=205 sunrise=30 dream=280 ghost=230 ash=30 coffee=28 rust=18 teal=175 mint=155 "
    "happy=50 joy=48 joyful=48 cheerful=45 sad=215 melancholy=225 lonely=230 angry=0 rage=2 "
    "calm=175 peaceful=160 serene=185 mysterious=275 romantic=340 energetic=25 hopeful=55 "
    "chill=190 ember=14 embers=14 blaze=16 burning=14 inferno=8 volcano=10 campfire=22 "
    "crimson=350 scarlet=4 amber=40 turquoise=178 cyan=185 navy=228 indigo=250 magenta=312 "
    "lime=88 olive=68 brown=24 azure=210 cobalt=222 lilac=280 peach=24 coral=12"
)
# Words that name a colour: they set the cover's colour in every composition, whatever the
# subject's own colours (a green fire is green).
_COLOUR_WORDS = frozenset(
    prompt_words(
        "red orange yellow gold golden green emerald mint teal blue purple violet pink lavender "
        "crimson scarlet amber turquoise cyan navy indigo magenta lime olive brown azure cobalt "
        "lilac peach coral"
    )
)
_DARK_WORDS = frozenset(
    {"night", "midnight", "dark", "space", "galaxy", "shadow", "noir", "storm", "cosmic", "void",
     "stars", "starry"}
)
_LIGHT_WORDS = frozenset({"snow", "cloud", "clouds", "mist", "fog", "morning", "white", "soft"})
_PASTEL_WORDS = frozenset({"dream", "dreamy", "soft", "pastel", "gentle", "calm", "lofi", "lo"})
_VIVID_WORDS = frozenset(
    {"neon", "fire", "flames", "party", "electric", "energetic", "cyber", "vivid", "happy"}
)


def _keyword_map(groups: dict[str, str]) -> dict[str, str]:
    """Invert {composition: 'word word ...'} into {word: composition}."""
    return {word: name for name, words in groups.items() for word in words.split()}


_COMPOSITION_GROUPS = {
    "city": "city cities urban street streets skyline downtown metropolis skyscraper "
    "skyscrapers buildings town traffic subway",
    "forest": "forest forests woods woodland tree trees jungle pine pines grove wilderness",
    "waves": "ocean sea wave waves water beach surf tide lake river shore sail island",
    "orbits": "space galaxy planet planets cosmic orbit astral universe nebula astronaut rocket",
    "horizon": "mountain mountains hill hills peak peaks valley alps horizon road canyon cliff",
    "desert": "desert deserts dune dunes sand sahara cactus arid oasis dust dusty",
    "flowers": "flower flowers bloom blossom blossoms rose roses garden petal petals tulip "
    "tulips daisy lily meadow",
    "bauhaus": "geometric geometry abstract bauhaus modern minimal shape shapes pattern",
    "portrait": "portrait face faces singer person woman man girl boy silhouette self "
    "vocalist diva hero",
    "night sky": "stars star moon constellation constellations sky milky starry night",
    "fire": "fire fires flame flames burning blaze inferno ember embers campfire lava volcano",
    "rain": "rain rainy raining storm stormy drizzle thunder umbrella puddle wet monsoon",
    "grid": "retro synthwave 80s neon cyber cyberpunk arcade vaporwave outrun grid",
    "rays": "sunburst light rays ray shine radiant glory dawn sunrise",
    "bokeh": "dream dreamy bokeh lights glow club bubbles firefly fireflies",
}
# Subjects that can fall over another scene: "forest fire" is fire over a forest.
_OVERLAY_FAMILIES = ("fire", "rain")
# Drawn when no word names a subject: never a random scene.
_ABSTRACT = "abstract"
_TITLE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# What each family looks like, for alt text.
_FAMILY_NAMES = {
    "city": "city skyline",
    "forest": "forest",
    "waves": "sea",
    "orbits": "planet in space",
    "horizon": "mountains",
    "desert": "desert dunes",
    "flowers": "flowers",
    "bauhaus": "abstract geometry",
    "portrait": "portrait silhouette",
    "night sky": "night sky",
    "fire": "fire",
    "rain": "rain",
    "grid": "retro grid",
    "rays": "sunburst",
    "bokeh": "bokeh lights",
    "abstract": "abstract colour fields",
}
# Families whose subject has its own colours: their palettes stay in these hue ranges.
_WARM_FAMILIES = {"fire": (0.0, 38.0), "desert": (18.0, 48.0)}
_COMPOSITION_WORDS = _keyword_map(_COMPOSITION_GROUPS)


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
    named: bool = False  # a colour word chose the hue: subjects keep it


def render_cover(
    prompt: str,
    seed: int,
    out: Output,
    thumb_out: Output,
    progress: ProgressFn | None = None,
    *,
    title: str | None = None,
) -> tuple[int, int]:
    """Draw a COVER_SIZE square cover (with the title set on it, if given) and a thumbnail."""
    report = Progress(progress)
    report(0)
    rng, palette, (composition, overlay) = _choose(prompt, seed)
    report(10)
    image = _DRAWERS[composition](palette, rng)
    if overlay is not None:
        _OVERLAYS[overlay](image, palette, rng)
    report(60)
    image = _finish(image, rng)
    if title and title.strip():
        _title(image, title.strip(), palette)
    report(80)
    write_output(out, _encode(image))
    report(90)
    thumb = image.resize((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    write_output(thumb_out, _encode(thumb))
    report(100)
    return image.size


def describe_cover(prompt: str, seed: int) -> str:
    """A short description of the composition chosen for a prompt (for alt text)."""
    _, palette, (composition, overlay) = _choose(prompt, seed)
    mood = "night" if palette.dark else "light"
    subject = _FAMILY_NAMES[composition].capitalize()
    if overlay is not None:
        subject += f" with {_FAMILY_NAMES[overlay]}"
    return f"{subject} artwork in a {mood} palette"


def _choose(
    prompt: str, seed: int
) -> tuple[np.random.Generator, _Palette, tuple[str, str | None]]:
    """The seeded generator, palette and (scene, overlay) for a prompt (rng ready to draw)."""
    text = str(prompt or "")
    words = prompt_words(text)
    rng = seeded_rng("cover", " ".join(words) or text.strip(), seed)
    scene, overlay = _subjects(words)
    return rng, _palette(words, rng, _WARM_FAMILIES.get(scene)), (scene, overlay)


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


def _palette(
    words: list[str], rng: np.random.Generator, warm: tuple[float, float] | None
) -> _Palette:
    """Derive a harmonious palette from colour and mood words, the subject and the seed.

    Seeds move the hue by up to 25 degrees and pick the second colour's relation
    (analogous, complementary, split), so covers of one prompt differ visibly. A warm
    subject (fire, desert) keeps both colours inside its warm range.
    """
    hues = [_HUES[w] for w in words if w in _HUES]
    named = [_HUES[w] for w in words if w in _COLOUR_WORDS]
    hue = float(hues[0]) if hues else float(rng.uniform(0, 360))
    hue += float(rng.uniform(-25, 25))
    second = float(hues[1]) if len(hues) > 1 else hue + float(rng.choice([30, -30, 150, 180, 210]))
    if named:
        # A named colour leads; a second one, or a close neighbour, follows.
        hue = named[0] + float(rng.uniform(-6, 6))
        second = float(named[1]) if len(named) > 1 else hue + float(rng.choice([-20, 20]))
    elif warm is not None:
        hue = float(rng.uniform(*warm))
        second = float(np.clip(hue + rng.uniform(-15, 15), *warm))
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
    if named:
        accent2 = _hsv(second + 35, sat * 0.9, 0.85 if not dark else 0.7)
    return _Palette(top, bottom, accent, accent2, light_c, deep, dark, bool(named))


def _subjects(words: list[str]) -> tuple[str, str | None]:
    """The scene and what falls over it, from every subject word of the prompt.

    Each family scores one per word naming it; the best scene wins (ties go to the earlier
    word). Fire or rain named beside another scene falls over it ("forest fire", "city rain").
    No subject word at all gives the neutral abstract design.
    """
    scores: dict[str, int] = {}
    for word in words:
        if word in _COMPOSITION_WORDS:
            family = _COMPOSITION_WORDS[word]
            scores[family] = scores.get(family, 0) + 1
    if not scores:
        return _ABSTRACT, None
    ranked = sorted(scores, key=lambda f: -scores[f])  # stable: earlier words first on ties
    scenes = [f for f in ranked if f not in _OVERLAY_FAMILIES]
    overlays = [f for f in ranked if f in _OVERLAY_FAMILIES]
    if scenes and overlays:
        return scenes[0], overlays[0]
    return ranked[0], None


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
        """The pixel indices within reach of one coordinate."""
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


def _sky(
    p: _Palette,
    rng: np.random.Generator,
    curve: float,
    sun: tuple[float, float],
    glow: tuple[float, RGB, float],
    stars: tuple[int, float] | None = None,
    disc: tuple[float, float, int] | None = None,
) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """Sky with a glow (radius, colour, amount) at sun, stars if dark, its disc (lo, hi, alpha)."""
    canvas = _gradient(p.top, p.bottom, curve)
    sx, sy = sun
    radius, color, amount = glow
    _glow(canvas, sx, sy, radius, color, amount)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    if stars and p.dark:
        _stars(draw, rng, *stars)
    if disc:
        smallest, largest, alpha = disc
        size = float(rng.uniform(smallest, largest))
        _disc(draw, sx * COVER_SIZE, sy * COVER_SIZE, size, (*p.light, alpha))
    return image, draw


# ---------------------------------------------------------------------------
# Compositions
# ---------------------------------------------------------------------------


def _draw_horizon(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Sky, a low sun or moon with glow, and layered mountain ridges fading into haze."""
    curve = float(rng.uniform(0.8, 1.6))
    sun = float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.3, 0.5))
    image, draw = _sky(p, rng, curve, sun, glow=(0.28, p.light, 0.35), stars=(260, 0.6),
                       disc=(70, 130, 235))
    layers = int(rng.integers(4, 7))
    for i in range(layers):
        t = (i + 1) / layers
        color = _blend(_blend(p.bottom, p.accent2, 0.35), p.deep, t**0.8)
        base = 0.5 + 0.45 * t
        draw.polygon(_polygon_below(_ridge(rng, base, 0.09 * (1.2 - t * 0.5), 0.18)), fill=color)
    return image


def _draw_waves(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Sun over layered sine-wave bands with thin foam highlights."""
    sx = float(rng.uniform(0.3, 0.7))
    image, draw = _sky(p, rng, 1.3, (sx, 0.42), glow=(0.3, p.accent, 0.4), stars=(200, 0.45))
    # This sun's disc sits a little above its glow, so it is drawn here rather than by _sky.
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


def _draw_city(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A skyline in two depths with lit windows, under a sky with a low sun or moon."""
    curve = float(rng.uniform(0.8, 1.5))
    sun = float(rng.uniform(0.15, 0.85)), float(rng.uniform(0.2, 0.45))
    image, draw = _sky(p, rng, curve, sun, glow=(0.25, p.light, 0.4), stars=(160, 0.45),
                       disc=(40, 90, 220))
    lit = 0.55 if p.dark else 0.18
    for depth, (low, high) in enumerate(((0.25, 0.6), (0.45, 0.85))):
        color = _blend(_blend(p.bottom, p.deep, 0.55), p.deep, depth * 0.9)
        x = float(rng.uniform(-60, 0))
        while x < COVER_SIZE:
            width = float(rng.uniform(50, 140))
            top = COVER_SIZE * (1 - float(rng.uniform(low, high)) * (0.75 + 0.25 * depth))
            draw.rectangle((x, top, x + width, COVER_SIZE), fill=color)
            if rng.random() < 0.25:
                draw.line([(x + width / 2, top), (x + width / 2, top - 40)], fill=color, width=4)
            _windows(draw, rng, (x, top, width), lit * (0.5 + 0.5 * depth), p)
            x += width + float(rng.uniform(-10, 18))
    return image


def _windows(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    building: tuple[float, float, float],
    lit: float,
    p: _Palette,
) -> None:
    """Rows of small windows on a building, a share of them lit."""
    x, top, width = building
    for wy in np.arange(top + 14, COVER_SIZE - 10, 22):
        for wx in np.arange(x + 8, x + width - 12, 16):
            if rng.random() < lit:
                color = p.light if rng.random() < 0.7 else p.accent
                draw.rectangle((wx, wy, wx + 7, wy + 10), fill=(*color, 210))


def _draw_forest(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Rows of pines (or round trees) fading into haze, a sun behind them."""
    curve = float(rng.uniform(0.8, 1.6))
    sun = float(rng.uniform(0.2, 0.8)), 0.4
    image, draw = _sky(p, rng, curve, sun, glow=(0.3, p.light, 0.45), stars=(180, 0.4))
    pines = rng.random() < 0.7
    rows = int(rng.integers(3, 6))
    for row in range(rows):
        t = (row + 1) / rows
        color = _blend(_blend(p.bottom, p.accent2, 0.3), p.deep, t**0.7)
        base = COVER_SIZE * (0.55 + 0.45 * t)
        size = 70 + 150 * t
        x = float(rng.uniform(-size, 0))
        while x < COVER_SIZE + size:
            height = size * float(rng.uniform(1.4, 2.6))
            if pines:
                _pine(draw, x, base, size * float(rng.uniform(0.6, 1.0)), height, color)
            else:
                trunk = (x - size * 0.06, base - height * 0.4, x + size * 0.06, base)
                draw.rectangle(trunk, fill=color)
                _disc(draw, x, base - height * 0.55, size * float(rng.uniform(0.45, 0.7)), color)
            x += size * float(rng.uniform(0.35, 0.8))
        draw.rectangle((0, base - 2, COVER_SIZE, COVER_SIZE), fill=color)
    return image


def _pine(
    draw: ImageDraw.ImageDraw, x: float, base: float, width: float, height: float, color: RGB
) -> None:
    """A conifer: three stacked triangles on a short trunk."""
    draw.rectangle((x - width * 0.05, base - height * 0.15, x + width * 0.05, base), fill=color)
    for tier in range(3):
        bottom = base - height * (0.1 + 0.25 * tier)
        half = width * (0.5 - 0.12 * tier)
        top = bottom - height * 0.45
        draw.polygon([(x - half, bottom), (x + half, bottom), (x, top)], fill=color)


def _draw_desert(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A big sun over layered dunes with lit crests, and the odd cactus."""
    curve = float(rng.uniform(1.0, 1.8))
    sun = float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.25, 0.45))
    image, draw = _sky(p, rng, curve, sun, glow=(0.35, p.accent, 0.5), disc=(90, 170, 235))
    x = np.linspace(0.0, 1.0, 257)
    layers = int(rng.integers(3, 6))
    for i in range(layers):
        t = (i + 1) / layers
        base = 0.55 + 0.4 * t
        freq, phase = float(rng.uniform(0.5, 1.6)), float(rng.uniform(0, 2 * np.pi))
        ys = (base - 0.06 * np.sin(2 * np.pi * freq * x + phase) ** 2) * COVER_SIZE
        color = _blend(_blend(p.bottom, p.accent, 0.4), p.deep, t**1.2)
        draw.polygon(_polygon_below(ys), fill=color)
        draw.line(_skyline(ys), fill=(*_blend(color, p.light, 0.5), 160), width=3)
        if rng.random() < 0.4:
            cx = float(rng.uniform(0.1, 0.9)) * COVER_SIZE
            _cactus(draw, cx, float(np.interp(cx / COVER_SIZE, x, ys)) + 6, 40 + 60 * t, p.deep)
    return image


def _cactus(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, color: RGB) -> None:
    """A saguaro silhouette: a trunk and two raised arms."""
    w = height * 0.14
    draw.rounded_rectangle((x - w, base - height, x + w, base), radius=w, fill=color)
    for side in (-1, 1):
        arm_x = x + side * w * 2.4
        arm_top = base - height * (0.75 if side < 0 else 0.6)
        draw.rounded_rectangle(
            (min(x, arm_x) - w * 0.8, base - height * 0.45, max(x, arm_x) + w * 0.8,
             base - height * 0.3),
            radius=w * 0.7,
            fill=color,
        )
        draw.rounded_rectangle(
            (arm_x - w * 0.8, arm_top, arm_x + w * 0.8, base - height * 0.3),
            radius=w * 0.8,
            fill=color,
        )


def _draw_flowers(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Blossoms of several petal counts on stems, over soft out-of-focus colour."""
    canvas = _gradient(_blend(p.top, p.light, 0.2), p.bottom, 1.0)
    image = _blurred_discs(
        _to_image(canvas),
        [
            (*(rng.uniform(0, 1, 2) * COVER_SIZE).tolist(), float(rng.uniform(80, 200)),
             (*p.accent2, int(rng.uniform(40, 110))))
            for _ in range(14)
        ],
        30.0,
        4,
    )
    draw = ImageDraw.Draw(image, "RGBA")
    stem = _blend(p.deep, (40, 110, 50), 0.6)
    blossoms = sorted(
        ((float(rng.uniform(0.08, 0.92)), float(rng.uniform(0.15, 0.75))) for _ in range(
            int(rng.integers(5, 11)))),
        key=lambda point: point[1],
    )
    for fx, fy in blossoms:
        cx, cy = fx * COVER_SIZE, fy * COVER_SIZE
        radius = float(rng.uniform(45, 120)) * (0.6 + 0.6 * fy)
        draw.line([(cx, cy), (cx + float(rng.uniform(-60, 60)), COVER_SIZE)], fill=stem, width=6)
        colors = (p.accent, p.light, p.accent2)
        _blossom(draw, cx, cy, radius, int(rng.integers(5, 9)), colors[int(rng.integers(3))],
                 float(rng.uniform(0, np.pi)))
        _disc(draw, cx, cy, radius * 0.22, (*_blend(p.accent2, (250, 210, 60), 0.6), 255))
    return image


def _blossom(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, petals: int, color: RGB,
    turn: float,
) -> None:
    """Petals as ellipses fanned around a centre."""
    t = np.linspace(0, 2 * np.pi, 24)
    for k in range(petals):
        angle = turn + 2 * np.pi * k / petals
        ux, uy = math.cos(angle), math.sin(angle)
        mx, my = cx + ux * radius * 0.5, cy + uy * radius * 0.5
        a, b = radius * 0.5, radius * 0.22
        points = [
            (mx + a * math.cos(s) * ux - b * math.sin(s) * uy,
             my + a * math.cos(s) * uy + b * math.sin(s) * ux)
            for s in t
        ]
        draw.polygon(points, fill=(*_blend(color, (255, 255, 255), 0.15 * (k % 2)), 235))


def _draw_portrait(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A head-and-shoulders silhouette with a rim of light against a halo."""
    canvas = _gradient(p.top, p.bottom, 1.2)
    cx = float(rng.uniform(0.35, 0.65))
    _glow(canvas, cx, 0.42, float(rng.uniform(0.25, 0.4)), p.light, 0.6)
    _glow(canvas, float(rng.uniform(0.1, 0.9)), float(rng.uniform(0.1, 0.9)), 0.3, p.accent2, 0.35)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    x = cx * COVER_SIZE
    head = float(rng.uniform(120, 170))
    head_y = COVER_SIZE * float(rng.uniform(0.36, 0.46))
    tilt = float(rng.uniform(-0.25, 0.25)) * head
    rim = (*p.light, 200)
    for grow, fill in ((6, rim), (0, (*p.deep, 255))):
        draw.ellipse(
            (x - head * 0.78 - grow + tilt, head_y - head - grow, x + head * 0.78 + grow + tilt,
             head_y + head + grow),
            fill=fill,
        )
        draw.rectangle(
            (x - head * 0.35 - grow, head_y + head * 0.6, x + head * 0.35 + grow,
             head_y + head * 1.6),
            fill=fill,
        )
        draw.ellipse(
            (x - head * 2.6 - grow, head_y + head * 1.35 - grow, x + head * 2.6 + grow,
             head_y + head * 4.5),
            fill=fill,
        )
    return image


def _draw_night_sky(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A starfield with a milky band, a crescent moon and dark hills."""
    canvas = _gradient(_blend(p.deep, (0, 0, 0), 0.5), _blend(p.top, p.deep, 0.4), 1.0)
    angle = float(rng.uniform(-0.6, 0.6))
    for k in range(8):
        t = k / 7
        _glow(canvas, t, 0.45 + angle * (t - 0.5), 0.12, p.accent2, 0.18)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    _stars(draw, rng, 700, 1.0)
    for _ in range(300):
        t = float(rng.uniform(0, 1))
        y = (0.45 + angle * (t - 0.5) + float(rng.normal(0, 0.05))) * COVER_SIZE
        _disc(draw, t * COVER_SIZE, y, float(rng.uniform(0.5, 1.4)), (255, 255, 240, 200))
    mx, my = float(rng.uniform(0.15, 0.85)) * COVER_SIZE, float(rng.uniform(0.1, 0.3)) * COVER_SIZE
    moon = float(rng.uniform(40, 75))
    _disc(draw, mx, my, moon, (*p.light, 245))
    shadow = _blend(p.deep, (0, 0, 0), 0.5)
    _disc(draw, mx + moon * 0.45, my - moon * 0.2, moon * 0.92, (*shadow, 255))
    draw.polygon(_polygon_below(_ridge(rng, 0.88, 0.05, 0.1)), fill=_blend(p.deep, (0, 0, 0), 0.6))
    return image


def _draw_fire(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Layered flame tongues from deep red to a white-hot core, with rising sparks."""
    canvas = _gradient(_blend(p.deep, (0, 0, 0), 0.6), _blend(p.accent, (60, 0, 0), 0.5), 1.6)
    _glow(canvas, 0.5, 0.85, 0.45, p.accent, 0.7)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    hue = colorsys.rgb_to_hsv(*(c / 255 for c in p.accent))[0] * 360
    layers = ((hue - 8, 0.95, 0.75, 1.0), (hue, 1.0, 0.95, 0.8), (hue + 18, 0.9, 1.0, 0.6),
              (hue + 35, 0.4, 1.0, 0.38))
    centre = float(rng.uniform(0.4, 0.6)) * COVER_SIZE
    for layer_hue, sat, val, scale in layers:
        color = _hsv(layer_hue if p.named else min(max(layer_hue, 0.0), 55.0), sat, val)
        for _ in range(int(rng.integers(5, 9))):
            x = centre + float(rng.normal(0, 180 * scale))
            _flame(draw, rng, x, COVER_SIZE * 1.02, 160 * scale, 700 * scale, (*color, 215))
    for _ in range(120):
        x, y = float(rng.normal(centre, 220)), float(rng.uniform(0.05, 0.8)) * COVER_SIZE
        _disc(draw, x, y, float(rng.uniform(1, 3.5)), (*_hsv(hue + 30, 0.6, 1.0), 220))
    return image


def _flame(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    x: float,
    base: float,
    width: float,
    height: float,
    fill: tuple[int, ...],
) -> None:
    """One flickering tongue: a teardrop whose edges waver and whose tip bends."""
    h = height * float(rng.uniform(0.6, 1.2))
    w = width * float(rng.uniform(0.6, 1.2))
    bend = float(rng.uniform(-0.35, 0.35)) * w
    t = np.linspace(0, 1, 40)
    cycles, phase = float(rng.uniform(1.5, 3)), float(rng.uniform(0, 1))
    wobble = 0.12 * w * np.sin(2 * np.pi * (t * cycles + phase))
    half = w * np.sin(np.pi * (1 - t) ** 0.8) * (1 - t) ** 0.3 + wobble * (1 - t)
    ys = base - h * t
    xs = x + bend * t**2
    left = list(zip((xs - half).tolist(), ys.tolist(), strict=True))
    right = list(zip((xs + half).tolist(), ys.tolist(), strict=True))
    draw.polygon(left + right[::-1], fill=fill)


def _draw_rain(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """Blurred lights behind slanting rain, with ripples on the ground."""
    canvas = _gradient(_blend(p.top, (90, 100, 115), 0.45), _blend(p.bottom, p.deep, 0.5), 1.0)
    image = _blurred_discs(
        _to_image(canvas),
        [
            (float(rng.uniform(0, COVER_SIZE)), float(rng.uniform(0.35, 0.8) * COVER_SIZE),
             float(rng.uniform(20, 70)),
             (*(p.accent if rng.random() < 0.5 else p.light), int(rng.uniform(70, 160))))
            for _ in range(30)
        ],
        16.0,
        4,
    )
    draw = ImageDraw.Draw(image, "RGBA")
    slant = float(rng.uniform(-0.35, 0.35))
    for _ in range(900):
        x, y = float(rng.uniform(-100, COVER_SIZE + 100)), float(rng.uniform(0, COVER_SIZE))
        length = float(rng.uniform(25, 70))
        draw.line([(x, y), (x + slant * length, y + length)], fill=(*p.light, 80), width=2)
    for _ in range(int(rng.integers(6, 14))):
        x, y = float(rng.uniform(0, COVER_SIZE)), float(rng.uniform(0.82, 0.98)) * COVER_SIZE
        r = float(rng.uniform(20, 60))
        draw.ellipse((x - r, y - r * 0.25, x + r, y + r * 0.25), outline=(*p.light, 110), width=2)
    return image


def _draw_abstract(p: _Palette, rng: np.random.Generator) -> Image.Image:
    """A neutral design for prompts without a subject: soft colour fields and fine arcs."""
    canvas = _gradient(p.top, p.bottom, float(rng.uniform(0.7, 1.4)))
    for color, amount in ((p.accent, 0.55), (p.accent2, 0.45), (p.light, 0.3), (p.deep, -0.5)):
        cx, cy = rng.uniform(0.15, 0.85, 2)
        _glow(canvas, float(cx), float(cy), float(rng.uniform(0.2, 0.38)), color, amount)
    image = _to_image(canvas)
    draw = ImageDraw.Draw(image, "RGBA")
    cx, cy = rng.uniform(0.3, 0.7, 2) * COVER_SIZE
    for k in range(int(rng.integers(5, 10))):
        r = (0.12 + 0.07 * k) * COVER_SIZE
        start = float(rng.uniform(0, 360))
        draw.arc((cx - r, cy - r, cx + r, cy + r), start, start + float(rng.uniform(60, 220)),
                 fill=(*p.light, 120 - 8 * k), width=3)
    return image


def _overlay_fire(image: Image.Image, p: _Palette, rng: np.random.Generator) -> None:
    """Flames rising from the foot of a scene, with a hot glow above them, drawn in place."""
    draw = ImageDraw.Draw(image, "RGBA")
    hue = colorsys.rgb_to_hsv(*(c / 255 for c in p.accent))[0] * 360 if p.named else 14.0
    draw.rectangle((0, int(0.55 * COVER_SIZE), COVER_SIZE, COVER_SIZE),
                   fill=(*_hsv(hue, 0.9, 0.5), 60))
    for layer_hue, sat, val, scale in ((hue - 6, 0.95, 0.8, 1.0), (hue + 10, 1.0, 1.0, 0.75),
                                       (hue + 30, 0.45, 1.0, 0.45)):
        for _ in range(int(rng.integers(7, 12))):
            x = float(rng.uniform(-0.05, 1.05)) * COVER_SIZE
            _flame(draw, rng, x, COVER_SIZE * 1.02, 110 * scale, 520 * scale,
                   (*_hsv(layer_hue, sat, val), 210))


def _overlay_rain(image: Image.Image, p: _Palette, rng: np.random.Generator) -> None:
    """A grey wash and slanting rain over a scene, drawn in place."""
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle((0, 0, COVER_SIZE, COVER_SIZE), fill=(*_blend(p.deep, (90, 100, 115), 0.5), 70))
    slant = float(rng.uniform(-0.3, 0.3))
    for _ in range(700):
        x, y = float(rng.uniform(-100, COVER_SIZE + 100)), float(rng.uniform(0, COVER_SIZE))
        length = float(rng.uniform(25, 70))
        draw.line([(x, y), (x + slant * length, y + length)], fill=(*p.light, 90), width=2)


def _title(image: Image.Image, title: str, p: _Palette) -> None:
    """Set the title in bold type on a dark band across the foot of the cover, in place."""
    font_size = 92
    font = _font(font_size)
    lines = _wrap(title, font)
    while font_size > 36 and (len(lines) > 2 or any(_width(line, font) > 0.86 * COVER_SIZE
                                                    for line in lines)):
        font_size -= 8
        font = _font(font_size)
        lines = _wrap(title, font)
    lines = lines[:2]
    height = int(len(lines) * font_size * 1.2 + font_size * 0.9)
    top = COVER_SIZE - height
    band = Image.new("RGBA", (COVER_SIZE, height), (*_blend(p.deep, (0, 0, 0), 0.6), 170))
    image.paste(band, (0, top), band)
    draw = ImageDraw.Draw(image)
    y = top + font_size * 0.45
    for line in lines:
        x = (COVER_SIZE - _width(line, font)) / 2
        draw.text((x + 3, y + 3), line, font=font, fill=(0, 0, 0))
        draw.text((x, y), line, font=font, fill=_blend(p.light, (255, 255, 255), 0.5))
        y += font_size * 1.2


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans Bold (Debian's fonts-dejavu-core) at a size, or Pillow's own font."""
    try:
        return ImageFont.truetype(_TITLE_FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _width(text: str, font) -> float:
    """Rendered width of a line of text in pixels."""
    return float(font.getlength(text))


def _wrap(title: str, font) -> list[str]:
    """The title broken into lines that fit the cover's width at this font."""
    lines: list[str] = []
    for word in title.split():
        if lines and _width(f"{lines[-1]} {word}", font) <= 0.86 * COVER_SIZE:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


_OVERLAYS: dict[str, Callable[[Image.Image, _Palette, np.random.Generator], None]] = {
    "fire": _overlay_fire,
    "rain": _overlay_rain,
}


_DRAWERS: dict[str, Callable[[_Palette, np.random.Generator], Image.Image]] = {
    "horizon": _draw_horizon,
    "waves": _draw_waves,
    "orbits": _draw_orbits,
    "grid": _draw_grid,
    "rays": _draw_rays,
    "bokeh": _draw_bokeh,
    "bauhaus": _draw_bauhaus,
    "city": _draw_city,
    "forest": _draw_forest,
    "desert": _draw_desert,
    "flowers": _draw_flowers,
    "portrait": _draw_portrait,
    "night sky": _draw_night_sky,
    "fire": _draw_fire,
    "rain": _draw_rain,
    "abstract": _draw_abstract,
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
