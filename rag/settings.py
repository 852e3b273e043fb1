"""All configuration, read in one place: defaults < TOML file < environment.

The TOML file is `$NEWSRAG_CONFIG`, else `$NEWSRAG_HOME/config.toml` when it exists. Its keys are the
field names below (`home`, `chroma_url`, `embed_model`, ...). Everything else in newsrag receives plain
values from a `Settings`, never reads the environment itself.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from rag.errors import InputError

PACKAGED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ENCODERS = ("auto", "torch", "onnx", "onnx-int8")
BACKENDS = ("auto", "ollama", "extractive")

# environment variable -> field
_ENV = {
    "NEWSRAG_HOME": "home",
    "NEWSRAG_CHROMA_URL": "chroma_url",
    "NEWSRAG_EMBED_MODEL": "embed_model",
    "NEWSRAG_EMBED_BATCH": "embed_batch",
    "NEWSRAG_ENCODER": "encoder",
    "NEWSRAG_MODEL_CACHE": "model_cache",
    "NEWSRAG_INGEST_BATCH": "ingest_batch",
    "NEWSRAG_CHUNK_WORDS": "chunk_words",
    "NEWSRAG_CHUNK_OVERLAP": "chunk_overlap",
    "NEWSRAG_CHUNK_FIT": "chunk_fit",
    "OLLAMA_HOST": "ollama_host",
    "NEWSRAG_MODEL": "model",
    "NEWSRAG_BACKEND": "backend",
    "NEWSRAG_TIMEOUT": "timeout",
    "NEWSRAG_NUM_CTX": "num_ctx",
}
MIN_NUM_CTX = 1024  # below it the instructions, one passage and the room for an answer do not fit


@dataclass(frozen=True)
class Settings:
    home: Path = Path("~/.local/share/newsrag").expanduser()
    chroma_url: str = ""
    embed_model: str = PACKAGED_MODEL
    embed_batch: int = 16  # measured fastest on 2 CPU cores (ENVIRONMENT.md)
    # auto: what built the archive (for a new one: onnx-int8 with the packaged model, else torch)
    # | torch | onnx | onnx-int8
    encoder: str = "auto"
    model_cache: Path = Path("~/.cache/newsrag/models").expanduser()  # ONNX exports, per machine
    ingest_batch: int = 256  # chunks embedded and committed together
    chunk_words: int = 200
    chunk_overlap: int = 1  # sentences carried over between consecutive chunks
    # also bound each chunk by the model's window in wordpieces (rag.wordpieces); off: measured worse on
    # realtimeqa-dev (MRR@10 0.778 against 0.796, README "Measuring quality")
    chunk_fit: bool = False
    ollama_host: str = "http://127.0.0.1:11434"
    model: str = "llama3.2"
    backend: str = "auto"  # auto | ollama | extractive
    timeout: float = 60.0  # seconds to wait on Ollama between tokens
    num_ctx: int = 0  # the most context tokens asked of Ollama per request; 0: the model's own length

    @classmethod
    def load(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict = {}
        home = env.get("NEWSRAG_HOME")
        config = env.get("NEWSRAG_CONFIG") or str(
            Path(home or cls.home).expanduser() / "config.toml"
        )
        if Path(config).is_file():
            values.update(_read_toml(Path(config)))
        for var, name in _ENV.items():
            if env.get(var):
                values[name] = env[var]
        return cls().with_values(values, origin="environment")

    def with_values(self, values: dict, origin: str = "settings") -> Settings:
        """A copy with `values` (strings or typed) converted to each field's type."""
        known = {f.name: f for f in fields(self)}
        typed = {}
        for name, value in values.items():
            if name not in known:
                raise InputError(f"{origin}: unknown setting {name!r}; known: {', '.join(known)}")
            default = getattr(self, name)
            try:
                if isinstance(default, Path):
                    typed[name] = Path(str(value)).expanduser()
                elif isinstance(default, bool):
                    typed[name] = str(value).lower() in ("1", "true", "yes")
                else:
                    typed[name] = type(default)(value)
            except (TypeError, ValueError):
                raise InputError(
                    f"{origin}: setting {name!r} must be a {type(default).__name__}, got {value!r}"
                ) from None
        result = replace(self, **typed)
        if result.backend not in BACKENDS:
            raise InputError(f"{origin}: backend must be auto, ollama or extractive, not {result.backend!r}")
        if result.encoder not in ENCODERS:
            raise InputError(f"{origin}: encoder must be one of {', '.join(ENCODERS)}, not {result.encoder!r}")
        if result.chunk_words < 20:
            raise InputError(f"{origin}: chunk_words must be at least 20")
        if result.num_ctx and result.num_ctx < MIN_NUM_CTX:
            raise InputError(f"{origin}: num_ctx must be 0 (the model's own context) or at least {MIN_NUM_CTX}")
        return result


def _read_toml(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the configuration file: {exc}") from None
    return data.get("newsrag", data)
