"""What `newsrag serve` does as it starts (`Retriever.warm`): a question asked while the vector store still
loads its index is answered at once, by an exact scan of the segments, as the store answers once loaded.
Real Wikinews text, the real model, a real Chroma."""

from __future__ import annotations

import datetime as dt
import threading

from rag.ingest import Ingestor
from rag.retrieve import Retriever
from tests.test_bm25 import QUESTIONS, wikinews


def test_a_question_asked_while_the_vector_store_loads_its_index_is_answered_at_once(make_archive):
    archive = make_archive()
    Ingestor(archive).run(wikinews(60))
    held, asked = threading.Event(), []

    class Loading:  # the real store, its first query held as a million passages' index holds it for seconds
        def query(self, vector, k, where=None):
            asked.append(k)
            held.wait(60)
            return archive.vectors.query(vector, k, where)

    retriever = Retriever(archive.catalog, Loading(), archive.embedder)
    warming = threading.Thread(target=retriever.warm)
    warming.start()
    later = dt.date(2100, 1, 1)  # no later article: no as-of bound, so the store answers once loaded
    try:
        for _ in range(600):  # until the store has begun loading
            if asked:
                break
            held.wait(0.05)
        during = [retriever.retrieve(q, as_of=later) for q in QUESTIONS]
        assert retriever.loading and asked == [1]  # answered by an exact scan; the store not asked meanwhile
    finally:
        held.set()
        warming.join()
    after = [retriever.retrieve(q, as_of=later) for q in QUESTIONS]
    assert not retriever.loading and asked == [1] + [80] * len(QUESTIONS)  # once loaded, the store answers
    assert all(r.hits for r in during)
    assert [[h.chunk.id for h in r.hits] for r in during] == [[h.chunk.id for h in r.hits] for r in after]
