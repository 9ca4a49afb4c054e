# Two commands on a fresh machine: `make run` (the app with laptop defaults) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test install lint messages clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# Compiles the translations (locale/*/LC_MESSAGES/django.po → .mo); nothing to do without catalogues.
messages: install
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "No translation catalogues under locale/ yet."; fi

# The app with embedded defaults: SQLite under var/, kombu's filesystem broker, console email,
# demo data; web server, Celery worker and beat in the foreground together (Ctrl-C stops all).
# `make run PORT=8080` serves on another port.
run: messages
	mkdir -p var/broker/queue var/broker/processed var/broker/control
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with a demo account above."
	DEBUG=1 PYTHONUNBUFFERED=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(VENV)/bin/honcho -f Procfile.dev start --port $(PORT)

# The test suite. Uses DATABASE_URL / REDIS_URL when set (CI: PostgreSQL and Redis), else SQLite.
test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles
