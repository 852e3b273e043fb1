"""The in-process BM25 index ranks exactly as SQLite's FTS5 bm25() does, under every filter, and follows
writes, replacements and removals without being rebuilt. Real catalogs of real Wikinews text; the
vectors play no part here, so they are zeros."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import numpy as np
import pytest

from rag import lexical, segments
from rag.bm25 import LexicalIndex
from rag.catalog import Catalog, PlannedArticle
from rag.chunking import chunk
from rag.dedup import content_key
from rag.filters import Filters
from rag.records import Article
from rag.terms import TITLE_WEIGHT, shared_tokenizer
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
        reference = fts_reference(catalog, question, 40, filters)
        assert [c for c, _ in ours] == [c for c, _ in reference] or _same_but_ties(ours, reference), question
        for (_, a), (_, b) in zip(ours, reference, strict=True):
            assert a == pytest.approx(b, rel=1e-5)


def fts_reference(catalog: Catalog, question: str, k: int, filters: Filters) -> list[tuple[str, float]]:
    """SQLite FTS5's own bm25() over the catalog's passages, indexed here: the ranking the in-process index
    is held to."""
    terms = lexical.query_terms(question)
    if not terms:
        return []
    db = sqlite3.connect(":memory:")
    db.execute(f"ATTACH DATABASE 'file:{catalog.path}?mode=ro' AS archive")
    db.execute("CREATE VIRTUAL TABLE chunk_fts USING fts5(title, text, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO chunk_fts(rowid, title, text) SELECT c.rowid, a.title, substr(a.text, c.start + 1, "
               "c.end - c.start) FROM archive.chunks c JOIN archive.articles a ON a.id = c.article_id")
    where, params = filters.sql("a")
    rows = db.execute(
        f"SELECT c.id, -bm25(chunk_fts, {TITLE_WEIGHT}, 1.0) AS score FROM chunk_fts "
        f"JOIN archive.chunks c ON c.rowid = chunk_fts.rowid JOIN archive.articles a ON a.id = c.article_id "
        f"WHERE chunk_fts MATCH ? AND {where} ORDER BY score DESC LIMIT ?",
        [" OR ".join(f'"{t}"' for t in terms), *params, k]).fetchall()
    db.close()
    return rows


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
    assert len(index.segments.snapshot().segments) == 2
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


def test_terms_stored_by_earlier_releases_as_8_byte_hashes_rank_the_same_beside_4_byte_ids(catalog):
    import hashlib

    from rag.terms import counts_of, term_ids

    commit(catalog, wikinews(40))
    stored = catalog.query("SELECT rowid, terms, weights FROM chunks")
    assert all(len(t) == 4 * len(w) // 2 + 1 for _, t, w in stored)  # 4-byte ids and a tail; 2-byte counts
    rows = catalog.query("SELECT c.rowid, a.title, substr(a.text, c.start + 1, c.end - c.start) FROM chunks c "
                         "JOIN articles a ON a.id = c.article_id ORDER BY c.rowid")
    old = []
    for (rowid, _, _), (weights, _) in zip(rows, shared_tokenizer().counts([(t, x) for _, t, x in rows]), strict=True):
        if rowid % 3 == 0:
            continue  # a third stay as this release writes them
        hashes = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little", signed=True)
                  for t in weights]  # as earlier releases stored them
        counts = np.array(list(weights.values()), dtype=np.float32 if rowid % 3 == 1 else np.uint16)
        old.append((np.array(hashes, dtype=np.int64).tobytes(), counts.tobytes(), rowid))
    with catalog.transaction() as db:
        db.executemany("UPDATE chunks SET terms = ?, weights = ? WHERE rowid = ?", old)
    for _, terms, weights in catalog.query("SELECT rowid, terms, weights FROM chunks"):
        assert len(term_ids(terms)) == len(counts_of(terms, weights)) > 0
    assert_same_ranking(catalog, LexicalIndex(catalog))


def test_words_are_cut_as_fts5_cuts_them():
    assert shared_tokenizer().terms(["technology", "Naïve", "running", "U.S", "is"]) == [
        ["technolog"], ["naiv"], ["run"], ["u", "s"], ["is"]]
    (weights, length), = shared_tokenizer().counts([("Floods", "Floods closed the road.")])
    assert weights == {"flood": 3.0, "close": 1.0, "the": 1.0, "road": 1.0} and length == 5


@pytest.fixture
def small_ranges(monkeypatch):
    """Ranges of 40 rowids, so that a few Wikinews articles fill several and they go to disk."""
    monkeypatch.setattr(segments, "RANGE", 40)
    built = []
    original = segments.build_segment
    monkeypatch.setattr(segments, "build_segment", lambda rows, first, last: built.append((first, last))
                        or original(rows, first, last))
    return built


def folders(catalog: Catalog) -> list[str]:
    root = catalog.path.parent / "segments"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def test_complete_ranges_go_to_disk_and_a_later_process_maps_them_instead_of_building(catalog, small_ranges):
    commit(catalog, wikinews(60))
    high = int(catalog.meta("chunk_rowid_high"))
    assert high == catalog.query("SELECT max(rowid) FROM chunks")[0][0] > 120
    assert_same_ranking(catalog, LexicalIndex(catalog))
    assert len(folders(catalog)) == high // 40  # every complete range, and not the tail
    small_ranges.clear()
    later = LexicalIndex(catalog)  # another process on the same archive
    assert_same_ranking(catalog, later, Filters(since=dt.date(2019, 6, 1), sources=("Daily", "Herald")))
    assert small_ranges == [(high // 40 * 40 + 1, high)]  # only the tail was built
    assert isinstance(later.segments.snapshot().segments[0].docs.base, np.memmap)  # mapped, not read


def test_rowids_are_never_reused_so_a_range_on_disk_stays_true(catalog, small_ranges):
    articles = wikinews(30)
    commit(catalog, articles)
    LexicalIndex(catalog).search(["flood"], 5)
    last = catalog.query("SELECT article_id, max(rowid) FROM chunks")[0]
    catalog.remove(last[0])  # the newest chunks go: SQLite alone would hand their rowids out again
    commit(catalog, [Article(id="new", title="Volcano erupts", text="Lava reached the harbour of the island.")])
    assert catalog.query("SELECT min(rowid) FROM chunks WHERE article_id = 'new'")[0][0] > last[1]
    rewritten = Article(id=articles[0].id, title=articles[0].title, source=articles[0].source,
                        text="Volcano eruption forces evacuation; lava reaches the harbour.")
    commit(catalog, [rewritten], version="v2")
    catalog.remove(articles[1].id)
    index = LexicalIndex(catalog)  # maps the ranges written before the changes, masks what went
    assert_same_ranking(catalog, index)
    found = {c for c, _ in lexical.search(index, articles[1].title, 80, Filters())}
    assert not any(c.startswith(articles[1].id + ":") for c in found)
    assert lexical.search(index, "volcano lava harbour", 2, Filters())[0][0].startswith(("new:", articles[0].id))


def test_a_mostly_removed_range_is_built_again_and_a_new_epoch_drops_the_old_files(catalog, small_ranges):
    articles = wikinews(40)
    commit(catalog, articles)
    index = LexicalIndex(catalog)
    index.search(["flood"], 5)
    first_range = {a for (a,) in catalog.query("SELECT DISTINCT article_id FROM chunks WHERE rowid <= 40")}
    for article_id in first_range:
        catalog.remove(article_id)
    small_ranges.clear()
    assert_same_ranking(catalog, index)
    assert (1, 40) in small_ranges  # more than half of it dead: built again from what is left
    assert sum(name.split("-")[2] == f"{1:012d}" for name in folders(catalog)) == 1  # the smaller one only
    with catalog.transaction() as db:  # as a copy taking over its holder's passages does
        db.execute("INSERT OR REPLACE INTO meta VALUES ('passages_moved', '7')")
    assert_same_ranking(catalog, LexicalIndex(catalog))
    assert folders(catalog) and all(name.split("-")[1] == "7" for name in folders(catalog))


def test_ingest_leaves_the_complete_ranges_on_disk_for_the_next_process(make_archive, small_ranges):
    from rag.ingest import Ingestor

    archive = make_archive()
    Ingestor(archive).run(wikinews(25))
    high = int(archive.catalog.meta("chunk_rowid_high"))
    assert high >= 80 and len(folders(archive.catalog)) == high // 40
    small_ranges.clear()
    assert_same_ranking(archive.catalog, LexicalIndex(archive.catalog))
    assert len(small_ranges) == (1 if high % 40 else 0)  # the tail alone
    from rag.retrieve import Retriever

    retriever = Retriever(archive.catalog, archive.vectors, archive.embedder)
    retriever.warm()  # what `newsrag serve` runs as it starts: the first question then loads nothing
    generations = (retriever.segments._generation, retriever.titles._generation)
    assert None not in generations and not retriever.loading
    retriever.retrieve("floods", as_of=dt.date(2030, 1, 1))
    assert (retriever.segments._generation, retriever.titles._generation) == generations


@pytest.mark.parametrize("earlier", ["seg-", "segment-"])  # float32 vectors; then 8-byte term hashes
def test_an_earlier_release_s_folders_are_built_again_with_int8_vectors_scored_as_the_catalog_s(
        catalog, small_ranges, earlier):
    from rag.packed import unpack, unpack_rows

    commit(catalog, wikinews(30))
    LexicalIndex(catalog).search(["flood"], 5)
    root = catalog.path.parent / "segments"
    written = folders(catalog)
    for name in written:  # as an earlier newsrag named its folders
        (root / name).rename(root / name.replace("range-", earlier, 1))
    small_ranges.clear()
    later = LexicalIndex(catalog)
    assert_same_ranking(catalog, later)
    assert len(small_ranges) == len(written) + 1 and folders(catalog) == written  # built again, the old gone
    segment = LexicalIndex(catalog).segments.snapshot().segments[0]
    assert isinstance(segment.vectors.base, np.memmap) and segment.vectors.dtype == np.int8
    assert (segment.docs.dtype, segment.counts.dtype) == (np.uint16, np.uint16)  # 4 bytes a posting, not 8
    assert segment.terms.dtype == np.int32
    marks = ",".join("?" * len(segment.rowids))
    blobs = [b for (b,) in catalog.query(f"SELECT embedding FROM chunks WHERE rowid IN ({marks}) ORDER BY rowid",
                                         [int(r) for r in segment.rowids])]
    query = unpack(blobs[-1])
    assert np.allclose(segment.scores(query), unpack_rows(blobs) @ query, atol=1e-6)
    assert np.allclose(segment.scores(query, np.array([2, 0])), (unpack_rows(blobs) @ query)[[2, 0]], atol=1e-6)
