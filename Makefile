# The two commands: `make run` (set up + serve the demo on SQLite) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app oep

.PHONY: run test lint format setup test-setup system-deps translations extract-messages bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed translations

test-setup: $(VENV)/.installed-test translations system-deps

## Compile the translation catalogues (.po -> .mo).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d oep/translations 2>&1 | grep -v "^compiling" || true

## Re-extract the strings to translate and merge them into every catalogue.
extract-messages: $(VENV)/.installed
## Sorted, with file names but no line numbers: a change adds or removes only its own entries,
## so that branches translating different strings merge without conflicts.
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _nl:1,2 -k lazy_ngettext:1,2 --add-location=file --sort-output \
		-o oep/translations/messages.pot .
	$(BIN)/pybabel update -i oep/translations/messages.pot -d oep/translations --no-fuzzy-matching \
		--ignore-obsolete

## System packages the browser tests and fast PDFs need (Chromium, HarfBuzz subsetter).
system-deps:
	@./.ci/system-deps

run: setup
	$(FLASK) db upgrade
	$(FLASK) oep demo --if-empty
	@echo "OEP is served on http://127.0.0.1:5000 (stop with Ctrl-C)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: test-setup
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint (ruff: the rule sets are listed in pyproject.toml) and check the formatting.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check oep tests bench
	$(BIN)/ruff format --check oep tests bench

## Format the code and apply ruff's safe fixes.
format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix oep tests bench
	$(BIN)/ruff format oep tests bench


## Benchmarks on a national-scale database (see bench/README.md).
bench: test-setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
