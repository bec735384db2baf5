# Everyday commands. `make run` and `make test` are the two the README promises.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | $(PYTHON) -c "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])")

.PHONY: run test test-fast lint format messages check-deploy clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Set up (venv, install, migrate, demo data) and serve on $(HOST):$(PORT), with a
## background job worker beside the server (stopped with it). No scheduler: it would send
## the demo's reminders.
run: install
	$(BIN)/zhuanban migrate --no-input
	$(BIN)/zhuanban demo
	@echo "Serving on http://$(HOST):$(PORT)/ (and a job worker)"
	$(BIN)/zhuanban worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(BIN)/zhuanban runserver $(HOST):$(PORT)

## The whole test suite (browser tests run when /usr/bin/chromium exists)
# The suite runs on every core (pytest-xdist), a whole file per worker: module-scoped
# fixtures (a browser, the security scene) are built once per file.
TEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-extract msgids into the zh-hans catalogue and compile it (needs GNU gettext)
messages: install
	cd src/zhuanban && ../../$(BIN)/zhuanban makemessages -l zh_Hans --no-obsolete --no-location
	cd src/zhuanban && ../../$(BIN)/zhuanban compilemessages -l zh_Hans

check-deploy: install
	ZHUANBAN_ENV=production ZHUANBAN_DEMO=0 SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=zhuanban.example $(BIN)/zhuanban check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var build *.egg-info
