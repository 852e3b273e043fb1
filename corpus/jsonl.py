"""JSON Lines (`.jsonl`, `.ndjson`) and JSON (`.json`) exports: one article per object.

Field names are matched as `corpus.fields.FIELD_NAMES` says. A `.json` file may hold an array of
objects, one object, objects one after another (JSON Lines under another name), or a wrapper object
such as NewsAPI's `{"status": "ok", "articles": [...]}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from corpus.fields import article_from_record, normalise_keys, pick
from rag.records import Article, ReadFailure

# keys under which API dumps keep their list of articles
WRAPPER_KEYS = ("articles", "items", "data", "results", "records", "entries", "docs")
_decoder = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def read_jsonl(name: str, text: str) -> Iterator[Article | ReadFailure]:
    """One JSON object per line -> an `Article` per line, or a `ReadFailure` naming the line when it is
    not JSON, not an object, or has no text. Blank lines are skipped."""
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield ReadFailure(name, number, f"invalid JSON: {error.msg} (column {error.colno})")
            continue
        except (ValueError, RecursionError) as error:  # e.g. a 5,000-digit number, [[[[...]]]]
            yield ReadFailure(name, number, f"invalid JSON: {_describe(error)}")
            continue
        yield _from_value(name, number, value)


def read_json(name: str, text: str) -> Iterator[Article | ReadFailure]:
    """A `.json` file: an array of article objects, a single object, a wrapper object holding the array,
    or several objects in a row. Records are numbered by the line they start on."""
    position, line = 0, 1
    while True:
        start = _skip_space(text, position)
        line += text.count("\n", position, start)
        if start >= len(text):
            return
        if text[start] == "[" and position == 0:
            yield from _read_array(name, text, start, line)
            return
        decoded = _decode(name, text, start, line)
        if isinstance(decoded, ReadFailure):
            yield decoded
            return
        value, position = decoded
        yield from _unwrap(name, line, value)
        line += text.count("\n", start, position)


def _read_array(name: str, text: str, start: int, line: int) -> Iterator[Article | ReadFailure]:
    position = start + 1
    while True:
        begin = _skip_space(text, position)
        line += text.count("\n", position, begin)
        if begin < len(text) and text[begin] == "]":
            return
        decoded = _decode(name, text, begin, line)
        if isinstance(decoded, ReadFailure):
            yield decoded
            return
        value, position = decoded
        yield _from_value(name, line, value)
        line += text.count("\n", begin, position)
        after = _skip_space(text, position)
        line += text.count("\n", position, after)
        if after < len(text) and text[after] == ",":
            position = after + 1
            continue
        if after < len(text) and text[after] == "]":
            return
        yield ReadFailure(name, line, "invalid JSON: expected ',' or ']' after an array item")
        return


def _decode(name: str, text: str, start: int, line: int):
    """(value, end position) of the JSON value at `start`, or the `ReadFailure` saying why not."""
    try:
        return _decoder.raw_decode(text, start)
    except json.JSONDecodeError as error:
        return ReadFailure(name, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")
    except (ValueError, RecursionError) as error:  # e.g. a 5,000-digit number, [[[[...]]]]
        return ReadFailure(name, line, f"invalid JSON: {_describe(error)}")


def _unwrap(name: str, line: int, value) -> Iterator[Article | ReadFailure]:
    """A wrapper object without text of its own but with a list of objects -> those objects."""
    fields = normalise_keys(value) if isinstance(value, dict) else {}
    if fields and pick(fields, "text") is None:
        for key in WRAPPER_KEYS:
            items = fields.get(key)
            if isinstance(items, list) and any(isinstance(item, dict) for item in items):
                for index, item in enumerate(items):
                    origin = f"{name}:{line} {key}[{index}]"
                    yield _from_value(name, line, item, origin=origin, where=f"{key}[{index}]: ")
                return
    if isinstance(value, list):
        for item in value:
            yield _from_value(name, line, item)
        return
    yield _from_value(name, line, value)


def _from_value(name: str, line: int, value, origin: str = "", where: str = "") -> Article | ReadFailure:
    if not isinstance(value, dict):
        return ReadFailure(name, line, f"{where}expected a JSON object, got {_json_type(value)}")
    result = article_from_record(value, name, line, origin=origin)
    if isinstance(result, ReadFailure) and where:
        return ReadFailure(result.file, result.line, where + result.message)
    return result


def _skip_space(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()


def _lines(text: str) -> Iterator[str]:
    """`text.split("\n")`, one at a time: an export can be a gigabyte."""
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "null"


def _describe(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).split("\n")[0][:200]
