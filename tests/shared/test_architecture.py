"""The layout's rules, checked: routes live where their URL says, one module per concern."""

import ast
import inspect
import re
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import create_app, live
from webapp import db as webapp_db
from webapp.models import User
from webapp.publishing import releases

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


def feature_imports() -> dict[str, dict[str, str]]:
    """{feature: {feature it imports: "file:line" of one such import}}, read from the AST."""
    graph: dict[str, dict[str, str]] = {feature: {} for feature in FEATURES}
    for path in WEBAPP.rglob("*.py"):
        parts = path.relative_to(WEBAPP).with_suffix("").parts
        if parts[0] not in FEATURES:
            continue
        package = ["webapp", *parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = [*base, *(node.module.split(".") if node.module else [])]
                targets = [[*module, alias.name] for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name.split(".") for alias in node.names]
            else:
                continue
            for target in targets:
                if (target[:1] == ["webapp"] and len(target) > 1 and target[1] in FEATURES
                        and target[1] != parts[0]):
                    where = f"{path.relative_to(WEBAPP)}:{node.lineno}"
                    graph[parts[0]].setdefault(target[1], where)
    return graph


def import_cycle(graph: dict[str, dict[str, str]]) -> list[str]:
    """One cycle of imports between features ("a -> b (file:line)" steps), or []."""
    state: dict[str, str] = {}

    def visit(feature: str, path: list[str]) -> list[str]:
        """Depth-first: a feature met again while still on the path closes a cycle."""
        state[feature] = "open"
        for imported, where in sorted(graph[feature].items()):
            step = [*path, f"{feature} -> {imported} ({where})"]
            if state.get(imported) == "open":
                start = next(i for i, s in enumerate(step) if s.startswith(f"{imported} ->"))
                return step[start:]
            if imported not in state and (cycle := visit(imported, step)):
                return cycle
        state[feature] = "done"
        return []

    for feature in sorted(graph):
        if feature not in state and (cycle := visit(feature, [])):
            return cycle
    return []


def test_feature_packages_import_each_other_without_a_cycle():
    """The features form layers: no chain of imports leads from a feature back to itself."""
    graph = feature_imports()
    assert len(graph) >= 8 and any(graph.values())
    assert import_cycle(graph) == []


def test_the_cycle_check_finds_a_planted_cycle():
    """The check above can fail: two features importing each other are a cycle."""
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:1"}, "c": {"a": "c.py:1"}, "d": {}}
    assert import_cycle(graph) == ["a -> b (a.py:1)", "b -> c (b.py:1)", "c -> a (c.py:1)"]


DATABASE_NAMES = ("db", "Session", "select")


def template_helpers(app) -> list:
    """Every function of ours that templates can call: globals, filters, context processors."""
    found = [*app.jinja_env.globals.values(), *app.jinja_env.filters.values()]
    found += [processor for processors in app.template_context_processors.values()
              for processor in processors]
    return [helper for helper in found
            if inspect.isfunction(helper) and helper.__module__.startswith("webapp")]


def database_use(function, seen: set | None = None) -> str | None:
    """Where `function`, or a function of ours it calls, names the database (db, Session,
    select), or None."""
    seen = set() if seen is None else seen
    function = inspect.unwrap(function)
    if not inspect.isfunction(function) or not function.__module__.startswith("webapp"):
        return None
    if function in seen:
        return None
    seen.add(function)
    names, codes = set(), [function.__code__]
    while codes:
        code = codes.pop()
        names |= set(code.co_names)
        codes += [const for const in code.co_consts if inspect.iscode(const)]
    forbidden = {id(database) for database in (webapp_db, Session, select)}
    here = f"{function.__module__}.{function.__qualname__}"
    for name in sorted(names):
        value = function.__globals__.get(name)
        if id(value) in forbidden:
            return f"{here} uses {name}"
        called = [value]
        if inspect.ismodule(value) and value.__name__.startswith("webapp"):
            called = [getattr(value, attribute, None) for attribute in sorted(names)]
            if any(id(item) in forbidden for item in called):
                return f"{here} uses {name}.db"
        for item in called:
            if inspect.isfunction(item) and (found := database_use(item, seen)):
                return f"{here} -> {found}"
    return None


def helper_problems(app) -> list[str]:
    """Template helpers that live outside a templating module, whose module names the
    database, or that reach a function naming it."""
    problems = []
    for helper in template_helpers(app):
        module = sys.modules[helper.__module__]
        name = f"{helper.__module__}.{helper.__qualname__}"
        if module.__name__.rpartition(".")[2] != "templating":
            problems.append(f"{name} is not in a templating module")
        problems += [f"{module.__name__} imports {found}" for found in DATABASE_NAMES
                     if found in vars(module)]
        if found := database_use(helper):
            problems.append(found)
    return problems


def test_no_template_helper_reaches_the_database():
    """Views pass what a page shows: template helpers live in each feature's templating.py,
    and neither they nor anything they call names db, Session or select."""
    app = create_app({"TESTING": True, "JOBS_EMBEDDED": False,
                      "DATABASE_URL": "sqlite://", "SECRET_KEY": "architecture"})
    assert len(template_helpers(app)) >= 15
    assert helper_problems(app) == []


def test_the_helper_check_finds_a_planted_query():
    """The check above can fail: a helper that queries, or calls a domain function that
    does, is reported."""
    app = create_app({"TESTING": True, "JOBS_EMBEDDED": False,
                      "DATABASE_URL": "sqlite://", "SECRET_KEY": "architecture"})

    def loads_rows():
        """A helper that queries itself."""
        return webapp_db.session().scalars(select(User)).all()

    def loads_choices():
        """A helper that calls a domain function that queries."""
        return releases.release_choices(webapp_db.session(), 1)

    for helper in (loads_rows, loads_choices):
        helper.__module__ = "webapp.publishing.templating"
        app.add_template_global(helper)
    problems = helper_problems(app)
    assert any("loads_rows uses" in problem for problem in problems), problems
    assert any("release_choices uses select" in problem for problem in problems), problems


CLIENT_EVENT_JS = re.compile(
    r"""new CustomEvent\(\s*["']([\w:-]+)["']|addEventListener\(\s*["']([a-z]+(?:-[a-z]+)+)["']"""
)
CLIENT_EVENT_TEMPLATE = re.compile(r"([a-z]+(?:-[a-z]+)*) from:document")
SSE_EVENT_TEMPLATE = re.compile(r"""sse(?:-swap|:[a-z-]+)\s*=\s*["']([a-z][a-z-]*)["']""")
LIVE_REGION_CALL = re.compile(r"live_region\(\s*\[([^\]]*)\]")
QUOTED_NAME = re.compile(r"""["']([a-z]+(?:-[a-z]+)*)["']""")


def live_region_events(text: str) -> list[str]:
    """The event names a template's live_region([...]) calls listen for."""
    return [name for call in LIVE_REGION_CALL.findall(text) for name in QUOTED_NAME.findall(call)]


def client_event_names() -> list[tuple[str, str]]:
    """(file, event name) for every event our JavaScript raises or listens for and every
    event a template's hx-trigger or SSE attribute waits for."""
    found = []
    for path in sorted((WEBAPP / "static").rglob("*.js")):
        if "vendor" in path.parts:
            continue
        for match in CLIENT_EVENT_JS.finditer(path.read_text()):
            found.append((str(path.relative_to(WEBAPP)), match.group(1) or match.group(2)))
    for path in sorted(WEBAPP.rglob("*.html")):
        text = path.read_text()
        names = [*CLIENT_EVENT_TEMPLATE.findall(text), *SSE_EVENT_TEMPLATE.findall(text),
                 *live_region_events(text)]
        found += [(str(path.relative_to(WEBAPP)), name) for name in names]
    return found


def undeclared_events(used: list[tuple[str, str]]) -> list[str]:
    """The used event names live.py does not declare."""
    declared = {value for name, value in vars(live).items()
                if name.isupper() and isinstance(value, str)}
    return [f"{source}: {name}" for source, name in used if name not in declared]


def test_every_event_the_client_uses_is_declared_in_live():
    """One list of event names: JavaScript and templates use only names live.py declares."""
    used = client_event_names()
    sources = {source.rpartition(".")[2] for source, _ in used}
    assert {"js", "html"} <= sources and len(used) >= 40
    assert undeclared_events(used) == []


def test_the_event_check_finds_a_planted_name():
    """The check above can fail: an event named only in a template is reported."""
    planted = [("x.html", name) for name in
               CLIENT_EVENT_TEMPLATE.findall('hx-trigger="song-renamed from:document"')]
    assert undeclared_events(planted) == ["x.html: song-renamed"]
    call = "{{ live_region(['song-renamed']) }}"
    called = [("y.html", name) for name in live_region_events(call)]
    assert undeclared_events(called) == ["y.html: song-renamed"]
