# lunshu — two entry points: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= demo.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install dev system-deps lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

# Browser tests drive Debian's chromium (with CJK fonts for readable screenshots), Spark tests need a
# Java runtime, the DOCX test converts with LibreOffice. Installed when missing and we may (root with
# apt-get); otherwise those tests skip with a reason.
SYSTEM_DEPS := chromium:chromium+fonts-noto-cjk java:default-jre-headless soffice:libreoffice-writer-nogui
system-deps:
	@pkgs=""; for dep in $(SYSTEM_DEPS); do \
	  cmd=$${dep%%:*}; want=$$(echo $${dep#*:} | tr '+' ' '); \
	  command -v $$cmd >/dev/null 2>&1 || pkgs="$$pkgs $$want"; \
	done; \
	if [ -n "$$pkgs" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$pkgs with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null) \
	      || echo "warning: could not install$$pkgs; the tests that need them will skip"; \
	  else echo "note:$$pkgs missing; the tests that need them will skip"; fi; \
	fi

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/lunshu --db $(DEMO_DB) ingest examples/
	$(BIN)/lunshu --db $(DEMO_DB) search 数字共同体 --limit 3
	@echo "open http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/lunshu --db $(DEMO_DB) serve --host $(HOST) --port $(PORT)

test: dev system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

typecheck: dev
	$(BIN)/mypy

bench: dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info $(DEMO_DB)
