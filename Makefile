# Milepost: `make run` serves the demo, `make test` runs the whole suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SHEETS_PORT ?= 8765

.PHONY: run test lint format bench browser install install-dev migrate serve-prod load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import django" && touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import pytest, playwright" && touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input

# Without MILEPOST_SHEET_KEY, the demo sheet is served by the local Sheets emulator; a db_worker
# runs "Sync now" in the background. Ctrl-C stops all three.
run: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo --if-empty
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-1}; \
	trap 'kill 0' EXIT INT TERM; \
	if [ -z "$$MILEPOST_SHEET_KEY" ]; then \
	  export MILEPOST_SHEETS_API_URL=http://127.0.0.1:$(SHEETS_PORT) MILEPOST_SHEET_KEY=milepost-demo; \
	  mkdir -p var; \
	  $(BIN)/python manage.py demo_sheet --output var/demo-sheet.json || exit 1; \
	  $(BIN)/python manage.py sheets_emulator --port $(SHEETS_PORT) --load var/demo-sheet.json & \
	fi; \
	$(BIN)/python manage.py db_worker & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's chromium for the browser tests (never a browser that a tool downloads).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-dev browser lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/sync.py

# Two gunicorn servers on a throwaway PostgreSQL database (milepost_load), under load; exits 1 if
# an invariant fails. make load LOAD_ARGS="--seconds 120 --users 20"
load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Production-style serving against DATABASE_URL (DJANGO_SECRET_KEY etc. from the environment).
serve-prod: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn -c gunicorn.conf.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
