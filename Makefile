# Ekspertiza: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean i18n lock mutation

# Installs come from the lock file (exact versions, hashes); the project itself without deps.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Run the app with demo data on the embedded default (SQLite) plus a real Celery worker and beat.
run: $(STAMP)
	$(BIN)/python scripts/run_dev.py

## Run the whole test suite (unit, SQLite + PostgreSQL, real worker over Redis, Chromium e2e).
test: $(STAMP)
	./scripts/ensure_test_services.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_screens
	$(BIN)/python -m tests.benchmarks.bench_crosscheck
	$(BIN)/python -m tests.benchmarks.bench_expertise

## Mutation testing of the workflow, permission and document-service modules (see docs/testing.md).
MUTMUT_CHILDREN ?= 2
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTMUT_CHILDREN) || true
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python scripts/mutation_score.py

clean:
	rm -rf $(VENV) instance/*.db instance/uploads

## Refresh the translation catalogues (then translate new entries in the .po and run it again).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k GuardSpec:3 -k TriggerMeta:1 \
	    --add-comments=TRANSLATORS: \
	    --project=Ekspertiza --version=0.1.0 --copyright-holder="Ekspertiza contributors" \
	    -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --ignore-obsolete
	$(BIN)/pybabel compile -d webapp/translations --statistics

## Refresh requirements.lock after editing the dependencies in pyproject.toml.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	    -o requirements.lock
