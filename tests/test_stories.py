"""Digests and timelines as a user gets them from `newsrag digest` and `newsrag timeline`: on the bundled
sample, and on an archive of Wikinews's February–April 2020 articles (the US primaries among COVID-19 and
other news) with a syndicated near-copy and a corrected article added here. What is checked is what the
user reads: headlines, dates, outlets, the order of entries, and quotes that are the stored text at their
spans. The story sets below were read by hand from the Wikinews headlines; the results are not."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES, shared_file, write_jsonl

PRIMARIES = {  # the 2020 US primaries and their end, Wikinews ids
    "wikinews-u2200080f9b45", "wikinews-u3684739d37a5", "wikinews-u9eb5de0e8b84", "wikinews-u3f838d63837c",
    "wikinews-ua86156d2d136", "wikinews-u5261d4485796", "wikinews-ubab1bd962c95", "wikinews-uf6cc88d2995b",
    "wikinews-u78680019a14f", "wikinews-u224c5df09ad5", "wikinews-ub9555c809cca", "wikinews-u705886806250"}
UNSURE = {"wikinews-u84b1b0a7d2f4"}  # a ballot-law suit: an election story, not the primaries
NEVADA = "wikinews-u3684739d37a5"  # copied by another outlet the next day
CORRECTED = "wikinews-u224c5df09ad5"  # Sanders ends his bid: corrected after it was first ingested
COPY = {"id": "wire-nevada", "source": "Valley Wire", "published": "2020-02-24", "url": "https://wire.example/nv"}
CORRECTION = "\n\nCorrection: An earlier version of this article misstated the day Sanders ended his campaign."


def newsrag(env, *args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "rag.cli", *args], env=env, capture_output=True, text=True,
                            timeout=600, cwd=ROOT)
    assert result.returncode == 0, f"newsrag {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
    return result


def stored(env, article_id: str) -> str:
    return json.loads(newsrag(env, "show", article_id, "--json").stdout)["text"]


def assert_quotes_are_stored_text(env, citations) -> None:
    texts: dict[str, str] = {}
    for c in citations:
        text = texts.setdefault(c["article_id"], stored(env, c["article_id"]))
        assert c["quote"] and text[c["start"]:c["end"]] == c["quote"], c


@pytest.fixture(scope="module")
def wikinews_env(tmp_path_factory):
    """An archive of Wikinews 2020-02-01 … 2020-04-20, plus a near-copy and a correction."""
    rows = [json.loads(line) for line in shared_file("wikinews/articles.jsonl").read_text().splitlines()]
    chosen = [r for r in rows if r["published"] and "2020-02-01" <= r["published"] <= "2020-04-20"]
    nevada = next(r for r in chosen if r["id"] == NEVADA)
    copy = {**nevada, **COPY, "text": nevada["text"].replace("Yesterday", "On Saturday", 1)}
    folder = tmp_path_factory.mktemp("stories")
    env = {**os.environ, "NEWSRAG_HOME": str(folder / "home"), "PYTHONPATH": str(ROOT), "NEWSRAG_BACKEND": "extractive"}
    first = [r for r in chosen if r["id"] != CORRECTED] + [copy]
    newsrag(env, "ingest", str(write_jsonl(folder / "first.jsonl", first)))
    corrected = next(r for r in chosen if r["id"] == CORRECTED)
    newsrag(env, "ingest", str(write_jsonl(folder / "late.jsonl", [corrected])))
    fixed = {**corrected, "text": corrected["text"] + CORRECTION}
    newsrag(env, "ingest", str(write_jsonl(folder / "late.jsonl", [fixed])))
    return env


def wikinews_id(article_id: str) -> str:
    return article_id.rsplit("/", 1)[-1]


def test_the_sample_s_digest_and_timeline_are_its_one_story_quoted_from_it(tmp_path):
    env = {**os.environ, "NEWSRAG_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    newsrag(env, "ingest", str(SAMPLES))
    digest = json.loads(newsrag(env, "digest", "--json").stdout)
    assert digest["since"] is None and digest["until"] is None  # an undated archive: every article
    [story] = digest["stories"]
    assert story["headline"].startswith("Wagner Group Exits Mali")
    assert story["first"] is None and story["citations"] and story["summary"].startswith(story["citations"][0]["quote"])
    assert_quotes_are_stored_text(env, story["citations"])
    text = newsrag(env, "digest").stdout
    assert "1. Wagner Group Exits Mali" in text and "“" in text
    timeline = json.loads(newsrag(env, "timeline", "timeline of the Wagner withdrawal", "--json").stdout)
    [entry] = timeline["entries"]
    assert entry["date"] is None and entry["title"].startswith("Wagner Group Exits Mali")  # undated, still listed
    assert_quotes_are_stored_text(env, [entry["citation"]])


def test_a_month_s_digest_puts_the_primaries_first_as_one_story_with_both_outlets(wikinews_env):
    digest = json.loads(newsrag(wikinews_env, "digest", "--since", "2020-02-20", "--until", "2020-03-31",
                                "--json").stdout)
    assert (digest["since"], digest["until"]) == ("2020-02-20", "2020-03-31")
    stories = digest["stories"]
    assert len(stories) == 10
    top = stories[0]
    ids = {wikinews_id(a) for a in top["articles"]}
    assert len(ids & PRIMARIES) >= 5 and not ids - PRIMARIES - UNSURE - {COPY["id"]}, top
    assert "wire-nevada" in ids and set(top["outlets"]) == {"Valley Wire", "Wikinews"}  # the copy joined it
    assert all(dt.date.fromisoformat("2020-02-20") <= dt.date.fromisoformat(d) <= dt.date.fromisoformat("2020-03-31")
               for s in stories for d in (s["first"], s["last"]))
    assert all(s["first"] <= s["last"] for s in stories)
    everything = [a for s in stories for a in s["articles"]]
    assert len(everything) == len(set(everything))  # an article is in one story
    assert_quotes_are_stored_text(wikinews_env, [c for s in stories for c in s["citations"]])


def test_a_timeline_lists_the_story_s_reports_in_date_order_and_marks_the_correction(wikinews_env):
    timeline = json.loads(newsrag(wikinews_env, "timeline", "How did the 2020 US presidential primaries unfold?",
                                  "--json").stdout)
    entries = timeline["entries"]
    ids = [wikinews_id(e["article_id"]) for e in entries]
    assert not set(ids) - PRIMARIES - UNSURE - {COPY["id"]}, ids  # no entry from another story
    assert len(set(ids) & PRIMARIES) >= 9
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates)
    corrected = next(e for e in entries if wikinews_id(e["article_id"]) == CORRECTED)
    assert corrected["kind"] == "correction"
    copy = next(e for e in entries if wikinews_id(e["article_id"]) == COPY["id"])
    assert "2020-02-23" in copy["note"] and copy["source"] == "Valley Wire"
    assert all(e["sentence"] == e["citation"]["quote"] for e in entries)
    assert_quotes_are_stored_text(wikinews_env, [e["citation"] for e in entries])
    text = newsrag(wikinews_env, "timeline", "timeline of the 2020 US presidential primaries").stdout
    assert "[correction]" in text and text.index("2020-02-14") < text.index("2020-04-10")


def test_which_questions_ask_for_a_digest_or_a_timeline():
    from rag.stories import wants

    day = dt.date(2020, 12, 31)
    assert wants("What happened last week?", day) == "digest"
    assert wants("What were the main stories in March 2020?", day) == "digest"
    assert wants("top stories since Monday", day) == "digest"
    assert wants("How did the Notre-Dame fire story develop?", day) == "timeline"
    assert wants("timeline of the Wagner withdrawal", day) == "timeline"
    assert wants("What caught fire in Paris last week?", day) is None
    assert wants("What happened to the dam?", day) is None


def test_grouping_keeps_copies_together_and_two_events_apart():
    from rag.records import ArticleMeta
    from rag.stories.grouping import group
    from rag.stories.records import StoryArticle

    rng = np.random.default_rng(0)
    fire, vote = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 384)))

    def article(i, centre, grp=None, names=()):
        v = centre + 0.25 * rng.normal(size=384) / np.sqrt(384)
        meta = ArticleMeta(id=f"a{i}", title=f"t{i}", source="", published=None, url="", group=grp or f"a{i}")
        return StoryArticle(meta=meta, day=None, holder=f"a{i}", vector=(v / np.linalg.norm(v)).astype(np.float32),
                            names=frozenset(names))

    odd = rng.normal(size=384)
    articles = [article(0, fire, names={"paris"}), article(1, vote), article(2, fire, names={"paris"}),
                article(3, odd / np.linalg.norm(odd), grp="a1"), article(4, vote)]
    assert sorted(group(articles)) == [(0, 2), (1, 3, 4)]  # a3 is a1's near-copy whatever its vector says


def test_with_ollama_each_story_gets_one_checked_sentence_and_an_unsupported_one_is_not_shown(wikinews_env):
    from tests.ollama_standin import OllamaStandin

    with OllamaStandin(models=["llama3.2:latest"]) as server:
        env = {**wikinews_env, "OLLAMA_HOST": server.url, "NEWSRAG_MODEL": "llama3.2"}
        args = ("digest", "--since", "2020-03-01", "--until", "2020-03-31", "--top", "3", "--backend", "ollama",
                "--json")
        digest = json.loads(newsrag(env, *args).stdout)
        assert all(s["summary_by"] == "ollama:llama3.2" and not s["summary_note"] for s in digest["stories"])
        numbers = [c["n"] for s in digest["stories"] for c in s["citations"]]
        assert numbers == list(range(1, len(numbers) + 1))  # numbered through the digest
        for story in digest["stories"]:
            assert story["citations"] and all(f"[{c['n']}]" in story["summary"] for c in story["citations"])
            assert all(c["supported"] and c["article_id"] in story["articles"] for c in story["citations"])
        assert_quotes_are_stored_text(env, [c for s in digest["stories"] for c in s["citations"]])

        server.mode = "unsupported"  # the model adds "The ceasefire was signed by both presidents in Geneva."
        digest = json.loads(newsrag(env, *args).stdout)
        for story in digest["stories"]:
            assert story["summary_by"] == "extractive" and "Geneva" not in story["summary"]
            assert "not supported" in story["summary_note"] and "Geneva" in story["summary_note"]
            assert story["summary"].startswith(story["citations"][0]["quote"])


def test_the_chart_stacks_each_day_s_articles_by_outlet_and_bins_a_long_span_by_week():
    from ui.stories import chart_svg

    per_day = [("2022-11-20", "Inland Post", 2), ("2022-11-20", "Valley Times", 1), ("2022-11-22", "Inland Post", 1)]
    svg = chart_svg(per_day, "Articles per {unit}, by outlet")
    assert 'aria-label="Articles per day, by outlet"' in svg and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch
    bars = [line for line in svg.split("<rect") if "<title>" in line]
    assert len(bars) == 3 and sum("2022-11-20" in b for b in bars) == 2  # two outlets stacked on the 20th
    assert svg.count('fill="#0072B2"') == 2 + 1  # Inland Post (most articles) first colour, and its legend
    long = chart_svg([("2019-01-07", "A", 1), ("2019-01-09", "A", 2), ("2019-09-30", "A", 1)], "per {unit}")
    assert "per week" in long and "week of 2019-01-07: 3 from A" in long
    assert chart_svg([], "x") == ""
