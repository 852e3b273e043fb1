"""Pure rendering for the chat window: answers, the status line, the welcome text, upload summaries.

Everything that comes from articles or from a model is escaped here: for HTML with `html.escape`, for
the chat's Markdown with backslashes as well, so a headline like `<img src=x onerror=...>` shows as
those characters and a stray `*` or `[` in a quote changes no formatting.

    answer_markdown(answer, turn)    the checked answer: [n] markers linked, unsupported sentences marked
    linked_markdown(text, turn)      streamed text so far, markers linked
    status_markdown(stats, backend)  "Archive: 12 articles from 3 outlets, ... · Answers: ..."
    welcome_markdown(stats)          what to ask, or how to add articles to an empty archive
    as_of_info(why)                  what the As-of field says under it
    again_label(period)              the button that drops the period read from the last question
    upload_summary_html(results)     one table row per uploaded file
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rag.records import UNSUPPORTED

if TYPE_CHECKING:
    from rag.records import Answer
    from ui.upload import FileResult

# What Markdown (GFM) may read as syntax anywhere in a line, and at the start of a line (headings, lists,
# setext underlines); backslash-escaped, they show as themselves. Links need `[`, images `![`.
_INLINE_SYNTAX = re.compile(r"([\\`*_\[\]~|$])")
_LINE_START_SYNTAX = re.compile(r"^([ \t]*)([#+=-])", re.MULTILINE)
_ORDERED_LIST = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
_MARKERS = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
UNSUPPORTED_TITLE = "No retrieved source supports this sentence"
ATTRIBUTED_TITLE = "The model did not cite a source here; newsrag found the passage that supports it"
ATTRIBUTED_MARK = "⁺"
HOW_TO_ADD = (
    "Add articles: open **Add articles** below and upload JSONL, CSV, HTML, RSS/Atom, TXT or Markdown "
    "files (or a zip of them), or run `newsrag ingest PATH` in a terminal and reload this page."
)
EMPTY_ARCHIVE = f"**The archive is empty**, so there is nothing to ask about yet.\n\n{HOW_TO_ADD}"
NO_SOURCES_YET = '<p class="nr-empty">The sources of each answer appear here, with the quoted passage.</p>'


def escape_markdown(text: str) -> str:
    """`text` shown literally in Markdown: HTML-escaped, and Markdown syntax backslash-escaped."""
    text = _INLINE_SYNTAX.sub(r"\\\1", html.escape(text, quote=False))
    text = _LINE_START_SYNTAX.sub(r"\1\\\2", text)
    return _ORDERED_LIST.sub(r"\1\\\2", text)


def source_anchor(turn: int, n: int) -> str:
    """The element id of source `n` of answer `turn` in the sources panel."""
    return f"source-{turn}-{n}"


def marker_links(numbers: Iterable[int], turn: int) -> str:
    return "".join(f"[\\[{n}\\]](#{source_anchor(turn, n)})" for n in numbers)


def linked_markdown(text: str, turn: int) -> str:
    """Answer text as it streams in: escaped, each `[n]` (or `[1, 2]`) a link to its source."""
    pieces, last = [], 0
    for marker in _MARKERS.finditer(text):
        pieces.append(escape_markdown(text[last:marker.start()]))
        pieces.append(marker_links((int(n) for n in re.findall(r"\d+", marker.group(1))), turn))
        last = marker.end()
    pieces.append(escape_markdown(text[last:]))
    return "".join(pieces)


def notice_markdown(notice: str) -> str:
    return f"ℹ️ _{escape_markdown(notice)}_" if notice else ""


def answer_markdown(answer: Answer, turn: int) -> str:
    """The checked answer: its sentences in their paragraphs, each followed by its linked markers. A sentence
    no source supports is marked ⚠ with the reason (class `nr-unsupported`); citations newsrag attached to a
    sentence the model left uncited are marked as such (class `nr-attributed`)."""
    if not answer.sentences:
        body = linked_markdown(answer.text, turn)
    else:
        body = _checked_sentences(answer, turn)
        notes = []
        if any(s.verdict == UNSUPPORTED for s in answer.sentences):
            notes.append("⚠ marks a sentence that no retrieved source supports, with the reason.")
        if any(s.attributed for s in answer.sentences):
            notes.append(f"{ATTRIBUTED_MARK} marks citations newsrag found for a sentence the model left uncited.")
        if notes:
            body += "\n\n<small>" + " ".join(notes) + "</small>"
    return "\n\n".join(x for x in (notice_markdown(answer.notice), body) if x)


def _checked_sentences(answer: Answer, turn: int) -> str:
    pieces = []
    for sentence in answer.sentences:
        text = escape_markdown(sentence.text)
        if sentence.verdict == UNSUPPORTED:
            reason = sentence.reason or UNSUPPORTED_TITLE
            text = (f'<span class="nr-unsupported" title="{html.escape(reason, quote=True)}">⚠ {text}</span> '
                    f'<small class="nr-reason">({escape_markdown(reason)})</small>')
        marks = marker_links(sentence.citations, turn)
        if marks and sentence.attributed:
            marks = f'<span class="nr-attributed" title="{ATTRIBUTED_TITLE}">{marks}{ATTRIBUTED_MARK}</span>'
        separator = sentence.separator if pieces else ""
        pieces.append(f"{separator}{text} {marks}" if marks else f"{separator}{text}")
    return "".join(pieces)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def outlet_choices(stats: Mapping) -> list[str]:
    """The outlets to filter by, alphabetically (articles without an outlet cannot be picked)."""
    return sorted((s for s in stats["sources"] if s), key=str.casefold)


def status_markdown(stats: Mapping, backend: str, loading: bool = False) -> str:
    """One line: what the archive holds, and what answers the questions (and, just after start, that the
    search index is still loading)."""
    if not stats["articles"]:
        archive = "empty (add articles below, or run `newsrag ingest PATH`)"
    else:
        outlets = len(outlet_choices(stats))
        dates = f"{stats['date_min']} … {stats['date_max']}" if stats["date_min"] else "no dates"
        archive = f"{_count(stats['articles'], 'article')} from {_count(outlets, 'outlet')}, {dates}"
    line = f"**Archive:** {archive} · **Answers:** {escape_markdown(backend)}"
    return line + (" · **Loading the search index…** (answers meanwhile take longer)" if loading else "")


def as_of_info(why: str) -> str:
    """What the As-of field says under it: why its day is the default."""
    return f"Default: {why}"


def again_label(period: str) -> str:
    """The button that asks the last question again over all dates, not only the period read from it."""
    return f"Search all dates, not only {period!r}"


def welcome_markdown(stats: Mapping) -> str:
    if not stats["articles"]:
        return EMPTY_ARCHIVE
    return (
        f"Ask a question about the {_count(stats['articles'], 'article')} in the archive. Answers cite "
        "their sources as [1], [2]: click one to see the quoted passage."
    )


def error_markdown(message: str) -> str:
    return f"⚠️ {escape_markdown(message)}"


def upload_summary_html(results: Sequence[FileResult], problem: str = "") -> str:
    """A table with one row per file: added, updated, unchanged, duplicates, and its errors (file:line)."""
    if problem:
        return f'<p class="nr-upload-problem">⚠ {html.escape(problem)}</p>'
    if not results:
        return ""
    rows = "".join(_summary_row(r) for r in results)
    added = sum(r.new for r in results)
    return (
        f'<p class="nr-upload-total">{_count(added, "new article")} added from '
        f"{_count(len(results), 'file')}; they can be asked about now.</p>"
        '<table class="nr-upload"><thead><tr><th>File</th><th>New</th><th>Updated</th><th>Unchanged</th>'
        f"<th>Duplicates</th><th>Errors</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _summary_row(result: FileResult, shown: int = 10) -> str:
    errors = "".join(f"<li>{html.escape(e)}</li>" for e in result.errors[:shown])
    if len(result.errors) > shown:
        errors += f"<li>… and {len(result.errors) - shown} more</li>"
    cells = [html.escape(result.name), result.new, result.updated, result.unchanged, result.duplicates]
    errors_cell = f"<ul>{errors}</ul>" if errors else "0"
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{errors_cell}</td></tr>"
