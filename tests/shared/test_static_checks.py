"""Static checks that keep the security rules true as templates and code change."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
TEMPLATES = [p for p in WEBAPP.rglob("*.html") if "static" not in p.parts]
PYTHON = [p for p in WEBAPP.rglob("*.py")]


def offending(paths, pattern: str) -> list[str]:
    """Lines matching `pattern` in `paths`, as 'file:line: text'."""
    regex = re.compile(pattern)
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if regex.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_there_are_templates_to_check():
    """The checks below look at real files."""
    assert len(TEMPLATES) >= 5
    assert len(PYTHON) >= 10


def test_no_inline_script_or_style_in_templates():
    """The CSP forbids them; scripts come from static files only."""
    assert offending(TEMPLATES, r"<script(?![^>]*\bsrc=)") == []
    assert offending(TEMPLATES, r"<style\b|\sstyle=") == []
    assert offending(TEMPLATES, r"\son[a-z]+=") == []


def test_no_eval_features_of_htmx():
    """No hx-on, no trigger filters, no js: values (they need eval)."""
    assert offending(TEMPLATES, r"hx-on\b|hx-on:") == []
    assert offending(TEMPLATES, r'hx-trigger="[^"]*\[') == []
    assert offending(TEMPLATES, r"""hx-(vals|headers|confirm)(:inherited)?=['"]js:""") == []


def test_no_unescaped_output():
    """Autoescaping stays on: no |safe, no Markup(), no autoescape false."""
    assert offending(TEMPLATES, r"\|\s*safe\b|autoescape\s+false") == []
    assert offending(PYTHON, r"\bMarkup\(") == []


def test_csrf_is_never_exempted_and_debug_never_forced():
    """Every write keeps its CSRF check; debug mode is never switched on in code."""
    assert offending(PYTHON, r"csrf\.exempt|WTF_CSRF_ENABLED\"?\s*[:=]\s*False") == []
    assert offending(PYTHON, r"debug\s*=\s*True") == []


def test_every_post_form_carries_a_csrf_token():
    """Plain forms (the no-JavaScript path) send the token as a field."""
    missing = []
    for path in TEMPLATES:
        text = path.read_text()
        forms = re.finditer(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I)
        for match in forms:
            if "csrf_token()" not in match.group(1):
                missing.append(f"{path.relative_to(ROOT)} at {match.start()}")
    assert missing == []


def test_bandit_finds_nothing_of_medium_severity_or_more():
    """bandit -ll over the app package."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-ll", "-c", str(ROOT / "pyproject.toml"), "-r",
         str(WEBAPP)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
