"""Digests and timelines in the chat window, in a real browser (Debian's chromium through Playwright), and
through the `/digest` and `/timeline` endpoints: the real app, archive and model, extractive answers.

The archive is the bundled sample plus the Orrin dam story written here: approved (two outlets, a day
apart, near-copies of one report), appealed a week later, the appeal rejected — and one unrelated report.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SAMPLES, write_jsonl
from tests.ui_helpers import ANSWER_MS, LOAD_MS, free_port

pytestmark = pytest.mark.slow

DAM = ("The regional council approved the Orrin dam on Tuesday after three years of hearings. The dam will "
       "hold back the river above Carrick and supply power to forty thousand homes. Engineers expect "
       "construction to start next spring and to last four years, employing about six hundred workers. ")
ARTICLES = [
    {"id": "dam-inland", "title": "Council approves the Orrin dam", "source": "Inland Post",
     "published": "2022-11-20", "url": "https://inland.example/dam", "text": DAM + "Critics plan an appeal."},
    {"id": "dam-valley", "title": "Orrin dam gets the go-ahead", "source": "Valley Times",
     "published": "2022-11-21", "url": "https://valley.example/orrin", "text": DAM + "Critics plan to appeal."},
    {"id": "dam-appeal", "title": "Carrick residents appeal against the Orrin dam", "source": "Inland Post",
     "published": "2022-11-28", "url": "https://inland.example/appeal",
     "text": "Residents of Carrick filed an appeal against the Orrin dam on Monday, a week after the regional "
             "council approved it. They say the dam's reservoir would flood farmland above the river. The "
             "council said it would defend its decision in court."},
    {"id": "dam-court", "title": "Court rejects the appeal against the Orrin dam", "source": "Valley Times",
     "published": "2022-12-05", "url": "https://valley.example/court",
     "text": "A court rejected the Carrick residents' appeal against the Orrin dam on Friday, clearing the way "
             "for construction to start in the spring. The residents said they would not take the case further. "
             "The regional council welcomed the ruling on the dam."},
    {"id": "marathon", "title": "Runner sets a course record at the Carrick marathon", "source": "Coast Courier",
     "published": "2022-11-27", "url": "https://coast.example/marathon",
     "text": "A local runner set a course record at the Carrick marathon on Sunday, finishing in two hours and "
             "nine minutes. Thousands of spectators lined the seafront to cheer the field of four hundred."},
]


@pytest.fixture(scope="module")
def stories_url(tmp_path_factory, real_embedder):
    import corpus
    from rag.archive import Archive
    from rag.ingest import Ingestor
    from rag.settings import Settings
    from rag.wiring import open_assistant
    from ui.app import build_app, launch

    folder = tmp_path_factory.mktemp("ui-stories")
    settings = Settings.load({"NEWSRAG_HOME": str(folder / "home"), "NEWSRAG_BACKEND": "extractive"})
    archive = Archive(settings, embedder=real_embedder)
    report = Ingestor(archive).run(corpus.read([str(SAMPLES), str(write_jsonl(folder / "a.jsonl", ARTICLES))]))
    assert report.new == 6 and not report.errors
    _, assistant = open_assistant(settings, archive)
    demo = build_app(settings, archive, assistant)
    port = free_port()
    launch(demo, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()
    archive.close()


def test_a_digest_question_gets_the_period_s_stories_a_chart_and_clickable_quotes(window, stories_url):
    from playwright.sync_api import expect

    window.open(stories_url)
    window.ask("What were the main stories in November 2022?")
    reply = window.last_answer
    expect(reply).to_contain_text("most widely reported", timeout=ANSWER_MS)
    expect(reply.locator("ol li").first).to_contain_text("Orrin dam")  # two outlets: the widest reach
    expect(reply.locator("ol li").first).to_contain_text("Inland Post, Valley Times")
    expect(reply).to_contain_text("Runner sets a course record")
    expect(reply).not_to_contain_text("Court rejects")  # December
    expect(reply).not_to_contain_text("Wagner")  # undated: in no period
    section = window.sources.locator("section").first
    # the period as `ask` reads it: reports of the month's last day come out the next
    expect(section.locator(".nr-searched")).to_contain_text("2022-11-01 … 2022-12-01 ('November 2022')")
    chart = section.locator("figure.nr-chart svg")
    expect(chart).to_have_attribute("aria-label", "Articles per day, by outlet")
    assert chart.locator("rect[fill]").count() >= 4 + 3  # a bar per outlet-day, and the legend's swatches
    expect(chart).to_contain_text("Coast Courier")
    marker = reply.locator("a[href^='#source-1-']").first
    marker.click()
    source = window.page.locator("#" + marker.get_attribute("href")[1:])
    expect(source).to_have_class(re.compile(r"\bnr-flash\b"), timeout=5_000)
    expect(source.locator("mark")).to_be_in_viewport(timeout=5_000)
    quote = reply.locator("ol li").first.inner_text().split("“", 1)[1].split("”", 1)[0]
    expect(source.locator("mark")).to_have_text(quote)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    window.page.screenshot(path=str(ROOT / "test-artifacts" / "digest.png"), full_page=True)


def test_a_timeline_question_lists_the_story_day_by_day_with_its_chart(window, stories_url):
    from playwright.sync_api import expect

    window.open(stories_url)
    window.ask("How did the Orrin dam story develop?")
    reply = window.last_answer
    expect(reply).to_contain_text("reports in date order", timeout=ANSWER_MS)
    items = reply.locator("ul li")
    expect(items).to_have_count(4)
    dates = [re.match(r"\d{4}-\d\d-\d\d", items.nth(i).inner_text()).group(0) for i in range(4)]
    assert dates == ["2022-11-20", "2022-11-21", "2022-11-28", "2022-12-05"]
    expect(reply).not_to_contain_text("marathon")
    expect(items.nth(1)).to_contain_text("much the same text as the 2022-11-20 report (Inland Post)")
    chart = window.sources.locator("section").first.locator("figure.nr-chart svg")
    expect(chart).to_have_attribute("aria-label", "This story's articles per day, by outlet")
    expect(chart).not_to_contain_text("Coast Courier")
    items.nth(3).locator("a[href^='#source-']").click()
    expect(window.sources.locator("article.nr-source").filter(has_text="Court rejects").locator("mark")
           ).to_be_in_viewport(timeout=LOAD_MS)


def test_the_digest_and_timeline_endpoints_return_what_the_commands_print(stories_url):
    from gradio_client import Client

    client = Client(stories_url, verbose=False, download_files=False, analytics_enabled=False)
    digest = client.predict(since="2022-11-01", until="2022-11-30", api_name="/digest")
    assert {"since", "until", "stories"} <= set(digest) and digest["since"] == "2022-11-01"
    top = digest["stories"][0]
    assert {"headline", "articles", "outlets", "first", "last", "summary", "citations"} <= set(top)
    assert top["summary_by"] == "extractive"  # the app answers extractively
    assert top["outlets"] == ["Inland Post", "Valley Times"] and top["first"] == "2022-11-20"
    assert {"n", "article_id", "quote", "start", "end", "supported"} <= set(top["citations"][0])
    only = client.predict(since="2022-11-01", until="2022-11-30", sources=["Coast Courier"], top=1,
                          api_name="/digest")
    assert [s["outlets"] for s in only["stories"]] == [["Coast Courier"]]
    timeline = client.predict("timeline of the Orrin dam", api_name="/timeline")
    assert timeline["question"] == "timeline of the Orrin dam"
    assert [e["date"] for e in timeline["entries"]] == ["2022-11-20", "2022-11-21", "2022-11-28", "2022-12-05"]
    assert {"date", "article_id", "title", "source", "sentence", "citation"} <= set(timeline["entries"][0])
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        client.predict(since="1 November", api_name="/digest")
