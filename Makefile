# Soundstage: `make run` serves the embedded default, `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run run-scaled test lint bench reliability chromium clean

# The General MIDI SoundFont the music generator plays (FluidR3, MIT), and PortAudio's headers,
# without which pip cannot build PyAudio, a hard dependency of tinysoundfont (only live playback
# uses it). eSpeak NG (GPL-3; its output audio is ours) speaks the words the synthetic voice
# sings; DejaVu (free licence) is the cover titles' typeface.
$(BIN)/.installed: pyproject.toml
	@test -f /usr/share/sounds/sf2/FluidR3_GM.sf2 && test -f /usr/include/portaudio.h && \
	  command -v espeak-ng >/dev/null && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    fluid-soundfont-gm portaudio19-dev espeak-ng fonts-dejavu-core; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/flask --app webapp migrate
	$(BIN)/flask --app webapp serve --port $(PORT)

run-scaled: $(BIN)/.installed
	$(BIN)/python -m webapp.scaled

chromium:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(BIN)/.installed chromium
	$(BIN)/ruff check webapp tests bench
	$(BIN)/bandit -q -c pyproject.toml -r webapp -ll
	$(BIN)/pytest

bench: $(BIN)/.installed chromium
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/library.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/serving.py

reliability: $(BIN)/.installed chromium
	$(BIN)/python bench/reliability.py

clean:
	rm -rf $(VENV) instance/test-* .pytest_cache
