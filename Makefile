# Two commands matter: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
DEMO_MODE ?= 1
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: auto is one per core; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
export FLASK_APP := registry

CATALOGUES := $(wildcard registry/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test install install-test translations lint screenshots bench soak clean

run: install translations
	$(BIN)/flask db upgrade
	@if [ "$(DEMO_MODE)" = "1" ] && [ ! -f instance/.demo-loaded ]; then \
		DEMO_MODE=1 $(BIN)/flask demo accounts && DEMO_MODE=1 $(BIN)/flask demo load && \
		touch instance/.demo-loaded; \
	fi
	@echo
	@echo "  Agency registry: http://$(HOST):$(PORT)/"
	@if [ "$(DEMO_MODE)" = "1" ]; then \
		echo "  Demo logins (password demo-pass-2026): admin@example.com regulator@example.com"; \
		echo "  reviewer@example.com agency@example.com enterprise@example.com supervisor@example.com public@example.com"; \
	fi
	@echo
	DEMO_MODE=$(DEMO_MODE) $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - "registry:create_app()"

test: install-test translations lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/bandit --quiet --severity-level high --recursive registry ratings blacklist

# All benchmarks (foundation, registry data, search); the search one writes docs/PERFORMANCE.md.
# BENCH_DATABASE_URL=postgresql://... measures a throwaway PostgreSQL database instead of SQLite.
bench: install
	$(BIN)/python -m bench

# The soak test (issue 15): 50 clients through the pages for 60 s on SQLite, on PostgreSQL (a
# scratch database it creates and drops), and on two servers sharing PostgreSQL and Redis;
# then the ledger against the database and conflicting decisions raced. All three run; it
# fails if any missed a target. SOAK_ARGS adds options, e.g. SOAK_ARGS="--seconds 300".
SOAK_ARGS ?=
soak: install-test translations
	@status=0; \
	for run in "--database sqlite" "--database postgresql" "--database postgresql --servers 2"; do \
		$(BIN)/python -m bench soak $$run $(SOAK_ARGS) || status=1; \
	done; \
	exit $$status

screenshots: install-test translations
	$(BIN)/python docs/screenshots.py

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

translations: $(COMPILED)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
