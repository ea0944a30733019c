# Two commands for a fresh Debian/Ubuntu machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := .venv/.apt-updated

.PHONY: run test install install-test system-deps test-system-deps lint demo bench bench-quick bench-cli clean i18n-extract i18n-update i18n-compile i18n-migrate

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[postgresql]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $(VENV)/.installed $@

# Graphviz's `dot` renders SVG/PNG/PDF; DOT and Mermaid text work without it. Cairo (a Graphviz
# dependency on Debian) draws the dashboard's PNG charts (cairosvg).
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz libcairo2; \
	  else echo "Graphviz 'dot' is missing: install the graphviz package of your system"; fi; }

# Tests also need a PostgreSQL server and Chromium (started/driven by the tests themselves), and
# Pango for WeasyPrint (documents as PDF; pages rendered to PNG in artifacts/ with pypdfium2).
test-system-deps: system-deps
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libcairo.so.2 || missing="$$missing libcairo2"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install:$$missing"; exit 1; fi; fi

install: system-deps $(VENV)/.installed

install-test: test-system-deps $(VENV)/.installed-test

# The server with the Burkina Faso SOP and invented demo data, on http://127.0.0.1:8000/
# (another port: make run PORT=8765)
PORT ?= 8000
run: install
	$(BIN)/mno --db sqlite:///demo.db serve --demo --demo-password demo-mno-2025 --port $(PORT)

# The whole suite includes the wheel smoke test (pytest -m wheel): the built wheel installed in a
# fresh virtualenv outside the checkout runs mno demo, validate, serve --demo and handbook.
# One process per core, at most 4 (pytest-xdist), each test file in one process (its module
# fixtures built once); each process starts its own PostgreSQL and Chromium. One process: -n 0.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --maxprocesses 4 --dist loadfile

# Every benchmark as one table (figure, baseline of the same run, ratio, bar); PostgreSQL is
# started by the bench and always stopped. bench-quick: small sizes, under 2 minutes.
bench: install
	$(BIN)/python -m bench.suite

bench-quick: install
	$(BIN)/python -m bench.suite --quick

# Start-up of the command line, whole process, medians (bars: --help 0.2 s, validate 0.4 s)
bench-cli: install
	$(BIN)/python bench/cli_startup.py

# Translations (docs/translations.md): gettext catalogues mno_workflow/locale/<lang>/LC_MESSAGES/messages.po.
# extract: the template messages.pot from the code, templates and CLI help texts (+ the stable keys of
# the French catalogue); update: new ids into every .po (to translate), compile: check and build .mo
# (the application compiles and caches them itself at first use); migrate: (fr, en) pairs left in code.
LOCALE := mno_workflow/locale
i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k t -k lazy -k said -k said_fr -k P_:1c,2 -k n:1,2 --add-comments=TRANSLATORS: \
	  --project=mno-workflow --copyright-holder="MNO Workflow contributors" --width=76 \
	  -o $(LOCALE)/messages.pot .
	$(BIN)/python -m mno_workflow.i18n.extract $(LOCALE)/messages.pot

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching --ignore-obsolete --width=76

i18n-compile: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(LOCALE) -D messages --statistics

i18n-migrate: $(VENV)/.installed
	$(BIN)/python -m mno_workflow.i18n.migrate --list

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache demo.db mno.db data build *.egg-info
