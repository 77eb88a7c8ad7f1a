"""Covers: every subject word scored, composites, the abstract design, colours, titles."""

import io

import numpy as np
import pytest
from PIL import Image

from webapp.generators import cover


def _render(prompt: str, seed: int = 1, title: str | None = None) -> tuple[bytes, bytes]:
    """Cover and thumbnail bytes."""
    full, thumb = io.BytesIO(), io.BytesIO()
    cover.render_cover(prompt, seed, full, thumb, title=title)
    return full.getvalue(), thumb.getvalue()


def _hue(data: bytes) -> float:
    """Circular mean hue in degrees of the image's saturated pixels."""
    hsv = np.asarray(Image.open(io.BytesIO(data)).convert("HSV"), dtype=np.float64)
    angle = hsv[..., 0][hsv[..., 1] > 60] / 255 * 2 * np.pi
    return float(np.degrees(np.arctan2(np.sin(angle).mean(), np.cos(angle).mean())) % 360)


def _hue_distance(a: float, b: float) -> float:
    """Degrees between two hues on the colour wheel."""
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize(("prompt", "described"), [
    ("forest fire", "Forest with fire"),
    ("fire in the forest", "Forest with fire"),
    ("city rain", "City skyline with rain"),
    ("rain over the desert dunes", "Desert dunes with rain"),
    ("sea breeze through the forest trees", "Forest"),
    ("stars over the lake", "Night sky"),
])
def test_every_subject_word_is_scored_and_composites_layer(prompt: str, described: str) -> None:
    """The most-named subject is the scene; fire or rain beside a scene falls over it."""
    for seed in (1, 2):
        assert cover.describe_cover(prompt, seed).startswith(described)


def test_a_composite_draws_both_subjects() -> None:
    """Fire over a forest is not the plain forest: the same seed, flames added at the foot."""
    forest = np.asarray(Image.open(io.BytesIO(_render("forest", 3)[1])), dtype=np.float64)
    on_fire = np.asarray(Image.open(io.BytesIO(_render("forest fire", 3)[1])), dtype=np.float64)
    foot = slice(int(0.75 * forest.shape[0]), None)
    # Red over green at the foot of the picture: flames in front of the trees.
    assert (on_fire[foot, :, 0] - on_fire[foot, :, 1]).mean() > (
        forest[foot, :, 0] - forest[foot, :, 1]).mean() + 30


@pytest.mark.parametrize("prompt", ["happy yellow summer", "green tea", "xyzzy plugh", "???"])
def test_unknown_subjects_get_the_neutral_abstract_design(prompt: str) -> None:
    """No subject word: the abstract design, for every seed (never a random scene)."""
    for seed in range(5):
        assert cover.describe_cover(prompt, seed).startswith("Abstract colour fields")


@pytest.mark.parametrize(("prompt", "hue"), [("happy yellow summer", 52), ("green tea", 130)])
def test_unknown_subjects_are_drawn_in_the_prompt_colours(prompt: str, hue: float) -> None:
    """'green tea' comes out green, 'happy yellow summer' yellow."""
    for seed in range(3):
        assert _hue_distance(_hue(_render(prompt, seed)[1]), hue) < 30


_SUBJECT_OF_FAMILY = {
    "city": "city", "forest": "forest", "waves": "sea", "orbits": "space",
    "horizon": "mountains", "desert": "desert", "flowers": "flowers", "bauhaus": "geometric",
    "portrait": "portrait", "night sky": "stars", "fire": "fire", "rain": "rain",
    "grid": "synthwave", "rays": "sunburst", "bokeh": "bokeh", "abstract": "tea",
}


def test_every_template_is_covered_here() -> None:
    """The colour test below reaches every drawing template."""
    assert set(_SUBJECT_OF_FAMILY) == set(cover._DRAWERS)


@pytest.mark.parametrize("family", sorted(_SUBJECT_OF_FAMILY))
@pytest.mark.parametrize(("colour", "hue"), [("green", 130), ("blue", 220), ("red", 2)])
def test_colour_words_are_honoured_in_every_template(family: str, colour: str, hue: float) -> None:
    """'<colour> <subject>' comes out in that colour whatever the subject's own colours."""
    image = _render(f"{colour} {_SUBJECT_OF_FAMILY[family]}", 1)[1]
    assert _hue_distance(_hue(image), hue) < 40


def test_a_title_is_set_at_the_foot_and_leaves_the_picture_alone() -> None:
    """With a title: light type on a dark band at the foot; the rest is the same picture."""
    plain = np.asarray(Image.open(io.BytesIO(_render("mountains at dawn", 4)[0])), dtype=float)
    titled_bytes = _render("mountains at dawn", 4, title="Morning Over The Valley")[0]
    titled = np.asarray(Image.open(io.BytesIO(titled_bytes)), dtype=float)
    assert titled_bytes == _render("mountains at dawn", 4, title="Morning Over The Valley")[0]
    top = slice(0, int(0.6 * plain.shape[0]))
    assert np.abs(titled[top] - plain[top]).mean() < 1.0
    foot = titled[int(0.8 * plain.shape[0]) :]
    assert np.abs(foot - plain[int(0.8 * plain.shape[0]) :]).mean() > 10
    brightness = foot.mean(axis=2)
    assert (brightness > 200).mean() > 0.01 and (brightness < 40).mean() > 0.3


def test_a_long_title_still_fits() -> None:
    """A long title is wrapped and shrunk, never drawn off the edge (edges stay the band)."""
    image = np.asarray(Image.open(io.BytesIO(
        _render("sea", 2, title="An Extraordinarily Long Title " * 4)[0])), dtype=float)
    foot = image[-80:]
    assert foot[:, :20].mean(axis=2).max() < 120 and foot[:, -20:].mean(axis=2).max() < 120


def test_the_studio_sets_the_title_on_a_cover_when_asked(client, auth):
    """The 'Set the title on the cover' box is stored with the job and the worker draws it."""
    from bs4 import BeautifulSoup
    from sqlalchemy import select

    from webapp import db, jobs, storage
    from webapp.models import Generation, Media

    assert auth.signup("alice").status_code == 303
    app = client.application
    made = {}
    for box in ("on", ""):
        page = BeautifulSoup(client.get("/studio").data, "html.parser")
        assert page.find("input", attrs={"name": "cover_title", "type": "checkbox"})
        form = {"kind": "image", "prompt": "mountains at dawn", "genre": "pop", "duration": "10",
                "lyrics": "", "cover_title": box,
                "request_id": page.find("input", attrs={"name": "request_id"})["value"]}
        assert client.post("/generations", data=form).status_code == 303
        jobs.run_pending(app)
        with app.app_context(), db.standalone_session(app) as session:
            generation = session.scalars(select(Generation).order_by(Generation.id.desc())).first()
            media = session.scalar(select(Media).where(Media.generation_id == generation.id))
            path = storage.absolute(media.file_path, storage.media_root(app))
        assert generation.params.get("title", False) is (box == "on")
        made[box] = np.asarray(Image.open(path).convert("L"), dtype=float)
    # The titled cover's foot is the dark band with light type on it.
    foot = made["on"][-80:]
    assert (foot < 40).mean() > 0.3 and (foot > 200).mean() > 0.01
