"""Model-server faults as a user of the chat window meets them: the real app served in-process as
`newsrag serve` serves it, a real browser, the real archive and model; Ollama is the stand-in, with a
2 s timeout, and it stalls for a minute when told to stall.

Each of the five faults (down, unknown model, stall, connection dropped mid-answer, malformed NDJSON)
must show a message naming the problem and the extractive answer with its sources, no later than a
normal answer plus the timeout plus a margin; the next question is answered by Ollama again.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import SAMPLES, write_jsonl
from tests.ollama_standin import OllamaStandin
from tests.test_ui_browser import BOULIKESSI, DAM, serve
from tests.ui_helpers import ANSWER_MS, LOAD_MS, free_port

pytestmark = pytest.mark.slow

TIMEOUT = 2.0
MARGIN = 3.0  # seconds past (normal answer + timeout) for the extractive answer on two shared cores
STALL = 60.0
FAULTS = {  # what the user must be told; {host} is the server's URL
    "down": "Ollama is not reachable at {host}: start it with `ollama serve`",
    "unknown model": "Ollama at {host} has no model 'llama3.2': run `ollama pull llama3.2`",
    "stall": "Ollama stopped answering for more than 2 s ({host}, model 'llama3.2')",
    "drop": "Ollama at {host} closed the connection before finishing the answer",
    "malformed": "Ollama at {host} sent a malformed response",
}
DAM_QUESTION = "Who approved the Orrin dam?"


@pytest.fixture(scope="module")
def archive(tmp_path_factory, real_embedder):
    import corpus
    from rag.archive import Archive
    from rag.ingest import Ingestor
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("faults-ui")
    dam = write_jsonl(folder / "dam.jsonl", [{"id": "dam", "title": "Council approves the Orrin dam",
                                              "source": "Inland Post", "published": "2022-11-20", "text": DAM}])
    archive = Archive(Settings().with_values({"home": folder / "home"}), embedder=real_embedder)
    assert Ingestor(archive).run(corpus.read([str(SAMPLES), str(dam)])).new == 2
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def standin():
    with OllamaStandin(models=["llama3.2:latest"], stall_seconds=STALL, port=free_port()) as server:
        yield server


def app(archive, standin, backend: str):
    settings = archive.settings.with_values({"backend": backend, "ollama_host": standin.url, "model": "llama3.2",
                                             "timeout": TIMEOUT})
    return serve(settings, archive)


@pytest.fixture(scope="module")
def auto_url(archive, standin):
    demo, url = app(archive, standin, "auto")
    yield url
    demo.close()


@pytest.fixture(scope="module")
def ollama_url(archive, standin):
    demo, url = app(archive, standin, "ollama")
    yield url
    demo.close()


@pytest.fixture
def faulty(standin):
    """faulty(name) makes the stand-in misbehave so; afterwards it is up and normal again."""

    def make(fault: str) -> None:
        if fault == "down":
            standin.stop()
        elif fault == "unknown model":
            standin.models = ["mistral:latest"]
        else:
            standin.mode = fault

    yield make
    mend(standin)


def mend(standin: OllamaStandin) -> None:
    standin.mode, standin.models = "normal", ["llama3.2:latest"]
    if standin._server is None:
        standin.start()  # the same port: the app's OLLAMA_HOST still points at it


def answered(window, count: int, expected: str) -> float:
    """Wait for answer number `count` to be final (its sources shown) and contain `expected`."""
    from playwright.sync_api import expect

    expect(window.page.locator("[data-testid='bot']")).to_have_count(count, timeout=ANSWER_MS)
    expect(window.sources.locator("section")).to_have_count(count, timeout=ANSWER_MS)
    expect(window.last_answer).to_contain_text(expected, timeout=LOAD_MS)
    return time.monotonic()


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_named_answered_extractively_in_time_and_the_next_question_uses_ollama(
        window, auto_url, standin, faulty, fault):
    from playwright.sync_api import expect

    window.open(auto_url)
    started = time.monotonic()
    window.ask(BOULIKESSI)  # a normal answer first, to time the same path on the same machine now
    normal = answered(window, 1, "Boulikessi") - started
    assert "ℹ" not in window.last_answer.inner_text()
    window.page.locator("#nr-new").click()  # the faulty question is a first question: no rewrite
    expect(window.page.locator("[data-testid='bot']")).to_have_count(0, timeout=LOAD_MS)

    host = standin.url  # the stand-in keeps its port when it is stopped and started again
    faulty(fault)
    started = time.monotonic()
    window.ask(BOULIKESSI)
    took = answered(window, 1, FAULTS[fault].format(host=host)) - started
    expect(window.last_answer).to_contain_text("Boulikessi")
    expect(window.sources.locator("mark").first).to_contain_text("Boulikessi")
    assert took < normal + TIMEOUT + MARGIN, f"the faulty answer took {took:.1f} s, a normal one {normal:.1f} s"

    mend(standin)
    chats = len([r for r in standin.requests if r.get("messages")])
    window.ask(DAM_QUESTION)  # a follow-up: the app still serves, and Ollama answers again
    answered(window, 2, "council")
    assert "ℹ" not in window.last_answer.inner_text()
    assert len([r for r in standin.requests if r.get("messages")]) > chats
    expect(window.page.locator("#nr-status")).to_contain_text("Ollama llama3.2")


def test_ollama_chosen_explicitly_shows_the_fault_as_an_error_and_serves_on(window, ollama_url, standin, faulty):
    from playwright.sync_api import expect

    window.open(ollama_url)
    faulty("drop")
    window.ask(BOULIKESSI)
    expect(window.last_answer).to_contain_text(f"⚠️ {FAULTS['drop'].format(host=standin.url)}",
                                               timeout=ANSWER_MS)
    expect(window.sources.locator("mark")).to_have_count(0)  # nothing passed off as the model's answer
    mend(standin)
    window.ask(DAM_QUESTION)
    expect(window.page.locator("[data-testid='bot']")).to_have_count(2, timeout=ANSWER_MS)
    expect(window.last_answer).to_contain_text("council", timeout=ANSWER_MS)
    expect(window.sources.locator("mark").first).to_contain_text("council", timeout=LOAD_MS)


def test_the_ask_endpoint_reports_the_fault_in_its_notice_or_as_an_error(auto_url, ollama_url, standin, faulty):
    from gradio_client import Client

    faulty("stall")
    answer = Client(auto_url, verbose=False, analytics_enabled=False).predict(BOULIKESSI, api_name="/ask")
    assert answer["backend"] == "extractive" and FAULTS["stall"].format(host=standin.url) in answer["notice"]
    assert answer["citations"] and all(c["supported"] for c in answer["citations"])
    with pytest.raises(Exception, match="stopped answering for more than 2 s"):
        Client(ollama_url, verbose=False, analytics_enabled=False).predict(BOULIKESSI, api_name="/ask")


def test_a_follow_up_during_a_stall_waits_one_timeout_not_two(archive, standin, faulty):
    from rag.wiring import open_assistant
    from ui.chat import Chat, Conversation

    timeout = 4.0  # longer here, so a second wait on the server would stand out from the noise
    settings = archive.settings.with_values({"ollama_host": standin.url, "timeout": timeout})
    chat = Chat(archive, open_assistant(settings, archive)[1])
    first = list(chat.respond(BOULIKESSI, Conversation()))[-1].conversation
    follow_up = "And who left the country?"  # rewritten by the model, then answered by it
    started = time.monotonic()
    list(chat.respond(follow_up, first))
    normal = time.monotonic() - started
    faulty("stall")
    started = time.monotonic()
    last = list(chat.respond(follow_up, first))[-1]
    took = time.monotonic() - started
    reply = last.conversation.messages[-1]["content"]
    assert "stopped answering for more than 4 s" in reply and "(#source-2-1)" in reply  # cites a source
    assert "Wagner Group Exits Mali" in last.sources  # the article the follow-up is about
    assert took < normal + timeout + MARGIN, f"the follow-up took {took:.1f} s, {normal:.1f} s when normal"
