"""The pieces that make ingest and filtered search fast: the encoder never waits on a write, and a date
bound is one contiguous block of the day-sorted vector table."""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
import pytest

from rag.dense_filtered import day_block
from rag.filters import Filters
from rag.pipeline import embed_and_write
from rag.segments import UNDATED, day_mask


def test_writes_overlap_the_next_embedding_and_keep_their_order():
    events, written = [], []

    def embed(batch):
        events.append(("embed", batch, time.perf_counter()))
        time.sleep(0.05)
        return batch * 10

    def write(batch, vectors):
        events.append(("write", batch, time.perf_counter()))
        time.sleep(0.05)
        written.append((batch, vectors, threading.current_thread().name))

    embed_and_write(range(6), embed, write)
    assert [(b, v) for b, v, _ in written] == [(i, i * 10) for i in range(6)]
    assert all(name == "newsrag-writer" for _, _, name in written)
    # the second batch was being embedded while the first was still being written
    second_embed = next(t for kind, b, t in events if kind == "embed" and b == 1)
    first_write_end = next(t for kind, b, t in events if kind == "write" and b == 0) + 0.05
    assert second_embed < first_write_end


def test_a_failed_write_stops_the_encoder_and_is_raised_in_the_caller():
    embedded, written = [], []

    def write(batch, _):
        if batch == 2:
            raise OSError("disk full")
        written.append(batch)

    with pytest.raises(OSError, match="disk full"):
        embed_and_write(range(100), lambda b: embedded.append(b) or b, write)
    assert written == [0, 1]  # a prefix: nothing after the failed batch
    assert len(embedded) < 10  # the encoder stopped soon after, it did not run through the input


def test_a_failed_embedding_still_writes_the_batches_before_it():
    written = []

    def embed(batch):
        if batch == 3:
            raise RuntimeError("model crashed")
        return batch

    with pytest.raises(RuntimeError, match="model crashed"):
        embed_and_write(range(10), embed, lambda b, _: written.append(b))
    assert written == [0, 1, 2]


DAYS = np.array([UNDATED, UNDATED, 10, 10, 12, 15, 15, 20], dtype=np.int32)


def _day(n: int) -> dt.date:
    return dt.date.fromordinal(n)


@pytest.mark.parametrize(("filters", "rows"), [
    (Filters(), (0, 8)),
    (Filters(since=_day(12)), (4, 8)),  # undated rows are outside any date range
    (Filters(until=_day(15)), (2, 7)),
    (Filters(since=_day(11), until=_day(15)), (4, 7)),
    (Filters(as_of=_day(12)), (0, 5)),  # the as-of bound keeps undated rows
    (Filters(since=_day(16), until=_day(19)), (7, 7)),  # nothing in between: an empty block
    (Filters(since=_day(30)), (8, 8)),
])
def test_a_date_bound_is_one_block_of_the_day_sorted_rows(filters, rows):
    first, last = day_block(DAYS, filters)
    assert (first, max(first, last)) == rows
    # the same rows as masking row by row admits (the in-process BM25 index masks its rows so)
    assert list(np.flatnonzero(day_mask(DAYS, filters))) == list(range(first, last))
