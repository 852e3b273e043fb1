"""Model-server faults as a user of `newsrag ask` meets them: the real command in a subprocess, the real
archive and model, Ollama played by the stand-in with a 2 s NEWSRAG_TIMEOUT.

The five faults: the server is down, it lacks the model, it stalls longer than the timeout, it drops the
connection mid-answer, it sends malformed NDJSON. With `--backend auto` each one gives a note naming the
problem and the extractive answer with its checked citations, exit status 0. With `--backend ollama` the
user asked for the model and gets no substitute: the same message as an error, exit status 2, no
traceback. Either way nothing waits much past the timeout: the stand-in stalls for a minute, and the
time from the first request reaching it to the command's exit stays under that of a normal answer
(measured in the same run) plus the timeout plus a margin.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.ollama_standin import OllamaStandin
from tests.ui_helpers import free_port

pytestmark = pytest.mark.slow

TIMEOUT = 2.0
MARGIN = 3.0  # seconds past (normal answer + timeout) for the extractive answer on two shared cores
STALL = 60.0  # far longer than the timeout: a wait that is not cut short fails the bound by far
QUESTION = "Which town saw an attack that killed over 30 soldiers?"

# fault -> what the user must be told (with {host} the server's URL)
FAULTS = {
    "down": "Ollama is not reachable at {host}: start it with `ollama serve`",
    "unknown model": "Ollama at {host} has no model 'llama3.2': run `ollama pull llama3.2`",
    "stall": "Ollama stopped answering for more than 2 s ({host}, model 'llama3.2')",
    "drop": "Ollama at {host} closed the connection before finishing the answer",
    "malformed": "Ollama at {host} sent a malformed response",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory, real_embedder):
    import corpus
    from rag.archive import Archive
    from rag.ingest import Ingestor
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("faults-cli") / "home"
    archive = Archive(Settings().with_values({"home": folder}), embedder=real_embedder)
    try:
        assert Ingestor(archive).run(corpus.read([str(SAMPLES)])).new == 1
    finally:
        archive.close()  # the commands below open it in their own processes
    return folder


@pytest.fixture(scope="module")
def standin():
    with OllamaStandin(models=["llama3.2:latest"], stall_seconds=STALL) as server:
        yield server


@pytest.fixture(scope="module")
def normal_seconds(home, standin):
    """Seconds from the first request to the exit of a command the model answers normally."""
    result, waited = ask(home, standin.url, "auto", standin)
    assert result.returncode == 0 and "answered by ollama:llama3.2" in result.stdout, result.stderr
    return waited


@pytest.fixture
def faulty(standin):
    """fault name -> the OLLAMA_HOST to use, with the stand-in set to misbehave so; normal afterwards."""

    def make(fault: str) -> str:
        if fault == "down":
            return f"http://127.0.0.1:{free_port()}"  # nothing listens there
        if fault == "unknown model":
            standin.models = ["mistral:latest"]
        else:
            standin.mode = fault
        return standin.url

    yield make
    standin.mode, standin.models = "normal", ["llama3.2:latest"]


def ask(home, host: str, backend: str, standin: OllamaStandin) -> tuple[subprocess.CompletedProcess, float]:
    """Run `newsrag ask` as a user would (no --json); also the seconds from the first request the stand-in
    received to the command's exit (0 when none reached it)."""
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSRAG_HOME": str(home), "OLLAMA_HOST": host,
           "NEWSRAG_TIMEOUT": str(TIMEOUT), "NEWSRAG_MODEL": "llama3.2", "HF_HUB_OFFLINE": "1"}
    seen = len(standin.requests)
    process = subprocess.Popen([sys.executable, "-m", "rag.cli", "ask", QUESTION, "--backend", backend,
                                "--as-of", dt.date.today().isoformat()], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_request = None
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if first_request is None and len(standin.requests) > seen:
            first_request = time.monotonic()
        time.sleep(0.02)
    if process.poll() is None:
        process.kill()
    out, err = process.communicate(timeout=30)
    waited = time.monotonic() - first_request if first_request else 0.0
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), waited


@pytest.mark.parametrize("fault", FAULTS)
def test_auto_names_the_fault_and_answers_extractively_within_the_timeout(home, standin, faulty, fault,
                                                                         normal_seconds):
    host = faulty(fault)
    result, waited = ask(home, host, "auto", standin)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    note = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert note and FAULTS[fault].format(host=host) in note[0]
    assert "extractive answers" in note[0]  # says what it answers with instead
    assert "Boulikessi" in result.stdout
    assert "— answered by extractive (sentences quoted from the sources)" in result.stdout
    assert "[1] Wagner Group Exits Mali" in result.stdout and "NOT SUPPORTED" not in result.stdout
    bound = normal_seconds + TIMEOUT + MARGIN
    assert waited < bound, f"the command ran {waited:.1f} s after asking the model (bound {bound:.1f} s)"
    print(f"{fault}: {waited:.1f} s after the first request; a normal answer {normal_seconds:.1f} s")


@pytest.mark.parametrize("fault", FAULTS)
def test_ollama_asked_for_explicitly_is_a_clear_error_not_a_substitute(home, standin, faulty, fault,
                                                                       normal_seconds):
    host = faulty(fault)
    result, waited = ask(home, host, "ollama", standin)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("newsrag: ") and FAULTS[fault].format(host=host) in last
    assert "Traceback" not in result.stderr
    assert "answered by" not in result.stdout  # no answer passed off as the model's
    bound = normal_seconds + TIMEOUT + MARGIN
    assert waited < bound, f"the command ran {waited:.1f} s after asking the model (bound {bound:.1f} s)"
    print(f"{fault}: {waited:.1f} s after the first request; a normal answer {normal_seconds:.1f} s")
