"""RSS and Atom feeds (`.xml`, `.rss`, `.atom`, or a fetched feed URL): one article per entry, via feedparser.

An entry's text is its full content (`content:encoded`, Atom `<content>`) where the feed carries it, else
its summary, converted from HTML to plain text. The source is the feed's title. A feed that is not
well-formed still yields the entries feedparser could recover, plus one `ReadFailure`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.sax import SAXException

from corpus.dates import parse_dated
from corpus.fields import (
    article_id,
    as_string,
    clean_text,
    clean_title,
    hostname,
    record_scope,
    split_authors,
    title_from_text,
)
from corpus.htmltext import html_to_text
from rag.records import Article, ReadFailure

_LOOKS_LIKE_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
SNIFF_BYTES = 4096


def looks_like_feed(data: bytes) -> bool:
    """True when the document's first few KB open an RSS, Atom or RDF feed."""
    return bool(_LOOKS_LIKE_FEED.search(data[:SNIFF_BYTES]))


def read_feed(name: str, data: bytes) -> Iterator[Article | ReadFailure]:
    """A feed's raw bytes (feedparser reads the declared encoding itself) -> an `Article` per entry; a
    `ReadFailure` for an entry without text, for broken XML, and for a document with no entries."""
    import feedparser  # only feeds need it

    try:
        # bytes, never str: given a str, feedparser would treat it as a URL or a file name to open
        parsed = feedparser.parse(bytes(data), sanitize_html=True, resolve_relative_uris=False)
    # feedparser is third-party code fed arbitrary bytes: whatever it raises means "unreadable feed"
    except Exception as error:  # noqa: BLE001
        yield ReadFailure(name, None, f"could not parse the feed: {type(error).__name__}: {error}")
        return
    entries = parsed.get("entries") or []
    if parsed.get("bozo"):
        yield _broken_xml(name, parsed.get("bozo_exception"), recovered=len(entries))
    if not entries:
        if not parsed.get("bozo"):
            yield ReadFailure(name, None, "no feed entries found (is this an RSS or Atom feed?)")
        return
    feed = parsed.get("feed") or {}
    source = clean_title(html_to_text(as_string(feed.get("title")))) or hostname(as_string(feed.get("link")))
    for number, entry in enumerate(entries, start=1):
        yield _article(name, number, entry, source)


def _article(name: str, number: int, entry, source: str) -> Article | ReadFailure:
    title = clean_title(html_to_text(as_string(entry.get("title"))))
    text = clean_text(html_to_text(_entry_body(entry)))
    if not text:  # full content that yields no text (markup too deep to parse): the summary will do
        text = clean_text(html_to_text(as_string(entry.get("summary"))))
    if not text:
        label = f" ({title!r})" if title else ""
        return ReadFailure(name, None, f"feed entry {number}{label} has no text (no content or summary)")
    link = as_string(entry.get("link"))
    own_id = as_string(entry.get("id"))  # without one, article_id makes one from the link
    published, precision = None, "day"
    # the date as the feed wrote it first (the publisher's own day), feedparser's UTC struct_time after
    for key in ("published", "updated", "published_parsed", "updated_parsed"):
        if found := parse_dated(entry.get(key)):
            published, precision = found
            break
    source = source or hostname(link)
    return Article(
        id=article_id(own_id, link, text, record_scope(source, name)),
        title=title or title_from_text(text),
        text=text,
        source=source,
        published=published,
        precision=precision,
        url=link,
        authors=split_authors(entry.get("authors") or entry.get("author") or ""),
        origin=f"{name}#{number}",
        record_id=own_id,
    )


def _entry_body(entry) -> str:
    """The longest of the entry's full-content parts, else its summary."""
    contents = [as_string(part.get("value")) for part in entry.get("content") or [] if hasattr(part, "get")]
    best = max(contents, key=len, default="")
    return best or as_string(entry.get("summary"))


def _broken_xml(name: str, error, recovered: int) -> ReadFailure:
    line = None
    get_line = getattr(error, "getLineNumber", None)
    if callable(get_line):
        try:
            line = int(get_line())
        except (TypeError, ValueError):
            line = None
    kept = f"; read the {recovered} entries that could be recovered" if recovered else ""
    problem = "feed is not well-formed XML" if isinstance(error, SAXException) else "feed read with a problem"
    return ReadFailure(name, line, f"{problem}: {error}{kept}")
