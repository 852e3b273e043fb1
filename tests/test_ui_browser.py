"""The chat window in a real browser, as a user sees it: the real app, the real archive and model,
Debian's chromium through Playwright. The only stand-in is the Ollama server (tests/ollama_standin.py),
serving a real open model (SmolLM2-135M) for answers, and its scripted model for misbehaviour on request.

The app is served in-process (`ui.app.launch(..., block=False)`), as `newsrag serve` serves it, over an
archive of the bundled sample plus a few articles written here, one of them titled with an HTML
injection. Every wait is bounded, so a bug fails a test instead of hanging it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time

import pytest

from tests.conftest import ROOT, SAMPLES, write_jsonl
from tests.real_model import OLLAMA_NAME
from tests.ui_helpers import ANSWER_MS, LOAD_MS, free_port

pytestmark = pytest.mark.slow

BOULIKESSI = "Which town saw an attack that killed over 30 soldiers?"
HOSTILE = "<img src=x onerror=alert(1)>"
DAM = ("The regional council approved the Orrin dam on Tuesday after three years of hearings. The dam will "
       "hold back the river above Carrick and supply power to forty thousand homes. Engineers expect "
       "construction to start next spring and to last four years, employing about six hundred workers. ")
ARTICLES = [
    {"id": "hostile-title", "title": HOSTILE, "source": "Coast Courier", "published": "2023-05-04",
     "url": "javascript:alert(3)",
     "text": "The lighthouse keeper on Skerry Point counted 412 puffins nesting on the cliffs this spring. "
             "<script>alert(2)</script> ${alert(4)} It was the highest count since records began."},
    {"id": "dam-inland", "title": "Council approves the Orrin dam", "source": "Inland Post",
     "published": "2022-11-20", "url": "https://inland.example/dam", "text": DAM + "Critics plan an appeal."},
    {"id": "dam-valley", "title": "Orrin dam gets the go-ahead", "source": "Valley Times",
     "published": "2022-11-21", "url": "https://valley.example/orrin",
     "text": DAM + "Critics plan to appeal."},
]
EXPECTED_KEYS = {"question", "answer", "backend", "notice", "citations", "retrieved", "timings", "sentences",
                 "markers_removed", "filters"}


@pytest.fixture(scope="session")
def archive(tmp_path_factory, real_embedder):
    import corpus
    from rag.archive import Archive
    from rag.ingest import Ingestor
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("ui")
    articles = write_jsonl(folder / "articles.jsonl", ARTICLES)
    settings = Settings.load({"NEWSRAG_HOME": str(folder / "home"), "NEWSRAG_BACKEND": "extractive"})
    archive = Archive(settings, embedder=real_embedder)
    report = Ingestor(archive).run(corpus.read([str(SAMPLES), str(articles)]))
    assert report.new == 4 and not report.errors
    yield archive
    archive.close()


def serve(settings, archive):
    from rag.wiring import open_assistant
    from ui.app import build_app, launch

    _, assistant = open_assistant(settings, archive)
    demo = build_app(settings, archive, assistant)
    port = free_port()
    launch(demo, "127.0.0.1", port, block=False)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def app_url(archive):
    demo, url = serve(archive.settings, archive)
    yield url
    demo.close()


@pytest.fixture(scope="session")
def ollama():
    from tests.ollama_standin import OllamaStandin

    with OllamaStandin(models=["llama3.2:latest"], chunk_delay=0.1) as server:
        yield server


@pytest.fixture(scope="session")
def real_ollama_url(archive, real_ollama_server):
    settings = archive.settings.with_values({"backend": "ollama", "ollama_host": real_ollama_server.url,
                                             "model": OLLAMA_NAME, "timeout": 120})
    demo, url = serve(settings, archive)
    yield url
    demo.close()


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def ollama_url(archive, ollama):
    settings = archive.settings.with_values({"backend": "auto", "ollama_host": ollama.url,
                                             "model": "llama3.2"})
    demo, url = serve(settings, archive)
    yield url
    demo.close()


def test_an_answer_streams_in_and_its_marker_brings_the_quoted_passage_into_view(window, app_url):
    from playwright.sync_api import expect

    window.open(app_url)
    window.ask(BOULIKESSI)
    expect(window.last_answer).to_contain_text("Boulikessi", timeout=ANSWER_MS)
    marker = window.last_answer.locator("a[href^='#source-1-']").first
    # as of the archive's last day (the window's default), its newest article may rank first: any [n]
    expect(marker).to_have_text(re.compile(r"^\[\d+\]$"))
    expect(window.sources.locator("mark").first).to_contain_text("Boulikessi", timeout=LOAD_MS)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    window.page.screenshot(path=str(artifacts / "chat.png"), full_page=True)

    window.page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    marker.click()
    source = window.page.locator("#" + marker.get_attribute("href")[1:])
    expect(source).to_have_class(re.compile(r"\bnr-flash\b"), timeout=5_000)  # the page handled the click
    expect(source.locator("mark")).to_contain_text("Boulikessi")
    expect(source.locator("mark")).to_be_in_viewport(timeout=5_000)
    opened = [p for p in window.page.context.pages if p.url != "about:blank"]
    assert "#source" not in window.page.url and len(opened) == 1  # no new tab, no jump
    assert window.requests and not window.outside_requests()


def test_a_date_filter_that_excludes_everything_says_nothing_matches(window, app_url):
    from playwright.sync_api import expect

    window.open(app_url)
    window.page.locator("#nr-until input, #nr-until textarea").first.fill("1900-01-01")
    window.ask(BOULIKESSI)
    expect(window.last_answer).to_contain_text("Nothing in the archive matches", timeout=ANSWER_MS)
    expect(window.sources.locator("mark")).to_have_count(0)


def test_the_period_read_from_a_question_is_shown_and_can_be_dropped_and_as_of_moves_it(window, app_url, archive):
    from playwright.sync_api import expect

    from rag.browse import stats
    from ui.chat import default_as_of

    window.open(app_url)
    day, _ = default_as_of(stats(archive.catalog, ""))  # the archive ends before today: its last day
    as_of = window.page.locator("#nr-as-of input, #nr-as-of textarea").first
    expect(as_of).to_have_value(day.isoformat())
    expect(window.page.locator("#nr-as-of")).to_contain_text("Default: the archive's last day, as it ends before today")

    dam = "Who approved the Orrin dam last week?"  # the dam was approved in November 2022
    window.ask(dam)
    expect(window.last_answer).to_contain_text("Nothing in the archive matches 'last week'", timeout=ANSWER_MS)
    line = window.sources.locator("section").first.locator(".nr-searched")
    expect(line).to_contain_text("Searching reports published ")
    expect(line).to_contain_text(f"… {day - dt.timedelta(days=1)} ('last week')")
    again = window.page.locator("#nr-again")
    expect(again).to_have_text("Search all dates, not only 'last week'", timeout=LOAD_MS)
    again.click()
    expect(window.page.locator("[data-testid='bot']")).to_have_count(2, timeout=ANSWER_MS)
    expect(window.last_answer).to_contain_text("council", timeout=ANSWER_MS)
    expect(window.page.locator("[data-testid='user']").last).to_have_text("Who approved the Orrin dam “last week”?")
    expect(window.sources.locator("section").first.locator(".nr-searched")).to_have_count(0)
    expect(again).to_be_hidden()

    as_of.fill("2022-11-24")  # a Thursday: last week is 11-14 … 11-20, and the days just past
    window.ask(dam)
    expect(window.page.locator("[data-testid='bot']")).to_have_count(3, timeout=ANSWER_MS)
    expect(window.last_answer).to_contain_text("council", timeout=ANSWER_MS)
    expect(window.sources.locator("section").first.locator(".nr-searched")).to_have_text(
        "Searching reports published 2022-11-14 … 2022-11-23 ('last week')")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    window.page.screenshot(path=str(artifacts / "chat-period.png"), full_page=True)


def test_html_in_a_title_shows_as_text_and_runs_nothing(window, app_url):
    from playwright.sync_api import expect

    window.open(app_url)
    window.ask(f"How many puffins did the lighthouse keeper count? {HOSTILE}")
    expect(window.last_answer).to_contain_text("412 puffins", timeout=ANSWER_MS)
    expect(window.sources).to_contain_text(HOSTILE, timeout=LOAD_MS)
    expect(window.page.locator("[data-testid='user']").last).to_contain_text(HOSTILE)
    expect(window.sources.locator("mark").first).to_contain_text("412 puffins")
    expect(window.sources).to_contain_text("<script>alert(2)</script> ${alert(4)}")
    window.page.wait_for_timeout(500)  # an injected onerror would have fired by now
    assert window.page.locator("img[src='x']").count() == 0
    assert window.page.locator("a[href^='javascript']").count() == 0
    assert not window.dialogs


def test_an_uploaded_file_can_be_asked_about_at_once_with_its_outlet_as_a_filter(window, app_url, tmp_path):
    from playwright.sync_api import expect

    ferry = {"id": "ferry-1", "title": "Veldmoor ferry resumes", "source": "Harbour Gazette",
             "published": "2024-03-02", "url": "https://gazette.example/ferry",
             "text": "The Veldmoor ferry resumed sailing on Saturday after the zebra mussel survey ended. "
                     "The harbour master said two boats would run each hour until October."}
    upload = write_jsonl(tmp_path / "ferry-news.jsonl", [ferry, {"id": "broken"}])
    window.open(app_url)
    add = window.page.locator("#nr-add")
    if not window.page.locator("#nr-files").is_visible():
        add.get_by_text("Add articles").first.click()
    window.page.locator("#nr-files input[type=file]").set_input_files(str(upload))
    summary = window.page.locator("#nr-upload-summary")
    expect(summary).to_contain_text("1 new article added from 1 file", timeout=ANSWER_MS)
    expect(summary).to_contain_text("ferry-news.jsonl:2")  # the broken record, by file and line
    expect(window.page.locator("#nr-status")).to_contain_text("from 4 outlets")  # was 3

    window.page.locator("#nr-outlets input").click()
    window.page.get_by_role("option", name="Harbour Gazette").click()
    window.page.keyboard.press("Escape")
    window.ask("What resumed after the zebra mussel survey?")
    expect(window.last_answer).to_contain_text("Veldmoor ferry", timeout=ANSWER_MS)
    expect(window.sources).to_contain_text("Harbour Gazette")


def test_new_conversation_clears_the_chat_and_the_sources(window, app_url):
    from playwright.sync_api import expect

    window.open(app_url)
    window.ask("Who approved the Orrin dam?")
    expect(window.last_answer).to_contain_text("council", timeout=ANSWER_MS)
    expect(window.sources).to_contain_text("Also reported by")  # the syndicated copy
    window.page.locator("#nr-new").click()
    expect(window.page.locator("[data-testid='bot']")).to_have_count(0, timeout=LOAD_MS)
    expect(window.sources).to_contain_text("appear here")
    puffins = "How many puffins did the lighthouse keeper count?"
    window.ask(puffins)  # the first question of a new conversation
    expect(window.last_answer).to_contain_text("412 puffins", timeout=ANSWER_MS)
    expect(window.page.locator("[data-testid='bot']")).to_have_count(1)
    expect(window.sources.locator("section h3")).to_have_text([f"1. {puffins}"])


def test_a_real_models_answer_streams_in_and_follow_ups_use_the_conversation(window, real_ollama_url, real_ollama):
    from playwright.sync_api import expect

    window.open(real_ollama_url)
    expect(window.page.locator("#nr-status")).to_contain_text(f"Ollama {OLLAMA_NAME}")
    window.record_stream()
    window.ask(BOULIKESSI)
    wait_for(lambda: len(real_ollama.answers) == 1, ANSWER_MS / 1000)
    written = re.findall(r"[A-Za-z]{5,}", real_ollama.answers[0].text)
    assert written, f"the model wrote no words: {real_ollama.answers[0].text!r}"
    expect(window.last_answer).to_contain_text(max(written, key=len), timeout=ANSWER_MS)  # the model's words
    expect(window.sources.locator("section")).to_have_count(1, timeout=LOAD_MS)
    partial = [seen for seen in window.streamed() if seen.strip() not in ("", "…")]
    assert len(set(partial)) > 2, f"the answer did not stream in: {window.streamed()}"

    window.ask("And who left the country?")
    wait_for(lambda: len(real_ollama.answers) == 3, ANSWER_MS / 1000)  # the follow-up's rewrite, then its answer
    expect(window.page.locator("[data-testid='bot']")).to_have_count(2, timeout=ANSWER_MS)
    expect(window.sources.locator("section")).to_have_count(2, timeout=ANSWER_MS)
    chats = [json.dumps(r) for r in real_ollama.requests if "messages" in r]
    assert "standalone" in chats[1].lower() and BOULIKESSI in chats[1]  # the rewrite was given the conversation
    assert BOULIKESSI in chats[2]  # and so was the answer


def test_an_unsupported_sentence_is_marked(window, ollama_url, ollama):
    from playwright.sync_api import expect

    ollama.mode = "unsupported"
    try:
        window.open(ollama_url)
        window.ask(BOULIKESSI)
        expect(window.last_answer.locator(".nr-unsupported")).to_contain_text("⚠", timeout=ANSWER_MS)
        expect(window.last_answer.locator(".nr-unsupported")).to_contain_text("Geneva")
    finally:
        ollama.mode = "normal"


def test_the_ask_endpoint_returns_what_newsrag_ask_json_prints(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False, download_files=False, analytics_enabled=False)
    answer = client.predict(BOULIKESSI, api_name="/ask")
    assert set(answer) == EXPECTED_KEYS
    assert answer["backend"] == "extractive" and "Boulikessi" in answer["answer"]
    assert any("Boulikessi" in c["quote"] for c in answer["citations"])
    cited = answer["citations"][0]
    assert {"n", "article_id", "title", "source", "published", "url", "quote", "start", "end", "supported",
            "headline", "also_reported_by"} == set(cited)
    assert html.escape(HOSTILE) not in json.dumps(answer)


def test_the_ask_endpoint_takes_the_as_of_day_dates_outlets_and_history(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False, download_files=False, analytics_enabled=False)
    dam = "Who approved the Orrin dam last week?"
    answer = client.predict(dam, as_of="2022-11-24", api_name="/ask")
    assert answer["filters"] == {"since": "2022-11-14", "until": "2022-11-23", "sources": [],
                                 "as_of": "2022-11-24", "phrase": "last week"}
    assert "council" in answer["answer"]
    typed = client.predict("Who approved the Orrin dam?", since="2022-11-21", until="2022-11-21",
                           sources=["Valley Times"], api_name="/ask")
    assert typed["filters"]["sources"] == ["Valley Times"] and typed["filters"]["phrase"] is None
    assert {c["source"] for c in typed["citations"]} == {"Valley Times"}
    follow_up = client.predict("And how many homes?", history=[["Who approved the Orrin dam?", "The council."]],
                               api_name="/ask")
    assert "forty thousand" in follow_up["answer"]
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        client.predict(dam, as_of="24 November", api_name="/ask")
