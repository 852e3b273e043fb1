"""Hits made by hand for tests of what is done with retrieved passages (prompt, answers): no archive needed."""

from __future__ import annotations

from rag.records import ArticleMeta, Chunk, Hit


def hit(
    n: int,
    text: str,
    title: str = "Ceasefire talks resume",
    source: str = "Reuters",
    published: str | None = "2024-03-02",
) -> Hit:
    """Source [n]: article `a{n}` whose one passage is `text`, scored 1/n."""
    article = ArticleMeta(f"a{n}", title, source, published, f"https://example.org/{n}", f"g{n}")
    return Hit(Chunk(f"a{n}:0", f"a{n}", 0, 0, len(text), text), article, score=1.0 / n)
