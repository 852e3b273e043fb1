"""A one-sentence summary of each story of a digest, written by the Ollama model and checked by the same
verifier as answers; a story whose summary is not supported keeps its quoted sentences.

    with_summaries(digest, catalog, generator, verifier) -> Digest

The model is given the lead passages of up to `SOURCES` of the story's articles (its central ones, other
outlets first), numbered as an answer's sources, and asked for one sentence. Every sentence of its reply
must be supported (`rag.verify`): its first is the summary, cited to the passages that back it. Otherwise,
or when the model fails, the story keeps its extractive quotes and says why (`summary_note`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rag.catalog import Catalog
from rag.errors import BackendError
from rag.records import NO_CLAIM, SUPPORTED, AnswerRequest, ArticleMeta, Chunk, Hit, Notice
from rag.stories.records import Digest, Story

SOURCES = 3
QUESTION = "In one sentence, what happened in this story: {headline}?"


def story_hits(catalog: Catalog, story: Story, limit: int = SOURCES) -> tuple[Hit, ...]:
    """The lead passages of the story's first articles by outlet (the digest's central one first)."""
    cited = [c.article_id for c in story.citations]
    order = cited + [a.id for a in story.articles if a.id not in cited]
    metas = {a.id: a for a in story.articles}
    chosen: list[ArticleMeta] = []
    for article_id in order:
        meta = metas.get(article_id)
        if meta and meta.source not in {m.source for m in chosen}:
            chosen.append(meta)
    for article_id in order:  # one outlet: its other articles
        if len(chosen) >= limit:
            break
        if article_id in metas and metas[article_id] not in chosen:
            chosen.append(metas[article_id])
    hits = []
    for meta in chosen[:limit]:
        rows = catalog.query(
            "SELECT c.id, c.start, c.end, substr(a.text, c.start + 1, c.end - c.start) FROM articles a "
            "JOIN chunks c ON c.article_id = coalesce(a.copy_of, a.id) WHERE a.id = ? AND c.position = 0",
            (meta.id,))
        if rows:
            cid, start, end, text = rows[0]
            hits.append(Hit(chunk=Chunk(cid, meta.id, 0, start, end, text), article=meta, score=1.0))
    return tuple(hits)


def summarize(story: Story, hits: Sequence[Hit], generator, verifier, first_n: int) -> Story:
    """`story` with the model's one-sentence summary and its citations (numbered from `first_n`) when every
    sentence the model wrote is supported; else `story` as it was, with `summary_note` saying why."""
    if not hits:
        return story
    request = AnswerRequest(QUESTION.format(headline=story.headline.rstrip("?. ")), tuple(hits))
    text = "".join(p for p in generator.stream(request) if not isinstance(p, Notice))
    verified = verifier.check(text, hits)
    claims = [s for s in verified.sentences if s.verdict != NO_CLAIM]
    failing = next((s for s in claims if s.verdict != SUPPORTED), None)
    if not claims or failing is not None:
        why = f"{failing.reason}: “{failing.text}”" if failing else "it made no claim"
        return replace(story, summary_note=f"the model's summary was not supported ({why}); quoted instead")
    first = claims[0]
    numbers = {c.n: first_n + i for i, c in enumerate(c for c in verified.citations if c.n in first.citations)}
    citations = tuple(replace(c, n=numbers[c.n]) for c in verified.citations if c.n in numbers)
    marks = "".join(f"[{numbers[n]}]" for n in first.citations if n in numbers)
    return replace(story, summary=f"{first.text} {marks}".strip(), citations=citations,
                   summary_by=generator.name, summary_note="")


def with_summaries(digest: Digest, catalog: Catalog, generator, verifier) -> Digest:
    """Every story of `digest` summarised by `generator` (see `summarize`), citations renumbered through the
    digest; if the model fails, the stories from there on keep their quotes and the digest says why."""
    stories, n, notice = [], 1, ""
    for story in digest.stories:
        summarised = story
        if not notice:
            try:
                summarised = summarize(story, story_hits(catalog, story), generator, verifier, n)
            except BackendError as exc:
                notice = f"{exc} — the stories are quoted instead"
        if summarised is story:  # quotes, renumbered to follow the summaries before them
            numbers = {c.n: n + i for i, c in enumerate(story.citations)}
            summarised = replace(story, citations=tuple(replace(c, n=numbers[c.n]) for c in story.citations),
                                 summary=" ".join(f"{c.quote} [{numbers[c.n]}]" for c in story.citations))
        stories.append(summarised)
        n += len(summarised.citations)
    return replace(digest, stories=tuple(stories), notice=notice)


def choose(ollama, backend: str) -> tuple[object | None, str]:
    """(the generator to summarise with, or None; a notice): Ollama when `backend` allows it and the server
    has the model; "auto" falls back to quotes with a notice saying why, "ollama" raises `BackendError`."""
    if backend == "extractive" or ollama is None:
        return None, ""
    try:
        ollama.check()
    except BackendError as exc:
        if backend == "ollama":
            raise
        return None, f"{exc} — the stories are quoted instead"
    return ollama, ""
