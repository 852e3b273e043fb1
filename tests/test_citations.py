"""Citations: markers parsed, invalid ones dropped, each cited sentence checked against its passage."""

from rag.citations import cite, split_cited
from rag.records import ArticleMeta, Chunk, Hit

PASSAGES = [
    "Mali's army withdrew from the base at Boulikessi after an attack killed over 30 soldiers. "
    "The government said reinforcements were on their way.",
    "The Wagner Group said on Telegram that it had completed its mission in Mali. "
    "It had operated in the country since 2021.",
]


def hits() -> list[Hit]:
    result, offset = [], 100
    for n, text in enumerate(PASSAGES, start=1):
        meta = ArticleMeta(id=f"a{n}", title=f"Title {n}", source="Outlet", published="2024-06-0{n}",
                           url=f"https://example.org/{n}", group=f"a{n}")
        result.append(Hit(Chunk(f"a{n}:v:0", f"a{n}", 0, offset, offset + len(text), text), meta, 1.0 / n))
    return result


def test_markers_before_or_after_the_full_stop_and_in_groups_are_read():
    parsed = split_cited("The base fell [1]. Wagner left. [2] Both happened [1, 2].\n\nNew point [1][2].")
    assert [(t, ns) for t, ns, _ in parsed] == [
        ("The base fell.", [1]), ("Wagner left.", [2]), ("Both happened.", [1, 2]), ("New point.", [1, 2])]
    assert parsed[-1][2] == "\n\n"


def test_a_marker_that_points_nowhere_is_removed(real_embedder):
    text, sentences, citations = cite("An attack killed over 30 soldiers at Boulikessi [1][9].", hits(),
                                      real_embedder)
    assert text == "An attack killed over 30 soldiers at Boulikessi. [1]"
    assert [c.n for c in citations] == [1]


def test_supported_sentences_quote_the_exact_sentence_with_its_span(real_embedder):
    _, sentences, citations = cite(
        "Over 30 soldiers were killed in an attack at Boulikessi [1]. Wagner says its mission is done [2].",
        hits(), real_embedder)
    assert all(s.supported for s in sentences)
    first = citations[0]
    assert first.quote == PASSAGES[0].split(". ")[0] + "."
    assert (first.start, first.end) == (100, 100 + len(first.quote))
    assert citations[1].quote.startswith("The Wagner Group said on Telegram")


def test_a_sentence_its_citation_does_not_support_is_marked(real_embedder):
    _, sentences, citations = cite(
        "Over 30 soldiers died at Boulikessi [1]. The ceasefire was signed by both presidents in Geneva [2].",
        hits(), real_embedder)
    assert [s.supported for s in sentences] == [True, False]
    assert [c.supported for c in citations] == [True, False]


def test_only_cited_sources_are_listed_and_uncited_sentences_are_not_supported(real_embedder):
    answer = "Wagner said it completed its mission in Mali [2]. Nothing else is known."
    _, sentences, citations = cite(answer, hits(), real_embedder)
    assert [c.article_id for c in citations] == ["a2"]
    assert [s.supported for s in sentences] == [True, False]
