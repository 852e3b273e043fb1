"""Pure rendering of the sources panel: each cited source with its headline, outlet, date, a link to
the original, the outlets that also reported it, and the quoted passage highlighted in its paragraph (the
headline highlighted too when the answer rests on it).

    turn_sources_html(turn, question, citations, articles, searched)  one answer's sources (ids `source-T-N`),
                                                                      under the line saying what was searched
    sources_panel_html(turns)                                 all answers' sources, newest first
    passage_html(text, start, end)                            `<mark>`ed span with its context

All article-derived text is `html.escape`d; only http(s) URLs become links, and each link's text names
the host it goes to.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ui.render import NO_SOURCES_YET, source_anchor

if TYPE_CHECKING:
    from rag.catalog import StoredArticle
    from rag.records import Citation

CONTEXT_CHARS = 300  # at most this much text either side of the quote, cut between words
_WHITESPACE = re.compile(r"\s+")


def safe_url(url: str) -> str | None:
    """`url` if it is an absolute http(s) URL with no whitespace or control characters, else None."""
    if not url or any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def link_host(url: str) -> str:
    """The host a link goes to, as the user should read it: IDNA (punycode) for a non-ASCII name, so
    a look-alike such as `rеuters.com` with a Cyrillic е does not pass for the real one."""
    host = urlsplit(url).hostname or ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host.encode("ascii", "backslashreplace").decode("ascii")


def _link(url: str, label: str) -> str:
    """A link whose text says where it goes: article data chooses both the label and the target."""
    safe = safe_url(url)
    if safe is None:
        return html.escape(label)
    host = link_host(safe)
    shown = label if host and host in label else f"{label} ({host})"
    return (f'<a href="{html.escape(safe, quote=True)}" target="_blank" rel="noopener noreferrer">'
            f"{html.escape(shown)}</a>")


def passage_html(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """text[start:end] in `<mark>`, with up to `context` characters of the text either side (paragraph
    breaks kept), cut between words; "…" where text was left out."""
    low = max(0, start - context)
    if low > 0 and (space := _WHITESPACE.search(text, low, start)):
        low = space.end()
    high = min(len(text), end + context)
    if high < len(text):
        high = max(end, text.rfind(" ", end, high), text.rfind("\n", end, high))
    lead = "…" if low > 0 else ""
    tail = "…" if high < len(text) else ""
    return (f"{lead}{html.escape(text[low:start].lstrip())}<mark>{html.escape(text[start:end])}</mark>"
            f"{html.escape(text[end:high].rstrip())}{tail}")


def shown_date(published: str | None) -> str:
    """A stored date as precise as it was given: "2019-03-05", "March 2019", "2019", "undated"."""
    if not published:
        return "undated"
    if len(published) == 7:  # a month: rag.records.partial_iso
        return dt.date.fromisoformat(published + "-01").strftime("%B %Y")
    return published


def quoted_span(text: str, citation: Citation) -> tuple[int, int] | None:
    """Where the citation's quote is in the stored text: at its offsets, else wherever it occurs."""
    if citation.quote and text[citation.start:citation.end] == citation.quote:
        return citation.start, citation.end
    found = text.find(citation.quote) if citation.quote else -1
    return (found, found + len(citation.quote)) if found >= 0 else None


def source_html(turn: int, citation: Citation, article: StoredArticle | None) -> str:
    c = citation
    span = quoted_span(article.text, c) if article is not None else None
    if not c.quote and c.headline:  # the answer rests on the headline alone: the passage is its context
        passage = html.escape(article.text[c.start:c.start + 2 * CONTEXT_CHARS]) + "…" if article else ""
    elif span is not None:
        passage = passage_html(article.text, *span)
    else:  # the article changed or was removed since: show the quote the answer was checked against
        passage = f"<mark>{html.escape(c.quote)}</mark>"
    meta = [html.escape(c.source or "no outlet"), html.escape(shown_date(c.published))]
    if safe_url(c.url):
        meta.append(_link(c.url, f"read the original at {link_host(c.url)} ↗"))
    warning = "" if c.supported else (
        '<p class="nr-warning">⚠ A sentence that cites this source is not supported by it.</p>')
    return (
        f'<article class="nr-source" id="{source_anchor(turn, c.n)}">'
        f'<h4><span class="nr-n">[{c.n}]</span> {_title_html(c)}</h4>'
        f'<p class="nr-meta">{" · ".join(meta)}</p>{warning}'
        f'<blockquote class="nr-passage">{passage}</blockquote>'
        f"{_also_reported(c, article)}</article>"
    )


def _title_html(citation: Citation) -> str:
    """The headline, with the part the answer rests on (`Citation.headline`, the site name left out) marked."""
    title, quoted = citation.title or "(untitled)", citation.headline
    folded = " ".join(title.split())
    at = folded.find(quoted) if quoted else -1
    if at < 0:
        return html.escape(title)
    title = folded
    return (f"{html.escape(title[:at])}<mark>{html.escape(quoted)}</mark>"
            f"{html.escape(title[at + len(quoted):])}")


def _also_reported(citation: Citation, article: StoredArticle | None) -> str:
    if not citation.also_reported_by:
        return ""
    urls = {m.source or m.title: m.url for m in ((*article.copies, *article.near_duplicates) if article else ())}
    names = [_link(urls.get(name, ""), name) for name in citation.also_reported_by]
    return f'<p class="nr-also">Also reported by: {", ".join(names)}</p>'


def turn_sources_html(turn: int, question: str, citations: Sequence[Citation],
                      articles: Mapping[str, StoredArticle | None], searched: str = "") -> str:
    """The sources of answer number `turn`, in marker order, under `searched` (what the search covered:
    "Searching reports published 2019-04-08 … 2019-04-19 ('last week')"), when there is such a line."""
    body = "".join(source_html(turn, c, articles.get(c.article_id)) for c in citations)
    if not body:
        body = '<p class="nr-empty">This answer cites no source.</p>'
    line = f'<p class="nr-searched">{html.escape(searched)}</p>' if searched else ""
    return (f'<section class="nr-turn" id="sources-{turn}"><h3>{turn}. {html.escape(question)}</h3>'
            f"{line}{body}</section>")


def sources_panel_html(turns: Sequence[str], pending: str = "") -> str:
    """The panel: a line about the search under way (if any), then each answer's sources, newest first."""
    status = f'<p class="nr-pending">{html.escape(pending)}</p>' if pending else ""
    return status + ("".join(reversed(turns)) or ("" if pending else NO_SOURCES_YET))
