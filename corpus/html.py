"""Saved article pages (`.html`, `.htm`, or a fetched URL): one article per page, via trafilatura.

trafilatura finds the main text (dropping navigation, footers, comments) and the metadata: headline,
date, byline, canonical URL, site name. Dates come only from the page's markup (meta tags, `<time>`,
JSON-LD), never guessed from a copyright line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.dates import parse_date
from corpus.decoding import decode_declared
from corpus.fields import article_id, clean_text, clean_title, hostname, split_authors, title_from_text
from corpus.htmltext import element_to_text
from rag.records import Article, ReadFailure

# original_date: the first publication, not the last update; no extensive search: no dates guessed
# from copyright footers or stray numbers
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}


def read_html(name: str, data: bytes, url: str = "") -> Iterator[Article | ReadFailure]:
    """An HTML page -> one `Article`, or a `ReadFailure` when no article text can be found in it. `url` is
    where the page was fetched from, if it was; the page's canonical link wins over it."""
    text, warning = decode_declared(name, data)
    if warning:
        yield warning
    try:
        import trafilatura
    except ImportError as error:
        yield ReadFailure(name, None, f"cannot read HTML: {error} (reinstall newsrag's dependencies)")
        return
    try:
        document = trafilatura.bare_extraction(
            text,
            url=url or None,
            with_metadata=True,
            favor_precision=True,  # boilerplate (menus, "related stories") would pollute retrieval
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_OPTIONS,
        )
    # trafilatura is third-party code fed arbitrary pages: whatever it raises means "unreadable page"
    except Exception as error:  # noqa: BLE001
        yield ReadFailure(name, None, f"could not parse the HTML page: {type(error).__name__}: {error}")
        return
    body = getattr(document, "body", None)
    title = clean_title(getattr(document, "title", None) or "")
    article_text = _without_headline(clean_text(element_to_text(body)) if body is not None else "", title)
    if not article_text:
        depth = _depth_limit_hit(text)
        yield ReadFailure(name, None, "no article text found in the page" + (
            f": its markup is nested more than {depth} elements deep, deeper than the HTML parser reads"
            if depth else ""))
        return
    page_url = (getattr(document, "url", None) or url or "").strip()
    yield Article(
        id=article_id("", page_url, article_text),
        title=title or title_from_text(article_text),
        text=article_text,
        source=clean_title(getattr(document, "sitename", None) or "") or hostname(page_url),
        published=parse_date(getattr(document, "date", None)),
        url=page_url,
        authors=split_authors(getattr(document, "author", None) or ""),
        origin=name,
    )


def _without_headline(text: str, title: str) -> str:
    """The extracted body usually starts with the `<h1>`; the headline is already the title."""
    first, _, rest = text.partition("\n\n")
    if title and clean_title(first).casefold() == title.casefold():
        return rest
    return text


def _depth_limit_hit(markup: str) -> int | None:
    """The depth libxml2 stopped at, when the page nests deeper than it will parse (it then drops
    everything below silently, and the text seems to be missing); None otherwise."""
    from lxml import etree, html

    parser = html.HTMLParser()
    try:
        html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    for error in parser.error_log:
        if found := re.search(r"Excessive depth in document: (\d+)", error.message):
            return int(found.group(1))
    return None
