"""Ingest on the real parts: the packaged model and a real Chroma store in a temp dir."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.bm25 import LexicalIndex
from rag.browse import get_article, stats
from rag.errors import ArchiveBusy, StoreError
from rag.ingest import Ingestor
from rag.records import Article, ReadFailure

STORY = (
    "The city council of Springfield voted on Tuesday to close the old bridge over the river after "
    "engineers found deep cracks in two of its supports. Mayor Ana Lopez said repairs would take at "
    "least eighteen months and cost about 40 million dollars.\n\n"
    "Commuters will be sent to a temporary ferry service that starts next Monday, the council said. "
    "Local shop owners near the bridge warned that the closure could cut their sales by half."
)
OTHER = (
    "A rare comet will be visible from the northern hemisphere this weekend, astronomers at the "
    "national observatory said. The comet last passed near Earth about 6,000 years ago.\n\n"
    "Observers should look low on the north-western horizon shortly after sunset, away from city lights."
)


def article(id: str, text: str = STORY, **fields) -> Article:
    fields.setdefault("title", "Springfield closes its old bridge")
    fields.setdefault("source", "Springfield Daily")
    fields.setdefault("published", dt.date(2020, 3, 3))
    fields.setdefault("url", f"https://example.org/{id}")
    return Article(id=id, text=text, **fields)


def chroma_ids(archive) -> set[str]:
    return set(archive.vectors._collection.get(include=[])["ids"])


def catalog_chunk_ids(archive) -> set[str]:
    return {r[0] for r in archive.catalog.query("SELECT id FROM chunks")}


def test_the_sample_article_is_stored_once_per_paragraph_with_exact_chunk_spans(make_archive):
    import corpus

    archive = make_archive()
    report = Ingestor(archive).run(corpus.read(["corpus/samples"]))
    assert (report.new, report.errors) == (1, [])
    stored = get_article(archive.catalog, "wagner-mali.jsonl/sample-wagner-mali")  # no outlet: its file
    paragraphs = stored.text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert stored.text.count("Boulikessi") == 1
    assert "Wagner Group Exits Mali" not in stored.text  # the headline copies in the body
    assert stored.meta.title == "Wagner Group Exits Mali After Claiming Success in Counterterrorism Mission"
    for piece in stored.chunks:
        assert stored.text[piece.start : piece.end] == piece.text
    assert chroma_ids(archive) == {c.id for c in stored.chunks}
    # the vector store holds vectors alone: every filter reads the catalog (rag/vectors.py)
    assert archive.vectors._collection.get(include=["metadatas"])["metadatas"] == [None] * len(stored.chunks)


def test_the_same_text_twice_is_embedded_once_and_the_copy_keeps_its_own_record(make_archive):
    archive = make_archive()
    copy = article("b", source="Wire Reprint", url="https://reprint.example/b")
    report = Ingestor(archive).run([article("a"), copy])
    assert (report.new, report.duplicates) == (1, 1)
    assert stats(archive.catalog, "")["articles"] == 2
    assert stats(archive.catalog, "")["chunks"] == len(get_article(archive.catalog, "a").chunks)
    shown = get_article(archive.catalog, "b")
    assert (shown.meta.source, shown.meta.url, shown.copy_of) == ("Wire Reprint", "https://reprint.example/b", "a")
    stored = get_article(archive.catalog, "a")
    assert [(d.id, d.source, d.url) for d in stored.copies] == [
        ("b", "Wire Reprint", "https://reprint.example/b")
    ]
    assert get_article(archive.catalog, "b").meta.id == "b"


def test_near_duplicate_copies_form_one_story_group(make_archive):
    archive = make_archive()
    edited = STORY.replace("on Tuesday", "on Tuesday evening").replace("Local shop", "Small shop")
    report = Ingestor(archive).run(
        [article("a"), article("b", edited, source="Wire Copy"), article("c", OTHER, title="Comet")]
    )
    assert report.new == 3
    a, b, c = (get_article(archive.catalog, i) for i in "abc")
    assert a.meta.group == b.meta.group == "a"
    assert c.meta.group == "c"
    assert [m.source for m in a.near_duplicates] == ["Wire Copy"]


def test_reingesting_unchanged_articles_embeds_nothing(make_archive, embedder):
    archive = make_archive()
    items = [article("a"), article("c", OTHER, title="Comet")]
    first = Ingestor(archive).run(items)
    calls = embedder.calls
    second = Ingestor(archive).run(items)
    assert (first.new, first.chunks_added > 0) == (2, True)
    assert (second.new, second.unchanged, second.chunks_added) == (0, 2, 0)
    assert embedder.calls == calls


def test_an_unchanged_pass_never_loads_the_model_or_the_vector_store(make_archive, tmp_path):
    from rag.archive import Archive

    items = [article("a"), article("c", OTHER, title="Comet")]
    Ingestor(make_archive()).run(items)
    fresh = Archive(make_archive().settings)  # a new process would start like this
    report = Ingestor(fresh).run(items)
    assert report.unchanged == 2
    assert "embedder" not in fresh.__dict__ and "vectors" not in fresh.__dict__
    fresh.close()


def test_a_changed_article_replaces_its_chunks(make_archive):
    archive = make_archive()
    Ingestor(archive).run([article("a")])
    old = catalog_chunk_ids(archive)
    report = Ingestor(archive).run([article("a", STORY + "\n\nThe ferry will be free for residents.")])
    assert (report.new, report.updated) == (0, 1)
    new = catalog_chunk_ids(archive)
    assert not old & new
    assert chroma_ids(archive) == new
    assert "ferry will be free" in get_article(archive.catalog, "a").text
    assert not any(archive.catalog.journal())


def test_remove_deletes_the_article_alone_and_its_copy_takes_over_its_chunks(make_archive):
    archive = make_archive()
    Ingestor(archive).run([article("a"), article("b", source="Copy"), article("c", OTHER, title="Comet")])
    shared = {c.id for c in get_article(archive.catalog, "a").chunks}
    assert archive.catalog.remove("a")
    archive.recover()
    assert get_article(archive.catalog, "a") is None
    promoted = get_article(archive.catalog, "b")
    assert promoted.copy_of is None and {c.id for c in promoted.chunks} == shared
    assert chroma_ids(archive) == catalog_chunk_ids(archive)
    assert archive.catalog.remove("b")
    archive.recover()
    assert chroma_ids(archive) == catalog_chunk_ids(archive)
    assert all(i.startswith("c:") for i in chroma_ids(archive))
    assert not LexicalIndex(archive.catalog).search(["bridge"], 5)


def test_records_without_text_are_reported_and_the_rest_indexed(make_archive):
    archive = make_archive()
    failure = ReadFailure("feed.jsonl", 3, "invalid JSON")
    report = Ingestor(archive).run([failure, article("a"), article("e", "  \n ", origin="x.jsonl:7")])
    assert report.new == 1
    assert report.errors == [failure, ReadFailure("x.jsonl", 7, "the article has no text")]


def test_opening_with_another_embedding_model_says_how_to_rebuild(make_archive, embedder, tmp_path):
    Ingestor(make_archive()).run([article("a")])
    other = make_archive(embed_model="someone/other-model")
    other.__dict__.pop("embedder")  # use the configured (absent) model's name, as a user would
    with pytest.raises(StoreError, match="reindex"):
        Ingestor(other).run([article("c", OTHER, title="Comet")])
    assert stats(other.catalog, "")["articles"] == 1


def test_a_second_writer_is_told_the_archive_is_busy(make_archive):
    archive = make_archive()
    second = make_archive()
    with archive.write_lock():
        with pytest.raises(ArchiveBusy, match="busy"):
            Ingestor(second).run([article("a")])


def test_reindex_rebuilds_chunks_with_new_settings(make_archive):
    from rag.reindex import reindex

    archive = make_archive()
    Ingestor(archive).run([article("a"), article("c", OTHER, title="Comet")])
    before = catalog_chunk_ids(archive)
    smaller = make_archive(chunk_words=30)
    result = reindex(smaller)
    after = catalog_chunk_ids(smaller)
    assert result["articles"] == 2 and result["chunks"] == len(after) > len(before)
    assert chroma_ids(smaller) == after
    found = LexicalIndex(smaller.catalog).search(["comet"], 5)
    assert found and {c for c, _ in found} <= after


def test_ingest_says_when_the_chunk_layout_asks_for_a_reindex_which_keeps_unchanged_vectors(make_archive):
    from rag.reindex import reindex

    archive = make_archive()
    assert Ingestor(archive).run([article("a")]).warnings == []
    fitted = make_archive(chunk_fit=True)
    (warning,) = Ingestor(fitted).run([article("c", OTHER, title="Comet")]).warnings
    assert "newsrag reindex" in warning and "fit the model's window" in warning
    result = reindex(fitted)
    assert result["articles"] == 2 and result["reused"] >= 1  # short articles: the same spans, kept vectors
    assert Ingestor(fitted).run([article("d", OTHER + " More.", title="Dust")]).warnings == []


def test_the_onnx_encoder_can_build_an_archive_and_auto_keeps_using_it(make_archive, tmp_path):
    from rag.archive import Archive

    settings = make_archive().settings.with_values(
        {"home": tmp_path / "onnx-home", "encoder": "onnx", "model_cache": tmp_path / "models"})
    archive = Archive(settings)
    assert Ingestor(archive).run([article("a")]).new == 1
    assert stats(archive.catalog, "")["embedding_model"].endswith("#onnx")
    archive.close()
    again = Archive(settings.with_values({"encoder": "auto"}))
    assert again.embedder.name.endswith("#onnx")
    assert Ingestor(again).run([article("c", OTHER, title="Comet")]).new == 1
    with pytest.raises(StoreError, match="NEWSRAG_ENCODER=onnx"):
        Ingestor(Archive(settings.with_values({"encoder": "torch"}))).run([article("d", OTHER + " More.")])
