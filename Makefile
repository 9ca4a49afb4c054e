# Two commands on a fresh machine: `make run` (the app with laptop defaults) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/.uv/bin/uv
PORT ?= 8000

# The locks (requirements/*.txt, with hashes) are made from pyproject.toml by `make lock`:
#   base.txt  [project.dependencies]: what production installs
#   test.txt  + the `test` extra: what `make run` and `make test` install
#   dev.txt   + the `test`, `lint` and `bench` extras: `make lint`, pre-commit, benchmarks, CI
LOCK := $(UV) pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes

.PHONY: run test install install-dev calendar-parsers a11y-tools node-tools lint lock messages clean

# uv itself comes from its own hashed lock (requirements/uv.txt), installed with the interpreter's pip into
# .venv/.uv; uv then makes the venv (Python >= 3.12, scripts/find-python) and installs the app's locks.
$(UV): requirements/uv.txt
	@echo "Installing uv, then the locked packages (the first time only)."
	@mkdir -p $(VENV)
	@$$(scripts/find-python) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
		--require-hashes --no-deps --upgrade --target $(VENV)/.uv -r requirements/uv.txt
	@test -x $(PY) || $(UV) venv --quiet --allow-existing --python "$$(scripts/find-python)" $(VENV)
	@touch $(UV)

$(VENV)/.installed-%: requirements/%.txt $(UV)
	$(UV) pip install --quiet --require-hashes --python $(PY) -r $<
	@touch $@

# The calendar parsers the tests read every .ics with (ical.js, tests/calendar_parsers/package-lock.json).
# Without npm the tests that need them skip (and fail under CI=true, where .ci/run installs Node.js).
PARSERS := tests/calendar_parsers
$(PARSERS)/node_modules/.package-lock.json: $(PARSERS)/package-lock.json $(PARSERS)/package.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(PARSERS) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the calendar-parser tests will skip (apt-get install nodejs npm)."; fi

# axe-core, which the browser tests run on every page they visit (tests/a11y/package-lock.json).
A11Y := tests/a11y
$(A11Y)/node_modules/.package-lock.json: $(A11Y)/package-lock.json $(A11Y)/package.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(A11Y) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the browser tests will skip (apt-get install nodejs npm)."; fi

calendar-parsers: $(PARSERS)/node_modules/.package-lock.json
a11y-tools: $(A11Y)/node_modules/.package-lock.json
node-tools: calendar-parsers a11y-tools

install: $(VENV)/.installed-test node-tools
install-dev: $(VENV)/.installed-dev

lock: $(UV)
	$(LOCK) -o requirements/base.txt
	$(LOCK) --extra test -o requirements/test.txt
	$(LOCK) --extra test --extra lint --extra bench -o requirements/dev.txt
	$(UV) pip compile requirements/uv.in --universal --python-version 3.12 --generate-hashes -o requirements/uv.txt

# Compiles the translations (locale/*/LC_MESSAGES/django.po → .mo); nothing to do without catalogues.
messages: install
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "No translation catalogues under locale/ yet."; fi

# The app with embedded defaults: SQLite under var/, kombu's filesystem broker, console email (readable:
# notifications/console.py prints the text part decoded, links whole),
# demo data; web server, Celery worker and beat in the foreground together (Ctrl-C stops all).
# `make run PORT=8080` serves on another port. Says first where to log in (installing comes after).
run:
	@echo "Intervisie: http://127.0.0.1:$(PORT)/ once the server below has started (Ctrl-C stops it)."
	@echo "Demo logins, password intervisie-demo: begeleider@demo.intervisie.nl (intervisiebegeleider),"
	@echo "  anna@demo.intervisie.nl (deelnemer), beheerder@demo.intervisie.nl (beheerder)."
	@$(MAKE) --no-print-directory messages
	@d=$${VAR_DIR:-var}/broker; mkdir -p $$d/queue $$d/processed $$d/control
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with a demo account above."
	DEBUG=1 PYTHONUNBUFFERED=1 SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		EMAIL_BACKEND=$${EMAIL_BACKEND:-notifications.console.EmailBackend} \
		$(VENV)/bin/honcho -f Procfile.dev start --port $(PORT)

# The test suite. Uses DATABASE_URL / REDIS_URL when set (CI: PostgreSQL and Redis), else SQLite.
# Two xdist workers (each with its own test database and Redis db), a coverage summary of the files not
# fully covered, and, outside CI, the test databases kept for the next run (--reuse-db: new migrations are
# applied to them; after editing or removing a migration, or switching branches, run once with
# `make test PYTEST_ARGS=--create-db`). PYTEST_ARGS come last and win: `PYTEST_ARGS="-n 0 tests/sessions"`.
# pytest's exit code is make's: a run that collects no test (5) fails.
TEST_WORKERS ?= 2
TEST_ARGS := -n $(TEST_WORKERS) --dist loadgroup --cov --cov-report=term:skip-covered $(if $(filter true 1,$(CI)),,--reuse-db)
test: messages
	$(PY) -m pytest $(TEST_ARGS) $(PYTEST_ARGS)

# Every check CI runs besides the tests: the pre-commit hooks (ruff, ruff format, djLint, mypy,
# makemigrations --check) on all files.
lint: install-dev
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

clean:
	rm -rf $(VENV) var staticfiles
