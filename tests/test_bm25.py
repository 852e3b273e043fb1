"""The in-process BM25 index ranks exactly as SQLite's FTS5 bm25() does, under every filter, and follows
writes, replacements and removals without being rebuilt. Real catalogs of real Wikinews text; the
vectors play no part here, so they are zeros."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from rag import lexical
from rag.bm25 import LexicalIndex
from rag.catalog import Catalog, PlannedArticle
from rag.chunking import chunk
from rag.dedup import content_key
from rag.filters import Filters
from rag.records import Article
from rag.terms import shared_tokenizer
from tests.conftest import shared_file

QUESTIONS = [
    "Which company announced layoffs after the merger?",
    "What did the court decide about the election results?",
    "Who won the football championship final?",
    "Earthquake damage and casualties reported by officials",
    "How many people died in the floods?",
    "technology regulators investigate the social media platform",
]


def wikinews(limit: int) -> list[Article]:
    lines = shared_file("wikinews/articles.jsonl").read_text(encoding="utf-8").splitlines()[:limit]
    articles = []
    for i, line in enumerate(lines):
        r = json.loads(line)
        articles.append(Article(id=r["id"], title=r["title"], text=r["text"], url=r["url"],
                                source=("Wire", "Daily", "Herald")[i % 3],  # three outlets to filter on
                                published=dt.date.fromisoformat(r["published"]) if i % 7 else None))
    return articles


def commit(catalog: Catalog, articles: list[Article], version: str = "v1") -> None:
    planned = [PlannedArticle(article=a, version=version + a.id, content_key=content_key(a.text), group=a.id,
                              chunks=tuple(chunk(a.id, version + a.id, a.text)),
                              signature=np.zeros(1, dtype=np.uint64), band_keys=()) for a in articles]
    rows = sum(len(p.chunks) for p in planned)
    catalog.commit(planned, np.zeros((rows, 4), np.float32), np.zeros((len(planned), 4), np.float32))


def assert_same_ranking(catalog: Catalog, index: LexicalIndex, filters: Filters = Filters()) -> None:
    for question in QUESTIONS:
        ours = lexical.search(index, question, 40, filters)
        reference = lexical.search_fts(catalog, question, 40, filters)
        assert [c for c, _ in ours] == [c for c, _ in reference] or _same_but_ties(ours, reference), question
        for (_, a), (_, b) in zip(ours, reference, strict=True):
            assert a == pytest.approx(b, rel=1e-5)


def _same_but_ties(ours, reference) -> bool:
    """Equal scores may come in either order."""
    return sorted((round(s, 4), c) for c, s in ours) == sorted((round(s, 4), c) for c, s in reference)


@pytest.fixture
def catalog(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    yield catalog
    catalog.close()


def test_in_process_bm25_ranks_as_fts5_does_under_every_filter(catalog):
    articles = wikinews(120)
    commit(catalog, articles)
    index = LexicalIndex(catalog)
    assert_same_ranking(catalog, index)
    assert_same_ranking(catalog, index, Filters(since=dt.date(2019, 6, 1), until=dt.date(2020, 3, 31)))
    assert_same_ranking(catalog, index, Filters(as_of=dt.date(2019, 9, 1)))  # undated chunks stay in
    assert_same_ranking(catalog, index, Filters(sources=("Daily", "Herald")))
    assert_same_ranking(catalog, index, Filters(since=dt.date(2019, 1, 1), sources=("Wire",)))
    assert lexical.search(index, "the of and", 10, Filters()) == []  # stopwords only: nothing to look for


def test_the_index_follows_new_changed_and_removed_articles_without_a_rebuild(catalog):
    articles = wikinews(90)
    commit(catalog, articles[:60])
    index = LexicalIndex(catalog)
    assert_same_ranking(catalog, index)
    commit(catalog, articles[60:])  # another ingest: one new segment
    assert_same_ranking(catalog, index)
    assert len(index._segments) == 2
    changed = Article(id=articles[3].id, title=articles[3].title, source=articles[3].source,
                      text="Volcano eruption forces evacuation of the island; lava reaches the harbour.")
    commit(catalog, [changed], version="v2")  # same id, new text: the old chunks die, the new ones live
    catalog.remove(articles[10].id)
    assert_same_ranking(catalog, index)
    top = lexical.search(index, "volcano lava harbour evacuation", 3, Filters())
    assert top[0][0].startswith(articles[3].id + ":v2")
    removed = {c for c, _ in lexical.search(index, articles[10].title, 80, Filters())}
    assert not any(c.startswith(articles[10].id + ":") for c in removed)


def test_a_catalog_written_before_terms_were_stored_ranks_the_same(catalog):
    commit(catalog, wikinews(40))
    with catalog.transaction() as db:  # as an archive built by an earlier newsrag left it
        db.execute("UPDATE chunks SET terms = NULL, weights = NULL, length = NULL")
    assert_same_ranking(catalog, LexicalIndex(catalog))  # cut on the fly
    assert catalog.fill_missing_terms() == catalog.query("SELECT count(*) FROM chunks")[0][0]  # as ingest does
    assert catalog.query("SELECT count(*) FROM chunks WHERE terms IS NULL")[0][0] == 0
    assert_same_ranking(catalog, LexicalIndex(catalog))
    assert catalog.fill_missing_terms() == 0


def test_words_are_cut_as_fts5_cuts_them():
    assert shared_tokenizer().terms(["technology", "Naïve", "running", "U.S", "is"]) == [
        ["technolog"], ["naiv"], ["run"], ["u", "s"], ["is"]]
    (weights, length), = shared_tokenizer().counts([("Floods", "Floods closed the road.")])
    assert weights == {"flood": 3.0, "close": 1.0, "the": 1.0, "road": 1.0} and length == 5
