# Milepost: `make run` serves the demo, `make test` runs the whole suite. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SHEETS_PORT ?= 8765
# pytest-xdist workers for `make test`: one per CPU, each with its own test database
# (test_<name>_gw0, _gw1 ...); PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

.PHONY: run test lint format bench browser install install-dev migrate serve-prod load clean

# uv installs in seconds what pip takes a minute for. The version pinned in pyproject.toml
# ([tool.uv] required-version) goes into the venv, by the system's pip when it has one (a venv
# without pip is made in a second; ensurepip takes ten); without uv, pip does the work. Only the
# dependencies are installed: the project runs from here, it is not built.
UV_PIN = $$($(PYTHON) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['tool']['uv']['required-version'])")
PIP_QUIET := --quiet --disable-pip-version-check

$(BIN)/python:
	@$(PYTHON) -m venv --without-pip $(VENV)
	@$(PYTHON) -m pip --python $(BIN)/python install $(PIP_QUIET) "uv$(UV_PIN)" 2>/dev/null \
	  || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	       && $(BIN)/python -m pip install $(PIP_QUIET) "uv$(UV_PIN)" 2>/dev/null; } \
	  || echo "uv is not available: installing with pip (slower)"

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(call install_requirements,)
	@$(BIN)/python -c "import django" && touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@$(call install_requirements,dev)
	@$(BIN)/python -c "import pytest, playwright" && touch $(VENV)/.installed $@

# $(call install_requirements,EXTRA): pyproject.toml's dependencies (and those of EXTRA).
define install_requirements
if [ -x $(BIN)/uv ]; then \
  VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet -r pyproject.toml $(if $(1),--extra $(1)); \
else \
  { [ -x $(BIN)/pip ] || $(BIN)/python -m ensurepip --default-pip >/dev/null; } && \
  $(BIN)/python -c "import sys, tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
    print('\n'.join(p['dependencies'] + p['optional-dependencies'].get(sys.argv[1], [])))" '$(1)' \
    > $(VENV)/requirements.txt && \
  $(BIN)/pip install $(PIP_QUIET) -r $(VENV)/requirements.txt; \
fi
endef

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input --verbosity 0

# Without MILEPOST_SHEET_KEY, the demo sheet is served by the local Sheets emulator (made while
# the app starts); a db_worker runs "Sync now" and the Slack page's test messages in the
# background. The demo sign-ins come last, once the servers answer. Ctrl-C stops them all.
run: migrate
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo --if-empty --verbosity 0
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-1} DJANGO_RUNSERVER_HIDE_WARNING=true; \
	pids=""; ready=""; \
	trap 'kill $$pids 2>/dev/null; wait; exit 0' INT TERM; \
	if [ -z "$$MILEPOST_SHEET_KEY" ]; then \
	  export MILEPOST_SHEETS_API_URL=http://127.0.0.1:$(SHEETS_PORT) MILEPOST_SHEET_KEY=milepost-demo; \
	  mkdir -p var; \
	  { $(BIN)/python manage.py demo_sheet --output var/demo-sheet.json --verbosity 0 \
	    && exec $(BIN)/python manage.py sheets_emulator --port $(SHEETS_PORT) \
	         --load var/demo-sheet.json --verbosity 0 >/dev/null; } & \
	  pids="$$!"; ready="--ready $$MILEPOST_SHEETS_API_URL/_emulator/stats"; \
	fi; \
	$(BIN)/python manage.py db_worker --no-reload & pids="$$pids $$!"; \
	$(BIN)/python manage.py runserver --skip-checks $(HOST):$(PORT) & pids="$$pids $$!"; \
	$(BIN)/python manage.py demo_sign_ins --url http://$(HOST):$(PORT)/ $$ready --wait 120; \
	wait

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
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

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
