"""Asking the archive: hybrid news-aware retrieval, filters, relative dates, answers and citations,
on a real Wikinews archive (real model, real Chroma), with Ollama played by the loopback stand-in."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rag.archive import Archive
from rag.errors import BackendError
from rag.extractive import ExtractiveAnswerer
from rag.filters import Filters
from rag.ingest import Ingestor
from rag.ollama_backend import OllamaGenerator
from rag.records import AnswerRequest, Article
from rag.retrieve import PER_ARTICLE, Retriever
from rag.settings import Settings
from rag.wiring import build_assistant
from tests.answer_checks import assert_honest, names_and_numbers, words
from tests.conftest import shared_file
from tests.made_hits import hit as made_hit
from tests.ollama_standin import UNSUPPORTED_SENTENCE, OllamaStandin
from tests.real_model import OLLAMA_NAME

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
    assert cited and cited[0].supported and cited[0].article_id == "wagner-mali.jsonl/sample-wagner-mali"
    stored = archive.catalog.query("SELECT text FROM articles WHERE id = 'wagner-mali.jsonl/sample-wagner-mali'")[0][0]
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


# -- the Ollama path with a real model (SmolLM2-135M behind the stand-in) ----------------------------
# It writes no [n] markers and invents freely, so these assert what holds for any real model and matters to a
# user, not its words. k=4 keeps each answer to a few seconds.

MALI = "Which town in Mali saw an attack that killed over 30 soldiers?"


def real_assistant(retriever, archive, server, backend="ollama"):
    return build_assistant(retriever, archive.embedder, OllamaGenerator(server.url, OLLAMA_NAME, 120), backend)


def test_a_real_models_answer_streams_and_every_sentence_gets_an_honest_verdict(retriever, archive, real_ollama):
    events = list(real_assistant(retriever, archive, real_ollama).stream(MALI, as_of=TODAY, k=4))
    deltas = [e.text for e in events if e.kind == "delta" and e.text]
    answer = events[-1].answer
    assert len(deltas) > 3 and answer.backend == f"ollama:{OLLAMA_NAME}" and answer.notice == ""
    assert_honest(answer)
    sent, done = real_ollama.requests[-1], real_ollama.answers[-1]
    assert "<<<SOURCES" in sent["messages"][-1]["content"] and "Boulikessi" in sent["messages"][-1]["content"]
    assert "Rules:" in done.prompt  # newsrag's prompt fits Ollama's default context: nothing was cut


def test_a_follow_up_is_rewritten_by_the_real_model_with_the_earlier_subject(retriever, archive, real_ollama):
    earlier = (MALI, "Gunmen attacked an army camp in Boulikessi, killing over 30 soldiers.")
    follow = real_assistant(retriever, archive, real_ollama).ask(
        "And who left the country?", as_of=TODAY, k=4, history=[earlier])
    chats = [r for r in real_ollama.requests if "messages" in r]  # one answer each, in real_ollama.answers
    rewrite_at = next(i for i, r in enumerate(chats) if "standalone" in json.dumps(r).lower())
    asked = json.dumps(chats[rewrite_at])
    assert "Boulikessi" in asked and "And who left the country?" in asked
    query = real_ollama.answers[rewrite_at].text.strip().splitlines()[0]
    assert words(query) & (words(earlier[0]) | words(earlier[1])) - words("And who left the country?"), query
    answered = json.dumps(real_ollama.requests[-1]["messages"])
    assert MALI in answered  # the answer is written with the conversation
    assert_honest(follow)


def test_a_question_the_archive_does_not_answer_gets_no_supported_invention(retriever, archive, real_ollama):
    answer = real_assistant(retriever, archive, real_ollama).ask(
        "What is the airspeed velocity of an unladen swallow in kilometres?", as_of=TODAY, k=4)
    assert_honest(answer)
    passages = " ".join(h.chunk.text for h in answer.hits)
    for sentence in answer.sentences:
        if names_and_numbers(sentence.text) - words(passages):  # names or numbers no source holds: invented
            assert not sentence.supported, sentence


def test_ask_json_from_the_real_model_gives_every_sentence_a_verdict(cli_env, real_ollama):
    import subprocess
    import sys

    env = {**cli_env, "NEWSRAG_BACKEND": "ollama", "OLLAMA_HOST": real_ollama.url, "NEWSRAG_MODEL": OLLAMA_NAME,
           "NEWSRAG_TIMEOUT": "120"}

    def newsrag(*args):
        return subprocess.run([sys.executable, "-m", "rag.cli", *args], env=env, capture_output=True, text=True,
                              timeout=600, check=True).stdout

    newsrag("ingest", "corpus/samples", "--json")
    answer = json.loads(newsrag("ask", "Which town saw an attack that killed over 30 soldiers?", "--json"))
    assert answer["backend"] == f"ollama:{OLLAMA_NAME}" and answer["answer"].strip()
    assert answer["sentences"] and real_ollama.answers[-1].text.strip()
    for sentence in answer["sentences"]:
        assert set(sentence) == {"text", "citations", "verdict", "reason", "attributed", "supported"}
        assert sentence["verdict"] in ("supported", "unsupported", "no claim")
        assert sentence["supported"] == (sentence["verdict"] == "supported")


# -- the Ollama path, against the scripted stand-in: faults and misbehaviour on request ---------------


@pytest.fixture
def standin():
    with OllamaStandin(models=["llama3.2:latest"]) as server:
        yield server


def ollama_assistant(retriever, archive, url, timeout=5.0, backend="auto"):
    return build_assistant(retriever, archive.embedder, OllamaGenerator(url, "llama3.2", timeout), backend)


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


def test_filtered_dense_search_agrees_with_a_plain_scan_of_every_passage(archive):
    import numpy as np

    from rag.dense_filtered import exact_search
    from rag.packed import unpack
    from rag.segments import SegmentIndex

    vector = archive.embedder.embed(["protests against the government"])[0]
    segments = SegmentIndex(archive.catalog)
    # every passage, by its own article's date and outlet or an exact copy's
    rows = archive.catalog.query("SELECT c.id, c.embedding, a.day, a.day_end, a.source FROM chunks c JOIN articles a "
                                 "ON a.id = c.article_id OR a.copy_of = c.article_id")
    for filters in (Filters(since=dt.date(2020, 1, 1), until=dt.date(2020, 6, 30)),
                    Filters(sources=("Wire Service",)), Filters(as_of=dt.date(2019, 6, 1))):
        ours = exact_search(segments.snapshot(), segments.chunk_ids, vector, 10, filters)
        plain = sorted({(-float(np.dot(unpack(blob), vector)), cid) for cid, blob, day, end, source in rows
                        if filters.admits(day, end, source)})[:10]
        assert ours and [i for i, _ in ours] == [i for _, i in plain]
        assert [round(s, 4) for _, s in ours] == [round(-s, 4) for s, _ in plain]
    # Chroma holds the very vectors the catalog does (rag.packed.as_stored): a passage scores the same there
    every = {cid: float(np.dot(unpack(blob), vector)) for cid, blob, *_ in rows}
    chroma = archive.vectors.query(vector, 40)
    assert len(chroma) == 40 and all(round(score, 4) == round(every[cid], 4) for cid, score in chroma)


def test_a_large_archive_s_paths_rank_as_the_exact_ones_do(retriever, archive, monkeypatch):
    """What an archive past EXACT_ROWS passages and HEADLINE_SCAN headlines does, forced on a small one: a
    broad filter over-fetches from Chroma and keeps the admitted neighbours (the same as the exact scan
    here, where HNSW is exact), a narrow one falls back to the scan; headlines are scored for the
    candidates only."""
    import rag.retrieve as retrieve_module
    from rag.dense_filtered import exact_search

    vector = archive.embedder.embed(["protests against the government"])[0]
    broad, narrow = Filters(as_of=dt.date(2021, 1, 1)), Filters(since=dt.date(2020, 1, 1), until=dt.date(2020, 1, 31))
    snapshot = retriever.segments.snapshot()
    exact = {f: exact_search(snapshot, retriever.segments.chunk_ids, vector, 80, f) for f in (broad, narrow)}
    before = retriever.retrieve("What did the protesters demand?", broad, as_of=TODAY)
    monkeypatch.setattr(retrieve_module, "EXACT_ROWS", 0)
    asked = []
    monkeypatch.setattr(retriever, "_approximate", lambda *a, original=retriever._approximate: asked.append(a[1])
                        or original(*a))
    for filters in (broad, narrow):
        found = retriever._dense(vector, filters)
        assert [i for i, _ in found] == [i for i, _ in exact[filters]], filters
    assert asked == [broad, narrow]  # both asked the approximate index first; the narrow one fell back
    monkeypatch.setattr(retrieve_module, "HEADLINE_SCAN", 0)
    after = retriever.retrieve("What did the protesters demand?", broad, as_of=TODAY)
    assert after.hits[0].article.id == before.hits[0].article.id


def test_a_follow_up_without_a_model_answers_the_new_question_and_repeats_nothing(make_archive):
    path = shared_file("wikinews/articles.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()][:12]
    archive = make_archive()
    Ingestor(archive).run([Article(id=r["id"], title=r["title"], text=r["text"], source=r["source"], url=r["url"],
                                   published=dt.date.fromisoformat(r["published"])) for r in records])
    assistant = build_assistant(Retriever(archive.catalog, archive.vectors, archive.embedder), archive.embedder,
                                backend="extractive")
    question = "How many girls died in the escape room fire in Poland?"
    first = assistant.ask(question, as_of=TODAY)
    assert "five girls" in first.text
    follow = assistant.ask("What caused it?", as_of=TODAY, history=[(question, first.text)])
    assert "carbon monoxide" in follow.text
    assert not {s.text for s in first.sentences} & {s.text for s in follow.sentences}


def test_the_built_in_answer_names_what_the_reports_agree_on_and_says_nothing_twice(real_embedder):
    """Three outlets report a final: the two wire copies restate the question; the answer (the team all three
    name) is in a sentence that does not. It must be quoted, and the wire's sentence only once."""
    wire = "The WNBA crowned a first-time champion on Sunday after a tense Game 4 of the Finals."
    hits = [
        made_hit(1, f"{wire} The Las Vegas Aces beat the Connecticut Sun 78-71 to take the title. Coach Becky "
                 "Hammon celebrated with her players on the court.", "A first WNBA title", "Hill Post"),
        made_hit(2, f"{wire.replace('on Sunday', 'Sunday')} Tickets sold out within minutes, organisers said. The "
                 "Aces star A'ja Wilson was named Finals MVP.", "WNBA Finals: first-time champion", "Valley Times"),
        made_hit(3, f"{wire} The Aces had lost in the semi-finals a year ago.", "WNBA Finals end", "Wire Service"),
    ]
    answerer = ExtractiveAnswerer(real_embedder)
    request = AnswerRequest("Which WNBA team won its first championship title?", tuple(hits))
    answer = "".join(answerer.stream(request))
    assert "Aces" in answer, answer
    assert answer.count("crowned a first-time champion") <= 1, answer


