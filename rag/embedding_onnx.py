"""The packaged sentence-transformers model run by ONNX Runtime: quicker to start, quicker to run.

The first use exports the model's transformer with `torch.onnx.export` (optionally quantised to int8
with onnxruntime's dynamic quantisation) and caches the file under `cache_dir`, named after a
fingerprint of the source weights, so a changed model is exported again. Every later process loads
that file with onnxruntime and `tokenizers` alone: neither torch nor sentence-transformers is imported.
Pooling (mean over the attention mask) and normalisation are done here, as sentence-transformers does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.embedding import model_location
from rag.errors import StoreError
from rag.settings import PACKAGED_MODEL

__all__ = ["OnnxEmbedder", "export_model"]

OPSET = 17
# Part of the fingerprint: bump it when the export or the quantisation recipe changes.
RECIPE = "2"  # 2: unsigned int8 weights (no CPU saturates their products)
_SUPPORTED_MODULES = ("Transformer", "Pooling", "Normalize")


class OnnxEmbedder:
    """`embed(texts)` like `SentenceTransformerEmbedder`, through an ONNX export cached in `cache_dir`.

    `quantized=True` runs weights quantised to int8 (measured 1.8x the torch model's speed here, cosine
    0.99 to its vectors); `quantized=False` gives the torch model's vectors to 1e-6, 1.3x as fast. The
    `name` is `"<model>#onnx-int8"` or `"<model>#onnx"`, so an archive never mixes these vectors with
    the torch model's. Safe to share between threads.
    """

    def __init__(
        self,
        name: str = PACKAGED_MODEL,
        batch_size: int = 16,
        quantized: bool = True,
        *,
        cache_dir: Path,
    ):
        self.model_name = name
        self.name = f"{name}#onnx-int8" if quantized else f"{name}#onnx"
        self.batch_size = batch_size
        self.quantized = quantized
        self.cache_dir = Path(cache_dir)
        self._session = None
        self._tokenizer = None
        self._inputs: tuple[str, ...] = ()
        self._do_lower_case = False
        self._lock = threading.Lock()

    @property
    def model_dir(self) -> Path:
        return Path(model_location(self.model_name))

    @property
    def cached_file(self) -> Path:
        """The ONNX file for this model, variant and source fingerprint (it may not exist yet)."""
        variant = "int8" if self.quantized else "fp32"
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.model_name).strip("_")
        return self.cache_dir / f"{slug}-{fingerprint(self.model_dir)}-{variant}.onnx"

    def warm(self) -> None:
        """Export (first time only) and load the model now, then run it once to settle its buffers."""
        self._load()
        self.embed(["warm up"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text, in the order given)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch([self._lower(t) for t in texts])
        # shortest first, so each batch pads to about its own length; the rows go back in place below
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            pooled = self._run(session, [encodings[i] for i in rows])
            if vectors.shape[1] == 0:
                vectors = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[rows] = pooled
        return vectors

    def _run(self, session, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        arrays = {
            name: np.zeros((len(encodings), width), dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            arrays["input_ids"][row, :n] = encoding.ids
            arrays["attention_mask"][row, :n] = 1
            arrays["token_type_ids"][row, :n] = encoding.type_ids
        hidden = session.run(None, {name: arrays[name] for name in self._inputs})[0]
        mask = arrays["attention_mask"][:, :, None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _lower(self, text: str) -> str:
        return text.lower() if self._do_lower_case else text

    def _load(self):
        if self._session is None:
            with self._lock:  # one export, even when the first questions arrive together
                if self._session is None:
                    self._open()
        return self._session, self._tokenizer

    def _open(self) -> None:
        layout = read_layout(self.model_dir)
        self._do_lower_case = layout["do_lower_case"]
        self._tokenizer = _tokenizer(self.model_dir, layout["max_seq_length"])
        path = self.cached_file
        session = None
        if path.is_file():
            try:
                session = _session(path)
            except Exception:  # a damaged cache is rebuilt, not reported
                path.unlink(missing_ok=True)
        if session is None:
            export_model(self.model_dir, path, quantized=self.quantized)
            try:
                session = _session(path)
            except Exception as exc:
                raise StoreError(
                    f"cannot load the ONNX model {path} just exported from {self.model_dir}: {exc}; "
                    "delete it and try again, or set NEWSRAG_ENCODER=torch"
                ) from None
        self._inputs = tuple(i.name for i in session.get_inputs())
        self._session = session  # last: other threads take a set session to mean ready


def read_layout(model_dir: Path) -> dict:
    """`max_seq_length` and `do_lower_case` of a sentence-transformers folder whose modules this
    embedder reproduces (transformer, mean pooling, normalise); any other layout is refused."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        pooling_config = json.loads((model_dir / pooling["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise StoreError(
            f"{model_dir} is not a sentence-transformers model folder the ONNX encoder can read ({exc}): "
            "set NEWSRAG_ENCODER=torch"
        ) from None
    modes = [k for k, v in pooling_config.items() if k.startswith("pooling_mode") and v]
    if any(k not in _SUPPORTED_MODULES for k in kinds) or modes != ["pooling_mode_mean_tokens"]:
        raise StoreError(
            f"the ONNX encoder only runs transformer + mean pooling models; {model_dir} has "
            f"{kinds} with {modes}: set NEWSRAG_ENCODER=torch"
        )
    return {
        "max_seq_length": int(config.get("max_seq_length") or 512),
        "do_lower_case": bool(config.get("do_lower_case", False)),
    }


