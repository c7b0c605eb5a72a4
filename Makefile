# Webcare: `make run` starts everything, `make test` runs the whole suite. Python 3.11+ and make suffice.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-pg translations lint clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/webcare run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite against the machine's PostgreSQL and Redis (what .ci/run does).
test-pg: install
	WEBCARE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
	WEBCARE_TEST_REDIS_URL=redis://127.0.0.1:6379/15 $(BIN)/python -m pytest $(PYTEST_ARGS)

# Extract messages, merge them into the Dutch catalog, compile. Translate new entries in messages.po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --omit-header -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d webcare/translations -l nl --no-fuzzy-matching --ignore-obsolete --width 110
	$(BIN)/pybabel compile -d webcare/translations

clean:
	rm -rf $(VENV) .pytest_cache
