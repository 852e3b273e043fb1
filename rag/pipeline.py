"""Keep the encoder busy: embed one batch while the batch before it is being written.

Ingest and reindex both turn batches of chunks into vectors and then write them (the vector store,
then the catalog). Done one after the other, the encoder waits on every write; here the writes run in
a thread of their own, one batch behind the encoder, in order. Embedding (torch or ONNX Runtime)
releases the GIL, so on a CPU the two really overlap. A failure on either side stops both and is
raised in the caller's thread once the batches already handed to the writer are written, so what is
stored is always a prefix of the batches, as if they had run one after the other.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

Batch = TypeVar("Batch")
Embedded = TypeVar("Embedded")

_DONE = object()


def embed_and_write(
    batches: Iterable[Batch],
    embed: Callable[[Batch], Embedded],
    write: Callable[[Batch, Embedded], None],
    depth: int = 2,
) -> None:
    """`write(batch, embed(batch))` for every batch, in order, the writes overlapping the next embeds.
    At most `depth` embedded batches wait for the writer, which bounds the memory held."""
    handoff: queue.Queue = queue.Queue(maxsize=max(1, depth))
    failure: list[BaseException] = []

    def writer() -> None:
        while (item := handoff.get()) is not _DONE:
            if not failure:
                try:
                    write(*item)
                except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                    failure.append(exc)

    thread = threading.Thread(target=writer, name="newsrag-writer", daemon=True)
    thread.start()
    try:
        for batch in batches:
            if failure:
                break
            handoff.put((batch, embed(batch)))
    finally:
        handoff.put(_DONE)
        thread.join()
    if failure:
        raise failure[0]
