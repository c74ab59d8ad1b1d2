# Everything people do with the project. `make run` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
BIN := $(VENV)/bin
export ASSISTANT_KNOWLEDGE_DIR ?= knowledge
export ASSISTANT_INDEX_DIR ?= var/index
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install system-deps run ingest serve test test-fast lint lint-knowledge format typecheck eval bench clean

$(VENV)/.installed: pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	@test -d $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv and install the project

system-deps: ## Debian packages the tests need: PostgreSQL server and Chromium
	@bash scripts/system-deps.sh

ingest: install ## publish a new index version from knowledge/
	$(BIN)/assistant ingest

run: install ingest ## set up, ingest the sample knowledge and serve on http://127.0.0.1:8000 (development mode)
	ASSISTANT_ENVIRONMENT=development $(BIN)/assistant serve --host 127.0.0.1 --port 8000

test: install system-deps ## the whole suite: SQLite and PostgreSQL, real model, real Chromium
	$(BIN)/pytest -q -p no:cacheprovider

test-fast: install ## unit tests without the slow, postgres and browser ones
	$(BIN)/pytest -q -m "not slow and not postgres and not browser"

lint: install ## ruff, mypy and the knowledge pages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingest bots evals
	$(BIN)/assistant lint

lint-knowledge: install ## check every page's front matter without publishing
	$(BIN)/assistant lint

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

HELDOUT := $(wildcard evals/datasets/vagledning-heldout)

eval: install ## the tuning and held-out questions side by side; writes var/eval/report.{json,html}
	$(if $(HELDOUT),,@echo "evals/datasets/vagledning-heldout saknas: bara inställningsfrågorna mäts.")
	$(BIN)/assistant eval --corpus knowledge --questions evals/datasets/vagledning \
		$(if $(HELDOUT),--questions $(HELDOUT)) --mode all \
		--json var/eval/report.json --html var/eval/report.html

SIZES ?= sample,1k,10k,100k
bench: install ## speed and memory figures, printed and in var/bench/ (SIZES=sample,1k QUICK=1 for a short run)
	$(PY) -m evals.bench --sizes $(SIZES) $(if $(QUICK),--quick)

clean:
	rm -rf var .pytest_cache

.PHONY: teams-package
teams-package: install ## Teams app package to upload (needs ASSISTANT_TEAMS_APP_ID; WEBSITE=https://… or ASSISTANT_PUBLIC_BASE_URL)
	$(PY) -m bots.teams.package --out var/teams-app.zip $(if $(WEBSITE),--website $(WEBSITE))
