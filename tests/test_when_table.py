"""The phrase table (tests/when_phrases.py): every row's question searched over exactly its window.

A row marked as a known miss must still fail, so that a reader which gets it right is noticed (and the
row's mark, and the score in the README, are updated)."""

from __future__ import annotations

import pytest

from rag.when import resolve
from tests.when_phrases import cases

OUTLETS = ("CNN", "USA TODAY", "The Week", "covid.cdc.gov")  # realtimeqa-dev's, as the archive names them
CASES = cases()


def test_the_table_has_the_rows_the_issue_asks_for():
    assert len(CASES) >= 150
    assert sum(c.section.startswith("from realtimeqa-dev") for c in CASES) >= 50
    assert sum(not (c.since or c.until) for c in CASES) >= 50  # traps: phrases that are not periods


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"{c.as_of}: {c.question[:70]}",
                 marks=[pytest.mark.xfail(reason=c.miss, strict=True)] if c.miss else [])
    for c in CASES
])
def test_each_phrase_gives_its_window(case):
    intent = resolve(case.question, case.as_of, OUTLETS)
    got = f"{intent.since or ''} .. {intent.until or ''}" if intent.dated else "—"
    assert got == case.window, f"read {intent.phrase!r}"
    assert bool(intent.phrase) == intent.dated and intent.present == (not intent.dated)
