"""CSV and TSV exports with a header row: one article per row, fields named as in `corpus.fields`.

A record's line number is the line it starts on, so multi-line quoted fields do not shift the numbers
of the records after them. A row with fewer columns than the header simply lacks the missing fields. A
row with more columns is still read, its extra columns ignored, and a `ReadFailure` says so: extra
columns usually mean an unquoted delimiter inside a field, so that row's fields may be shifted.
A header without any text column fails the file once, rather than every row; a quote left open in the
last record (which swallows the rest of the file) is reported too.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

from corpus.fields import FIELD_NAMES, article_from_record, has_field
from rag.records import Article, ReadFailure

# Article bodies run far past the csv module's default 128 KiB field limit.
FIELD_SIZE_LIMIT = min(sys.maxsize, 2**31 - 1)


def read_csv(name: str, text: str, delimiter: str = ",") -> Iterator[Article | ReadFailure]:
    """Delimited text with a header row -> an `Article` per row, or a `ReadFailure` naming the line a row
    starts on. Blank rows are skipped."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    ended_at = 0  # the line the previous row ended on
    last_row = (0, 0)  # the lines the last record started and ended on
    while True:
        starts_at = ended_at + 1
        try:
            row = next(reader)
        except StopIteration:
            if last_row[1] > last_row[0] and _unclosed_quote(text, last_row[0]):
                yield ReadFailure(name, last_row[0], _UNCLOSED)
            return
        except csv.Error as error:
            yield ReadFailure(name, starts_at, f"unreadable {_kind(delimiter)} row: {error}")
            if reader.line_num <= ended_at:  # no progress: stop rather than loop forever
                return
            ended_at = reader.line_num
            continue
        ended_at = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            if not has_field(header, "text"):
                yield ReadFailure(name, starts_at, _no_text_column(header))
                return
            continue
        last_row = (starts_at, ended_at)
        record: dict[str, str] = {}
        for column, cell in zip(header, row, strict=False):
            record.setdefault(column, cell)  # a repeated column name: the first one counts
        result = article_from_record(record, name, starts_at)
        yield result
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            yield ReadFailure(
                name,
                starts_at,
                f"row has {len(row)} columns but the header has {len(header)}; the extra columns were "
                f"ignored — quote fields that contain '{_shown(delimiter)}'",
            )


def read_tsv(name: str, text: str) -> Iterator[Article | ReadFailure]:
    """Tab-separated values: as `read_csv`."""
    return read_csv(name, text, delimiter="\t")


_UNCLOSED = "a quoted field that starts in this row is never closed: the rest of the file was read into it"


def _unclosed_quote(text: str, line: int) -> bool:
    """Whether the last record, starting at `line` and running over several lines, holds an odd number of
    quote characters: the csv module then reads all the rest of the file into one field, without a word."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
    return text.count('"', offset) % 2 == 1


def _no_text_column(header: list[str]) -> str:
    found = ", ".join(header[:20]) + (", ..." if len(header) > 20 else "")
    return f"no text column in the header (looked for: {', '.join(FIELD_NAMES['text'])}; found: {found})"


def _kind(delimiter: str) -> str:
    return "TSV" if delimiter == "\t" else "CSV"


def _shown(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter
