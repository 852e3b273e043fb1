"""Retrieval filters: a date range and outlets, expressed once for the catalog and the vector store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rag.catalog import day_number


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    sources: tuple[str, ...] = ()
    # The as-of date bounds the archive too, but an undated article is not excluded by it.
    as_of: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    @property
    def active(self) -> bool:
        return self.dated or bool(self.sources) or self.as_of is not None

    def sql(self, chunk: str, article: str) -> tuple[str, list]:
        """A WHERE clause over the chunks and articles tables (aliases given) and its parameters."""
        clauses, params = ["1"], []
        if self.since:
            clauses.append(f"{chunk}.day >= ?")
            params.append(day_number(self.since))
        if self.until:
            clauses.append(f"{chunk}.day <= ?")
            params.append(day_number(self.until))
        if self.as_of:
            clauses.append(f"({chunk}.day IS NULL OR {chunk}.day <= ?)")
            params.append(day_number(self.as_of))
        if self.sources:
            clauses.append(f"{article}.source IN ({','.join('?' * len(self.sources))})")
            params.extend(self.sources)
        return " AND ".join(clauses), params

    def chroma(self) -> dict | None:
        """The same filter as a Chroma `where` (undated chunks carry day -1)."""
        clauses: list[dict] = []
        if self.since:
            clauses.append({"day": {"$gte": day_number(self.since)}})
        if self.until:
            clauses.append({"day": {"$lte": day_number(self.until)}})
        if self.as_of:
            clauses.append({"day": {"$lte": day_number(self.as_of)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def describe(self) -> str:
        parts = []
        if self.since or self.until:
            parts.append(f"published {self.since or '…'} … {self.until or '…'}")
        if self.sources:
            parts.append("from " + ", ".join(self.sources))
        return " and ".join(parts) or "all articles"
