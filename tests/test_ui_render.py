"""The chat window's pure renderers: answers, sources, status line, upload summaries, filters."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from rag.catalog import StoredArticle
from rag.errors import InputError
from rag.records import SUPPORTED, UNSUPPORTED, Answer, ArticleMeta, CheckedSentence, Citation
from ui.chat import parse_filters
from ui.render import (
    EMPTY_ARCHIVE,
    answer_markdown,
    escape_markdown,
    linked_markdown,
    outlet_choices,
    status_markdown,
    upload_summary_html,
    welcome_markdown,
)
from ui.sources import passage_html, safe_url, sources_panel_html, turn_sources_html
from ui.upload import FileResult

HOSTILE = "<img src=x onerror=alert(1)>"
TEXT = ("Soldiers were moved north.\n\nNotably, a recent assault claimed the lives of over 30 soldiers "
        "in the town of Boulikessi. The army said more troops would follow.")
QUOTE = "Notably, a recent assault claimed the lives of over 30 soldiers in the town of Boulikessi."


def citation(n=1, **changes) -> Citation:
    values = dict(n=n, article_id="a1", title="Attack in Mali", source="Sahel Post", published="2023-09-01",
                  url="https://sahel.example/attack", quote=QUOTE, start=TEXT.index(QUOTE),
                  end=TEXT.index(QUOTE) + len(QUOTE), supported=True, also_reported_by=())
    values.update(changes)
    return Citation(**values)


def stored(text=TEXT, near=()) -> StoredArticle:
    meta = ArticleMeta("a1", "Attack in Mali", "Sahel Post", "2023-09-01", "https://sahel.example/attack",
                       "g")
    return StoredArticle(meta=meta, authors=(), text=text, copy_of=None, copies=(), chunks=(),
                         near_duplicates=near, versions=0)


def test_markdown_escaping_shows_article_text_literally():
    escaped = escape_markdown(f"{HOSTILE} *bold* ![x](javascript:x) a_b\n# head\n1990. a year\n- item\n===")
    assert "<" not in escaped and "&lt;img src=x onerror=alert(1)&gt;" in escaped
    assert "\\*bold\\*" in escaped and "!\\[x\\](javascript:x)" in escaped and "a\\_b" in escaped
    assert escaped.endswith("\n\\# head\n1990\\. a year\n\\- item\n\\===")
    assert escape_markdown("The Sahel, 2023: calm.") == "The Sahel, 2023: calm."


def test_streamed_markers_become_links_to_their_sources():
    shown = linked_markdown("Boulikessi was attacked [1]. Troops left [2, 3]. <b>", turn=4)
    assert "[\\[1\\]](#source-4-1)" in shown
    assert "[\\[2\\]](#source-4-2)[\\[3\\]](#source-4-3)" in shown
    assert "&lt;b&gt;" in shown and "<b>" not in shown


def test_checked_answer_marks_unsupported_sentences_and_keeps_paragraphs():
    text = "Boulikessi was attacked. [1]\n\nThe ceasefire was signed in Geneva. [1][2]"
    answer = Answer("q", text, "extractive", sentences=(
        CheckedSentence("Boulikessi was attacked.", (1,), SUPPORTED),
        CheckedSentence("The ceasefire was signed in Geneva.", (1, 2), UNSUPPORTED,
                        reason="'Geneva' is in none of [1], [2]", separator="\n\n"),
    ))
    shown = answer_markdown(answer, turn=1)
    first, second = shown.split("\n\n")[:2]
    assert "nr-unsupported" not in first and first.endswith("[\\[1\\]](#source-1-1)")
    assert second.startswith('<span class="nr-unsupported"') and "⚠" in second
    assert "[\\[2\\]](#source-1-2)" in second
    assert "Geneva&#x27; is in none of" in second and "nr-reason" in second
    assert "no retrieved source supports" in shown


def test_citations_newsrag_attached_are_marked_as_attributed():
    answer = Answer("q", "Boulikessi was attacked. [1]", "ollama:m", sentences=(
        CheckedSentence("Boulikessi was attacked.", (1,), SUPPORTED, attributed=True),))
    shown = answer_markdown(answer, turn=2)
    assert '<span class="nr-attributed"' in shown and "[\\[1\\]](#source-2-1)" in shown
    assert "left uncited" in shown


def test_answer_without_sentences_shows_its_text_and_notice():
    answer = Answer("q", "Nothing in the archive matches published … 1900-01-01.", "extractive",
                    notice="Ollama is not reachable at http://127.0.0.1:1")
    shown = answer_markdown(answer, turn=1)
    assert shown.startswith("ℹ️ _Ollama is not reachable") and "Nothing in the archive matches" in shown


def test_source_shows_headline_outlet_date_link_and_the_marked_passage_in_context():
    block = turn_sources_html(2, "Which town?", [citation(also_reported_by=("Desert Wire",))],
                              {"a1": stored(near=(ArticleMeta("a2", "t", "Desert Wire", None,
                                                              "https://wire.example/x", "g"),))})
    assert 'id="source-2-1"' in block and "Attack in Mali" in block and "Sahel Post" in block
    assert "2023-09-01" in block and 'href="https://sahel.example/attack"' in block
    assert f"<mark>{QUOTE}</mark>" in block
    assert "Soldiers were moved north." in block and "more troops would follow" in block
    assert "Also reported by" in block and 'href="https://wire.example/x"' in block


def test_source_escapes_titles_and_links_only_http():
    hostile = citation(title=HOSTILE, source="<b>x</b>", url="javascript:alert(1)")
    block = turn_sources_html(1, HOSTILE, [hostile], {"a1": stored(text=TEXT + " <script>alert(2)</script>")})
    assert "<img" not in block and "<script" not in block and "<b>" not in block
    assert html.escape(HOSTILE) in block and "javascript:" not in block


def test_every_link_says_which_host_it_goes_to_in_its_text():
    block = turn_sources_html(1, "q", [citation(url="https://rеuters.example/x", also_reported_by=("Wire",))],
                              {"a1": stored(near=(ArticleMeta("a2", "t", "Wire", None, "http://evil.example/",
                                                              "g"),))})
    assert "read the original at xn--ruters-3of.example ↗</a>" in block  # a Cyrillic е shows as punycode
    assert ">Wire (evil.example)</a>" in block


def test_unsupported_citation_is_flagged_and_a_vanished_article_still_shows_its_quote():
    block = turn_sources_html(1, "q", [citation(supported=False)], {"a1": None})
    assert "is not supported by it" in block and f"<mark>{QUOTE}</mark>" in block


@pytest.mark.parametrize("url, ok", [
    ("https://a.example/x?y=1", True), ("http://a.example", True), ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False), ("data:text/html,x", False), ("//a.example/x", False),
    ("https://a.example/\nx", False), ("java\tscript:alert(1)", False), ("", False),
    ("ftp://a.example", False),
])
def test_only_absolute_http_urls_are_links(url, ok):
    assert (safe_url(url) is not None) is ok


def test_passage_context_is_cut_between_words_with_ellipses():
    text = "word " * 200 + "QUOTE HERE" + " tail" * 200
    start = text.index("QUOTE")
    shown = passage_html(text, start, start + len("QUOTE HERE"), context=50)
    assert shown.startswith("…word") and shown.endswith("tail…") and "<mark>QUOTE HERE</mark>" in shown
    assert passage_html("QUOTE", 0, 5) == "<mark>QUOTE</mark>"


def test_sources_panel_lists_newest_answer_first():
    assert "appear here" in sources_panel_html([])
    assert sources_panel_html(["<p>1</p>", "<p>2</p>"]) == "<p>2</p><p>1</p>"
    pending = sources_panel_html(["<p>1</p>"], "Searching <now>")
    assert pending.startswith('<p class="nr-pending">Searching &lt;now') and pending.endswith("<p>1</p>")


STATS = {"articles": 12, "chunks": 40, "sources": {"Sahel Post": 7, "": 2, "Desert Wire": 3},
         "date_min": "2019-01-02", "date_max": "2023-09-01"}


def test_status_line_shows_archive_and_backend():
    line = status_markdown(STATS, "extractive — Ollama is not reachable at http://127.0.0.1:11434")
    assert "12 articles from 2 outlets, 2019-01-02 … 2023-09-01" in line
    assert "extractive — Ollama is not reachable at http://127.0.0.1:11434" in line
    assert "Ollama llama3.2" in status_markdown(STATS, "Ollama llama3.2")
    assert "Loading the search index" not in line
    assert "Loading the search index" in status_markdown(STATS, "extractive", loading=True)
    assert outlet_choices(STATS) == ["Desert Wire", "Sahel Post"]


def test_empty_archive_says_how_to_add_articles():
    empty = {"articles": 0, "chunks": 0, "sources": {}, "date_min": None, "date_max": None}
    assert welcome_markdown(empty) == EMPTY_ARCHIVE
    assert "newsrag ingest PATH" in EMPTY_ARCHIVE and "Add articles" in EMPTY_ARCHIVE
    assert "empty" in status_markdown(empty, "extractive")


def test_upload_summary_has_a_row_per_file_with_errors_by_line():
    shown = upload_summary_html([
        FileResult("news.jsonl", new=3, unchanged=1, duplicates=2, errors=("news.jsonl:4: not JSON",)),
        FileResult(f"{HOSTILE}.csv"),
    ])
    assert "3 new articles added from 2 files" in shown
    assert "<td>news.jsonl</td><td>3</td><td>0</td><td>1</td><td>2</td>" in shown
    assert "<li>news.jsonl:4: not JSON</li>" in shown and "<img" not in shown
    assert "at most 50" in upload_summary_html([], problem="at most 50 files")


def test_filters_are_parsed_from_the_window():
    filters = parse_filters(" 2023-01-01 ", "", ["Sahel Post"])
    assert filters.since == dt.date(2023, 1, 1) and filters.until is None
    assert filters.sources == ("Sahel Post",)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_filters("last week", "", [])
    with pytest.raises(InputError, match="after"):
        parse_filters("2023-02-01", "2023-01-01", None)


def test_a_date_given_to_the_month_or_the_year_is_shown_as_given():
    from ui.sources import shown_date

    assert [shown_date(d) for d in ("2019-03-05", "2019-03", "2019", None)] == [
        "2019-03-05", "March 2019", "2019", "undated"]
