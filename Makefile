# Soundstage: `make run` serves the embedded default, `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run run-scaled test test-fast lint bench reliability chromium clean

# Two install stamps: serving needs only the runtime set (`make run`); the test toolchain
# (Playwright, axe, hypothesis, bandit, ruff) is added for `make test`. Each step prints one
# line; a stamp newer than pyproject.toml means the virtualenv is reused as it is.
# The SoundFont is the General MIDI one the music generator plays (FluidR3, MIT); PortAudio's
# headers are needed by pip to build PyAudio, a hard dependency of tinysoundfont.
RUNTIME := $(VENV)/.runtime-installed
TESTKIT := $(VENV)/.test-installed
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --no-input
# This kind of machine's pip.conf names package folders that may be absent: drop that chatter.
QUIET := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }

$(RUNTIME): pyproject.toml
	@echo "soundstage: system packages (SoundFont, PortAudio headers)"
	@test -f /usr/share/sounds/sf2/FluidR3_GM.sf2 && test -f /usr/include/portaudio.h || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    fluid-soundfont-gm portaudio19-dev >/dev/null; }
	@echo "soundstage: virtualenv $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "soundstage: runtime packages"
	@set -o pipefail; $(PIP) -e . $(QUIET)
	@touch $@

$(TESTKIT): $(RUNTIME)
	@echo "soundstage: test packages"
	@set -o pipefail; $(PIP) -e '.[test]' $(QUIET)
	@touch $@

run: $(RUNTIME)
	@$(BIN)/flask --app webapp migrate
	@$(BIN)/flask --app webapp serve --port $(PORT)

run-scaled: $(RUNTIME)
	$(BIN)/python -m webapp.scaled

chromium:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(TESTKIT) chromium
	$(BIN)/ruff check webapp tests bench
	$(BIN)/bandit -q -c pyproject.toml -r webapp -ll
	$(BIN)/pytest

# The quick loop while working: SQLite only, no browser (marks set in tests/conftest.py).
test-fast: $(TESTKIT)
	$(BIN)/pytest -q -m "not browser and not postgresql"

bench: $(TESTKIT) chromium
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/library.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/serving.py

reliability: $(TESTKIT) chromium
	$(BIN)/python bench/reliability.py

clean:
	rm -rf $(VENV) instance/test-* .pytest_cache
