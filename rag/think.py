"""A reasoning model's `<think>…</think>` block taken out of a streamed reply, wherever the pieces split.

    without_think(pieces)  ->  the same text without any think block, streamed as soon as it is safe

A piece that ends with what could be the start of a tag (`<`, `<thi`, `</think`) is held back until the
next piece says whether it is one. A reply that opens with a think block loses the blank lines after it
(models write `</think>\n\n`). A think block never closed (the reply was cut while thinking) is dropped
whole, so a reply that is only thinking becomes empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["CLOSE_TAG", "OPEN_TAG", "without_think"]

OPEN_TAG, CLOSE_TAG = "<think>", "</think>"


def without_think(pieces: Iterable[str]) -> Iterator[str]:
    """Yield the text of `pieces` with every `<think>…</think>` block removed; no empty pieces."""
    pending, inside, after_close, emitted = "", False, False, False
    for piece in pieces:
        pending += piece
        out = []
        while True:
            tag = CLOSE_TAG if inside else OPEN_TAG
            at = pending.find(tag)
            if at >= 0:
                if not inside:
                    out.append(pending[:at])
                pending, inside = pending[at + len(tag):], not inside
                after_close = not inside and not emitted and not "".join(out).strip()
                continue
            held = _partial_tag_length(pending, tag)
            if not inside:
                out.append(pending[: len(pending) - held])
            pending = pending[len(pending) - held:]
            break
        text = "".join(out)
        if after_close:
            text = text.lstrip()
            after_close = not text
        if text:
            emitted = True
            yield text
    rest = "" if inside else pending.lstrip() if after_close else pending
    if rest:
        yield rest


def _partial_tag_length(text: str, tag: str) -> int:
    """The length of the longest end of `text` that is a beginning of `tag` (0 when none)."""
    for length in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:length]):
            return length
    return 0
