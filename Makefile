# newsrag: `make run` starts it on the bundled sample, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NEWSRAG := $(VENV)/bin/newsrag
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

# torch first and pinned: it resolves to the local CPU wheel; unpinned, pip pulls CUDA builds.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(NEWSRAG) ingest corpus/samples
	$(NEWSRAG) stats

test: install
	$(PY) -m pytest -q -ra

lint: install
	$(VENV)/bin/ruff check rag corpus ui tests

clean:
	rm -rf $(VENV) .pytest_cache