def built_in_answer(embedder, question: str, *hits) -> str:
    return "".join(ExtractiveAnswerer(embedder).stream(AnswerRequest(question, hits)))


def test_a_quiz_that_quotes_the_question_is_not_quoted_back_as_its_answer(real_embedder):
    """A news quiz repeats the user's question word for word; the sentence that answers it is elsewhere."""
    answer = built_in_answer(
        real_embedder, "Which former NFL star is running for the Senate in Georgia?",
        made_hit(1, "Test your knowledge of the week's news. Which former NFL star is running for the Senate in "
                 "Georgia? Answers are at the bottom of the page.", "News quiz", "Quiz Desk"),
        made_hit(2, "Herschel Walker, the former NFL running back, is the Republican candidate for the Senate in "
                 "Georgia. He faces Raphael Warnock in a runoff.", "Georgia runoff", "Peach Daily"))
    assert "Herschel Walker" in answer, answer
    assert "Which former NFL star" not in answer, answer


def test_a_question_naming_a_year_is_not_answered_from_another_years_report(real_embedder):
    """Last year's announcement matches every word of "its 2022 word of the year" except the year."""
    answer = built_in_answer(
        real_embedder, "What did Merriam-Webster pick as its 2022 word of the year?",
        made_hit(1, "Merriam-Webster announced vaccine as its word of the year for 2021, after lookups soared.",
                 "Word of the year", "Wordsmith", "2021-11-29"),
        made_hit(2, "The dictionary picked gaslighting as its word of the year for 2022. Searches for the word "
                 "rose 1,740%.", "Gaslighting is the word", "Wordsmith", "2022-11-28"))
    assert "gaslighting" in answer, answer
    assert "vaccine" not in answer, answer


def test_a_sentence_that_calls_the_answer_the_app_is_quoted_with_the_one_before_that_names_it(real_embedder):
    """The sentence closest to the question says "the app"; which app it is, only the sentence before says."""
    answer = built_in_answer(
        real_embedder, "At least seven states have said they will bar public employees from using which social "
        "media app on government devices?",
        made_hit(1, "Two years after Chirp avoided a national ban, the short-video service faces pushback in the "
                 "states. In the past two weeks, at least seven states have said they will bar public employees "
                 "from using the app on government devices. Officials cited security worries.",
                 "States crack down", "Capitol Wire"))
    assert "Chirp" in answer, answer
    assert answer.index("Chirp") < answer.index("the app"), answer
