"""The verifier the assistant is handed: every sentence of an answer gets a verdict.

(Interim: wraps `rag.citations.cite` until the fact-checking verifier lands.)
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.citations import cite
from rag.records import NO_CLAIM, SUPPORTED, UNSUPPORTED, CheckedSentence, Hit, Verified


class Verifier:
    def __init__(self, embedder):
        self.embedder = embedder

    def check(self, answer: str, hits: Sequence[Hit]) -> Verified:
        text, sentences, citations = cite(answer, hits, self.embedder)
        checked = tuple(
            CheckedSentence(s.text, s.sources, SUPPORTED if s.supported else (UNSUPPORTED if s.sources else NO_CLAIM))
            for s in sentences
        )
        return Verified(text, checked, tuple(citations))
