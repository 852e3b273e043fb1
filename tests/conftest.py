"""Shared fixtures. The real embedding model (loaded once a session) and real Chroma stores in tmp dirs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.ui_helpers import CHROMIUM, CHROMIUM_ARGS, LOAD_MS, Window

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "corpus" / "samples"


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared test data lives beside the project (see README)")
    return path


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.calls = 0
        self.texts = 0

    def embed(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="session")
def real_embedder():
    from rag.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture
def embedder(real_embedder):
    return CountingEmbedder(real_embedder)


@pytest.fixture
def make_archive(tmp_path, embedder):
    """make_archive(**settings) -> an Archive under tmp_path with the real model and a real Chroma."""
    from rag.archive import Archive
    from rag.settings import Settings

    opened = []

    def make(home: Path | None = None, **values):
        settings = Settings().with_values({"home": home or tmp_path / "home", **values})
        archive = Archive(settings, embedder=embedder)
        opened.append(archive)
        return archive

    yield make
    for archive in opened:
        archive.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running the `newsrag` command in a subprocess against a temp archive."""
    env = dict(os.environ)
    env["NEWSRAG_HOME"] = str(tmp_path / "cli-home")
    env["PYTHONPATH"] = str(ROOT)
    return env


# The browser tests' fixtures, defined once here: one Chromium for the whole session (two definitions would
# start a second Playwright while the first still runs), a fresh tab per test that may send nothing off
# this computer.
@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent: scripts/install-system.sh installs it (apt-get install chromium)"
        if os.environ.get("CI"):  # CI installs it: a missing browser there is a broken install, not a skip
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 860},
        )
        context.set_default_timeout(LOAD_MS)
        yield context
        context.close()


# The real open model (tests/real_model.py: SmolLM2-135M-Instruct in llama.cpp), loaded once a process, and the
# Ollama stand-in serving it, one for the session; each test gets the server back in normal mode with empty logs.
@pytest.fixture(scope="session")
def real_model():
    from tests.real_model import load, unavailable

    reason = unavailable()
    if reason:
        if os.environ.get("CI"):  # CI installs it (make test): a missing model there is a broken install
            pytest.fail(reason)
        pytest.skip(reason)
    return load()


@pytest.fixture(scope="session")
def real_ollama_server(real_model):
    from tests.ollama_standin import OllamaStandin
    from tests.real_model import OLLAMA_NAME

    with OllamaStandin(models=[OLLAMA_NAME], engine="real") as server:
        yield server


@pytest.fixture
def real_ollama(real_ollama_server):
    """The stand-in serving SmolLM2-135M-Instruct as "smollm2:135m" (real_model.OLLAMA_NAME)."""
    server = real_ollama_server
    server.mode = "normal"
    server.requests.clear()
    server.answers.clear()
    return server


@pytest.fixture
def window(browser):
    """A fresh tab; afterwards, no dialog may have opened and no request may have left 127.0.0.1."""
    page = browser.new_page()
    window = Window(page)
    yield window
    page.close()
    assert not window.dialogs, f"a script ran: {window.dialogs}"
    assert not window.outside_requests(), f"requests left this computer: {window.outside_requests()}"