def fingerprint(model_dir: Path) -> str:
    """12 hex digits that change when the model's config or weights change (by size and mtime, so
    computing it costs a few `stat` calls, not a read of the weights)."""
    digest = hashlib.sha256(RECIPE.encode())
    for name in ("config.json", "sentence_bert_config.json", "model.safetensors", "pytorch_model.bin"):
        path = model_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def export_model(model_dir: Path, target: Path, quantized: bool = True) -> Path:
    """Write the transformer of the sentence-transformers model in `model_dir` to `target` as ONNX
    (int8 weights when `quantized`). Needs torch, transformers and the `onnx` package; the file
    appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        plain = scratch / "model.onnx"
        _export_fp32(model_dir, plain)
        if quantized:
            _quantize(plain, scratch / "int8.onnx")
            plain = scratch / "int8.onnx"
        os.replace(plain, target)
    except StoreError:
        raise
    except Exception as exc:  # torch and onnx raise many kinds; the user needs one message
        hint = "pip install onnx" if isinstance(exc, ImportError) or "onnx" in str(exc).lower() else ""
        raise StoreError(
            f"cannot export the embedding model {model_dir} to ONNX ({type(exc).__name__}: {exc}): "
            + (f"{hint}, or " if hint else "")
            + "set NEWSRAG_ENCODER=torch"
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _export_fp32(model_dir: Path, target: Path) -> None:
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    takes_types = getattr(model.config, "type_vocab_size", 0) > 0

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            return self.model(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    # a padded row, so the traced graph keeps the attention mask instead of dropping it as all-ones
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0]])
    mask = (ids != 0).long()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
    args = (ids, mask, torch.zeros_like(ids)) if takes_types else (ids, mask)
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    # the tracer warns about Python-side shape checks that hold for any batch and length: not news to users
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(),
            args,
            str(target),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(source: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic logs a generic tip (pre-process the model first) on the root logger: keep it quiet
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        # per-channel scales: cosine to fp32 0.99 (per-tensor: 0.95); the embedding table stays fp32
        # (quantising it too saves 35 MB on disk and no time, and costs a little accuracy).
        # Unsigned weights: with signed ones (u8 x s8), x86 CPUs without VNNI sum the products in 16 bits
        # that saturate (onnxruntime's own caveat), so the vectors - and which sentences the checker calls
        # supported - differed by CPU: an AMD EPYC (AVX2) let 9 of the grounding set's 76 unsupported
        # model sentences through where an Intel AVX-512 machine let 7. u8 x u8 is summed exactly on every
        # x86 CPU; measured here (AVX2): cosine to fp32 0.9947 mean / 0.9898 at the 1st percentile over
        # 2,500 dev passages (s8: 0.9929 / 0.9858; s8 with 7-bit weights, `reduce_range`: 0.9930 / 0.9868),
        # top-10 neighbours of the 137 dev questions shared with fp32 0.926 (0.924), speed within noise.
        quantize_dynamic(source, target, weight_type=QuantType.QUInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    finally:
        root.setLevel(level)


def _session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # By default the pool's threads spin after each run, waiting for the next: on 2 cores they took the
    # second core from everything a search does after embedding its question (hybrid retrieval 60-67 ms
    # with spinning, 32-41 ms without, realtimeqa-dev's 137 questions; embedding alone, and batches at
    # ingest, within noise of each other).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _tokenizer(model_dir: Path, max_length: int):
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    except Exception as exc:
        raise StoreError(
            f"cannot read {model_dir / 'tokenizer.json'} for the ONNX encoder ({exc}): set NEWSRAG_ENCODER=torch"
        ) from None
    # the file ships with truncation at 128 and fixed padding to 128: use the model's length and pad per batch
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()
    return tokenizer
