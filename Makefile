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

# Index the bundled sample (a no-op once indexed), then open the chat window on http://127.0.0.1:7860
run: install
	$(NEWSRAG) ingest corpus/samples
	$(NEWSRAG) serve

test: install
	$(PY) -m pytest -q -ra

# Benchmarks (not timed tests): ratios against baselines taken in the same run; see bench/RESULTS.md
# The first run ingests realtimeqa-dev once into ~/.cache/newsrag/bench (about 8 minutes here); later runs reuse it.
bench: install
	$(PY) bench/ingest.py
	$(PY) bench/encoder.py
	$(PY) bench/retrieval.py
	$(PY) bench/first_token.py
	$(PY) bench/load.py

lint: install
	$(VENV)/bin/ruff check rag corpus ui tests bench

clean:
	rm -rf $(VENV) .pytest_cache
