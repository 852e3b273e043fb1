"""A passage's headline as an answer's sentence: quoted by the built-in answerer, checked as evidence, marked
in the Sources panel (the stored text drops copies of the headline, so only the headline may say it)."""

from __future__ import annotations

import datetime as dt

from rag.ingest import Ingestor
from rag.records import Article
from rag.retrieve import Retriever
from rag.wiring import build_assistant


def extractive_over(make_archive, articles: list[Article]):
    archive = make_archive()
    Ingestor(archive).run(articles)
    return archive, build_assistant(Retriever(archive.catalog, archive.vectors, archive.embedder),
                                    archive.embedder, backend="extractive")


def test_an_answer_only_the_headline_gives_is_quoted_from_it_checked_and_marked_in_the_sources(make_archive):
    """The body calls it "the currency"; which currency, only the headline says (the stored text drops its copy)."""
    from rag.browse import get_article
    from ui.sources import turn_sources_html

    day = dt.date(2022, 9, 26)
    archive, assistant = extractive_over(make_archive, [
        Article(id="pound", title="British pound plummets to record low against the dollar | Money Desk",
                text="The currency fell as low as $1.0327 in early Asian trading on Monday, its weakest level since "
                     "decimalisation in 1971. Traders blamed the government's plan for the biggest tax cuts in 50 "
                     "years.\n\nThe Bank of England said it would not hesitate to raise interest rates.",
                source="Money Desk", url="https://money.example/pound", published=day),
        Article(id="stocks", title="Stocks slide as investors weigh rate rises",
                text="Shares in London fell for a third day on Monday as investors weighed the chance of higher "
                     "interest rates. Banks and housebuilders led the losses.",
                source="Money Desk", url="https://money.example/stocks", published=day),
    ])
    answer = assistant.ask("Which currency plummeted to a record low against the US dollar?", as_of=day)
    assert "British pound plummets to record low against the dollar." in answer.text, answer.text
    assert "Money Desk." not in answer.text  # the page's site name is not part of the headline quoted
    headline = next(s for s in answer.sentences if s.text.startswith("British pound"))
    assert headline.verdict == "supported" and headline.evidence[0].headline, headline
    cited = next(c for c in answer.citations if c.article_id == "pound")
    assert cited.headline == "British pound plummets to record low against the dollar"
    stored = {c.article_id: get_article(archive.catalog, c.article_id) for c in answer.citations}
    block = turn_sources_html(1, "Which currency?", answer.citations, stored)
    assert "<mark>British pound plummets to record low against the dollar</mark> | Money Desk" in block, block


def test_a_headline_cut_short_is_quoted_for_its_whole_sentence_only(make_archive):
    """A page title cut mid-teaser ("... has fled. Here's what we") says its first sentence, nothing more."""
    day = dt.date(2022, 7, 11)
    _, assistant = extractive_over(make_archive, [
        Article(id="lanka", title="Sri Lanka is in chaos and its president has fled. Here's what we",
                text="Protesters stormed the official residence in Colombo on Saturday. The country has run out of "
                     "fuel and food imports have stalled for weeks.", source="World Desk", published=day),
    ])
    answer = assistant.ask("Which island nation plunged into chaos, prompting its president to flee?", as_of=day)
    said = [s.text for s in answer.sentences]
    assert "Sri Lanka is in chaos and its president has fled." in said, answer.text
    assert not any("Here's what" in s for s in said), answer.text
    assert all(s.verdict == "supported" for s in answer.sentences), answer.sentences
