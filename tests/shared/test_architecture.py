"""The layout's rules, checked: routes live where their URL says, one module per concern."""

import re
from pathlib import Path

from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
PYTHON = sorted(p for p in WEBAPP.rglob("*.py") if "generators" not in p.parts)
EVENT_NAME = re.compile(
    r"""["'][a-z]+(-[a-z]+)*-(changed|progressed|published|unpublished|created|deleted)["']"""
)
VERSION_BUMP = re.compile(r"_version\s*\+\s*1|(library|profile)_version\s*=")


def lines_matching(pattern: re.Pattern | str, exempt: set[str]) -> list[str]:
    """'file:line: text' for each line of webapp's Python (less `exempt`) matching `pattern`."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    found = []
    for path in PYTHON:
        name = str(path.relative_to(WEBAPP))
        if name in exempt:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if regex.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def url_table() -> dict[str, str]:
    """docs/architecture.md's "URL prefix → package" table."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## URL prefix → package", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(/[^`]*)` \| `([a-z_]+)` \|$", section, re.M)
    return dict(rows)


def package_for(url: str, table: dict[str, str]) -> str | None:
    """The package the table names for a URL: its longest matching prefix."""
    matches = [
        prefix for prefix in table
        if url == prefix or url.startswith(prefix.rstrip("/") + "/")
    ]
    return table[max(matches, key=len)] if matches else None


def test_there_is_code_to_check():
    """The checks below read real files."""
    assert len(PYTHON) >= 20


def test_only_htmx_module_spells_hx_headers():
    """Header names live in one place, so renaming one in htmx 5 is a one-file change."""
    assert lines_matching(r"HX-", {"htmx.py"}) == []


def test_only_the_live_module_names_events_or_moves_versions():
    """Features call live.py for every change: no event names or counter bumps elsewhere."""
    assert lines_matching(EVENT_NAME, {"live.py"}) == []
    assert lines_matching(VERSION_BUMP, {"live.py", "models.py"}) == []


def test_config_values_are_read_through_typed_settings():
    """No use site reads app.config and casts it: code reads settings()."""
    assert lines_matching(r"current_app\.config\[", {"config.py"}) == []
    assert lines_matching(r"(int|float)\([a-z_.]*config\[", set()) == []


def test_every_route_lives_in_the_package_its_url_names():
    """docs/architecture.md's table, checked against the app's URL map, both ways."""
    table = url_table()
    assert len(table) >= 15
    app = create_app({"TESTING": True, "JOBS_EMBEDDED": False,
                      "DATABASE_URL": "sqlite://", "SECRET_KEY": "architecture"})
    misplaced, used = [], set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        module = app.view_functions[rule.endpoint].__module__.split(".")
        actual = module[1] if len(module) > 1 else module[0]
        expected = package_for(rule.rule, table)
        used.add(expected)
        if expected != actual:
            misplaced.append(f"{rule.rule} is in {'.'.join(module)}, the table says {expected}")
    assert misplaced == []
    assert set(table.values()) <= used


def test_every_form_shows_errors_through_the_shared_macros():
    """One way to write a field error: no template spells the field-error markup itself."""
    templates = [p for p in WEBAPP.rglob("*.html") if "static" not in p.parts]
    own_markup = [
        str(path.relative_to(WEBAPP)) for path in templates
        if 'class="field-error"' in path.read_text() and path.name != "fields.html"
    ]
    assert own_markup == []


TEMPLATE_NAME = re.compile(
    r"""(?:include|import|extends|from|render_template)\W+["']([\w/.-]+\.html)["']"""
)
SHARED_TEMPLATES = WEBAPP / "templates"
FEATURES = sorted(p.parent.name for p in WEBAPP.glob("*/routes.py"))


def template_names_used() -> list[tuple[str, str]]:
    """(file, template name) for every include, import, extends and render_template."""
    sources = [*WEBAPP.rglob("*.html"), *PYTHON]
    return [
        (str(path.relative_to(WEBAPP)), name)
        for path in sources
        for name in TEMPLATE_NAME.findall(path.read_text())
    ]


def test_every_partial_is_named_by_its_feature_folder():
    """A partial's name says which feature owns it: "<feature>/partials/<name>.html", or a
    shared one under templates/partials/."""
    bare = [
        f"{source}: {name}"
        for source, name in template_names_used()
        if name.startswith("partials/") and not (SHARED_TEMPLATES / name).is_file()
    ]
    assert template_names_used() and not bare, bare


def template_sources() -> list[tuple[str, Path]]:
    """(template name, file) for every template each loader folder can answer."""
    folders = [("", SHARED_TEMPLATES)]
    for feature in FEATURES:
        folders += [(f"{feature}/", WEBAPP / feature / "templates")]
        folders += [(f"{feature}/partials/", WEBAPP / feature / "partials")]
    return [
        (prefix + str(path.relative_to(folder)), path)
        for prefix, folder in folders
        for path in folder.rglob("*.html")
    ]


def test_no_two_folders_can_answer_one_template_name():
    """Each template name resolves in exactly one folder, so a second file with the same
    name can never silently shadow the first."""
    names = [name for name, _ in template_sources()]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert names and not twice, twice


def test_every_template_name_used_exists():
    """An include or render_template never names a template no folder holds."""
    app = create_app({"TESTING": True})
    known = set(app.jinja_env.list_templates())
    missing = [f"{source}: {name}" for source, name in template_names_used() if name not in known]
    assert not missing, missing
