"""Plain text and Markdown (`.txt`, `.md`): one article per file.

The first non-empty line is the title (a leading Markdown `#` removed), the rest is the text. A file
that is a single line is all text, and its title is made from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.fields import article_id, clean_text, clean_title, title_from_text
from rag.records import Article, ReadFailure

_HEADING_MARK = re.compile(r"^\s*#+\s*")


def read_plaintext(name: str, text: str) -> Iterator[Article | ReadFailure]:
    """A text file -> one `Article` (undated, no source), or a `ReadFailure` if it holds no text."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        yield ReadFailure(name, None, "empty file")
        return
    title = clean_title(_HEADING_MARK.sub("", lines[first]))
    body = clean_text("\n".join(lines[first + 1:]))
    if not body:  # one line only: it is the article
        body = clean_text(lines[first])
        title = title_from_text(title)
    if not body:
        yield ReadFailure(name, first + 1, "no article text")
        return
    yield Article(
        id=article_id("", "", body),
        title=title or title_from_text(body),
        text=body,
        origin=name,
    )
