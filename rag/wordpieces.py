"""How much of a text the embedding model reads: its wordpieces, counted by the model's own tokenizer.

all-MiniLM-L6-v2 reads 256 wordpieces (`max_seq_length`) and silently drops the rest. What ingest embeds is
the headline, the outlet and date, and the passage (`rag.ingest.embedding_text`); at 200 words a passage
that ran past the window lost its last sentence or two to dense search (49% of realtimeqa-dev's chunks).
Chunks are therefore cut to what is left of the window once the headline and the [CLS]/[SEP] markers are
counted (`budget`). BERT's tokenizer splits at whitespace first, so the wordpieces of sentences joined by
spaces or line breaks are the sum of each sentence's: sentences are counted once, apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

SPECIAL = 2  # [CLS] and [SEP]
MIN_BUDGET = 48  # a headline of 200 wordpieces still leaves passages worth embedding


class Wordpieces:
    """`count(texts)`: the wordpieces of each text; `budget(header)`: what a passage embedded after
    `header` may hold so that the model reads all of it."""

    def __init__(self, tokenizer, window: int):
        self._tokenizer = tokenizer
        self.window = window

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)  # no offsets: 2x
        return [len(e.ids) for e in encode(list(texts), add_special_tokens=False)]

    def budget(self, header: str) -> int:
        return max(MIN_BUDGET, self.window - SPECIAL - self.count([header])[0])


def for_model(model_dir: Path) -> Wordpieces | None:
    """The counter of a sentence-transformers folder with a `tokenizer.json`; None for a model whose
    tokenizer cannot be read this way (its chunks are then cut by words alone)."""
    try:
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    except Exception:  # noqa: BLE001 - any unreadable layout means: count words instead
        return None
    tokenizer.no_truncation()  # the packaged file truncates at 128: a count must see everything
    tokenizer.no_padding()
    return Wordpieces(tokenizer, int(config.get("max_seq_length") or 512))
