"""Asking the archive: hybrid news-aware retrieval, filters, relative dates, answers and citations,
on a real Wikinews archive (real model, real Chroma), with Ollama played by the loopback stand-in."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rag.archive import Archive
from rag.errors import BackendError
from rag.filters import Filters
from rag.ingest import Ingestor
from rag.ollama_backend import OllamaGenerator
from rag.records import Article
from rag.retrieve import PER_ARTICLE, Retriever
from rag.settings import Settings
from rag.wiring import build_assistant
from tests.conftest import shared_file
from tests.ollama_standin import UNSUPPORTED_SENTENCE, OllamaStandin

TODAY = dt.date.today()


def wikinews_subset(step: int = 4) -> list[Article]:
    path = shared_file("wikinews/articles.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [Article(id=r["id"], title=r["title"], text=r["text"], source=r["source"], url=r["url"],
                    published=dt.date.fromisoformat(r["published"])) for r in records[::step]]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, real_embedder):
    import corpus

    settings = Settings().with_values({"home": tmp_path_factory.mktemp("wikinews")})
    archive = Archive(settings, embedder=real_embedder)
    articles = wikinews_subset()
    copy = articles[0]  # a syndicated copy of the first article, lightly edited by another outlet
    edited = copy.text.replace(" on ", " on this ", 1)
    items = [*articles, Article(id="wire-copy", title=copy.title, text=edited, source="Wire Service",
                                published=copy.published, url="https://wire.example/copy"),
             *corpus.read(["corpus/samples"])]
    report = Ingestor(archive).run(items)
    assert report.errors == [] and report.new == len(articles) + 2
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def articles():
    return {a.id: a for a in wikinews_subset()}


@pytest.fixture
def retriever(archive):
    return Retriever(archive.catalog, archive.vectors, archive.embedder)


@pytest.fixture
def assistant(retriever, archive):
    return build_assistant(retriever, archive.embedder, backend="extractive")


def test_the_sample_question_is_answered_with_a_checkable_citation(assistant, archive):
    answer = assistant.ask("Which town saw an attack that killed over 30 soldiers?", as_of=TODAY)
    assert "Boulikessi" in answer.text and answer.backend == "extractive"
    cited = [c for c in answer.citations if "Boulikessi" in c.quote]
    assert cited and cited[0].supported and cited[0].article_id == "sample-wagner-mali"
    stored = archive.catalog.query("SELECT text FROM articles WHERE id = 'sample-wagner-mali'")[0][0]
    assert stored[cited[0].start:cited[0].end] == cited[0].quote


def test_names_and_places_are_found_as_well_as_paraphrases(retriever, articles):
    first = next(iter(articles.values()))
    by_name = retriever.retrieve(first.title, as_of=TODAY, k=5)
    assert by_name.hits[0].article.id in {first.id, "wire-copy"}
    paraphrase = retriever.retrieve("a block of flats fell down after a gas blast in a Russian city", as_of=TODAY)
    assert any("Magnitogorsk" in h.article.title for h in paraphrase.hits[:3])


def test_an_old_event_asked_about_today_is_still_found(retriever, articles):
    oldest = min(articles.values(), key=lambda a: a.published)
    result = retriever.retrieve(oldest.title, as_of=TODAY, k=5)
    assert {oldest.id, "wire-copy"} & {h.article.id for h in result.hits[:3]}


def test_explicit_date_and_outlet_filters_hold(retriever):
    result = retriever.retrieve("government", Filters(since=dt.date(2020, 3, 1), until=dt.date(2020, 6, 30)),
                                as_of=TODAY, k=10)
    assert result.hits and all("2020-03-01" <= h.article.published <= "2020-06-30" for h in result.hits)
    wire = retriever.retrieve("explosion", Filters(sources=("Wire Service",)), as_of=TODAY)
    assert wire.hits and {h.article.source for h in wire.hits} == {"Wire Service"}


def test_relative_dates_are_resolved_against_the_as_of_date(retriever, articles):
    dated = sorted(articles.values(), key=lambda a: a.published)[len(articles) // 2]
    as_of = dated.published + dt.timedelta(days=3)
    result = retriever.retrieve(f"What happened in {dated.published:%B %Y}?", as_of=as_of, k=10)
    month = dated.published.strftime("%Y-%m")
    assert result.hits and all(h.article.published.startswith(month) for h in result.hits)
    assert result.filters.since == dated.published.replace(day=1)


def test_a_filter_that_matches_nothing_says_so_instead_of_searching_everything(retriever, assistant):
    result = retriever.retrieve("What happened last week?", as_of=TODAY)
    assert result.hits == () and "Nothing in the archive matches 'last week'" in result.notice
    assert "the archive covers 2019-01-04" in result.notice
    answer = assistant.ask("floods", filters=Filters(since=dt.date(2030, 1, 1)), as_of=TODAY)
    assert answer.citations == () and answer.text.startswith("Nothing in the archive matches")


def test_a_question_about_the_present_prefers_reports_near_the_as_of_date(retriever):
    question = "coronavirus cases and deaths"
    early = retriever.retrieve(question, as_of=dt.date(2020, 3, 15), k=5)
    late = retriever.retrieve(question, as_of=dt.date(2020, 12, 31), k=5)
    assert early.hits[0].article.published <= "2020-03-15"
    mean = lambda r: sum(dt.date.fromisoformat(h.article.published).toordinal() for h in r.hits) / len(r.hits)  # noqa: E731
    assert mean(late) > mean(early)


def test_copies_collapse_into_one_hit_that_says_also_reported_by(retriever, articles):
    first = next(iter(articles.values()))
    result = retriever.retrieve(first.title, as_of=TODAY, k=10)
    ids = [h.article.id for h in result.hits]
    assert not ({first.id, "wire-copy"} <= set(ids))
    lead = result.hits[0]
    assert [m.source for m in lead.also_reported_by] in (["Wire Service"], ["Wikinews"])


def test_no_article_fills_the_list_alone(retriever):
    result = retriever.retrieve("coronavirus", as_of=TODAY, k=10)
    counts = {}
    for hit in result.hits:
        counts[hit.article.id] = counts.get(hit.article.id, 0) + 1
    assert max(counts.values()) <= PER_ARTICLE


def test_an_unanswerable_question_says_so(assistant):
    answer = assistant.ask("What is the airspeed velocity of an unladen swallow in kilometres?", as_of=TODAY)
    assert answer.text == "No article in the archive answers this." and answer.citations == ()


# -- the Ollama path, against the stand-in ----------------------------------------------------------


@pytest.fixture
def standin():
    with OllamaStandin(models=["llama3.2:latest"]) as server:
        yield server


def ollama_assistant(retriever, archive, url, timeout=5.0, backend="auto"):
    return build_assistant(retriever, archive.embedder, OllamaGenerator(url, "llama3.2", timeout), backend)


def test_ollama_answers_with_verified_citations_and_sources_in_a_data_block(retriever, archive, standin):
    answer = ollama_assistant(retriever, archive, standin.url).ask(
        "Which town in Mali saw an attack that killed over 30 soldiers?", as_of=TODAY)
    assert answer.backend == "ollama:llama3.2" and answer.notice == ""
    assert "Boulikessi" in answer.text and answer.citations and all(c.supported for c in answer.citations)
    prompt = standin.requests[-1]["messages"][-1]["content"]
    assert "<<<SOURCES" in prompt and "SOURCES>>>" in prompt and "Boulikessi" in prompt


def test_markers_pointing_nowhere_are_stripped(retriever, archive, standin):
    standin.mode = "bad_marker"
    answer = ollama_assistant(retriever, archive, standin.url).ask("Boulikessi attack soldiers", as_of=TODAY, k=4)
    assert "[9]" not in answer.text and all(1 <= c.n <= 4 for c in answer.citations)


def test_a_sentence_its_citation_does_not_support_is_flagged(retriever, archive, standin):
    standin.mode = "unsupported"
    answer = ollama_assistant(retriever, archive, standin.url).ask("Boulikessi attack soldiers", as_of=TODAY)
    flagged = [s for s in answer.sentences if not s.supported]
    assert [s.text for s in flagged] == [UNSUPPORTED_SENTENCE]
    assert any(not c.supported for c in answer.citations)


def test_unreachable_ollama_falls_back_to_extractive_naming_the_host(retriever, archive):
    answer = ollama_assistant(retriever, archive, "http://127.0.0.1:9").ask("Boulikessi", as_of=TODAY)
    assert answer.backend == "extractive" and "http://127.0.0.1:9" in answer.notice
    with pytest.raises(BackendError, match="not reachable at http://127.0.0.1:9"):
        ollama_assistant(retriever, archive, "http://127.0.0.1:9", backend="ollama").ask("x", as_of=TODAY)


def test_a_missing_model_says_how_to_pull_it(retriever, archive):
    with OllamaStandin(models=["mistral:latest"]) as server:
        answer = ollama_assistant(retriever, archive, server.url).ask("Boulikessi", as_of=TODAY)
    assert answer.backend == "extractive" and "ollama pull llama3.2" in answer.notice


def test_a_stalled_model_gives_a_notice_and_an_extractive_answer(retriever, archive, standin):
    standin.mode, standin.stall_seconds = "stall", 5
    answer = ollama_assistant(retriever, archive, standin.url, timeout=1).ask(
        "Which town saw an attack that killed over 30 soldiers?", as_of=TODAY)
    assert answer.backend == "extractive" and "stopped answering" in answer.notice
    assert "Boulikessi" in answer.text


def test_a_follow_up_is_rewritten_into_a_standalone_query(retriever, archive, standin):
    assistant = ollama_assistant(retriever, archive, standin.url)
    first = assistant.ask("Which town in Mali saw an attack that killed over 30 soldiers?", as_of=TODAY)
    follow = assistant.ask("and who left the country?", as_of=TODAY, history=[(first.question, first.text)])
    rewrite = [r for r in standin.requests if "standalone" in json.dumps(r).lower()]
    assert rewrite and follow.hits[0].article.id == "sample-wagner-mali"


def test_filtered_dense_search_agrees_with_chromas_own_where_filter(archive):
    from rag.dense_filtered import VectorTable

    vector = archive.embedder.embed(["protests against the government"])[0]
    for filters in (Filters(since=dt.date(2020, 1, 1), until=dt.date(2020, 6, 30)),
                    Filters(sources=("Wire Service",)), Filters(as_of=dt.date(2019, 6, 1))):
        ours = VectorTable(archive.catalog).query(vector, 10, filters)
        chroma = archive.vectors.query(vector, 10, filters.chroma())
        assert [i for i, _ in ours] == [i for i, _ in chroma]
        assert [round(s, 4) for _, s in ours] == [round(s, 4) for _, s in chroma]
