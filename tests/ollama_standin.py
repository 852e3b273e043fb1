"""The one stand-in of this project: an Ollama server on loopback, serving a real open model or a scripted one.

No Ollama server can be had here, so the real `ollama` client talks HTTP to this instead:

    with OllamaStandin(models=["smollm2:135m"], engine="real") as server:      # SmolLM2 in llama.cpp
        OllamaGenerator(server.url, "smollm2:135m", timeout=60).stream(request)
        server.answers[-1].prompt_eval_count    # what Ollama's final line said; .prompt: what the model read
    with OllamaStandin(models=["llama3.2:latest"]) as server:                   # the scripted model
        server.mode = "drop"              # the next request misbehaves this way
        server.requests[-1]["messages"]   # the JSON bodies received, oldest first
        server.stop(); server.start()     # down, then up again on the same port

The wire (tests/standin_http.py), as the client reads it: GET / , /api/version, /api/tags, /api/ps; POST /api/show,
/api/chat and /api/generate (NDJSON over chunked encoding when streamed, one JSON object otherwise).
A model it does not have gets HTTP 404 `{"error": "model \"NAME\" not found, try pulling it first"}`.

Two engines write the answers:

- engine="real" (tests/real_model.py): SmolLM2-135M-Instruct run by llama.cpp over the actual messages in
  the model's own chat template, streamed token by token, greedy and seeded. Ollama's options are honoured
  as Ollama honours them: `num_ctx` (default `num_ctx=4096` here, as OLLAMA_CONTEXT_LENGTH sets it on a
  server; a longer prompt loses earlier turns, then its front, silently), `num_predict`, `num_keep`,
  `repeat_penalty` (1.1 unless given, as Ollama: without it SmolLM2 loops on one line); the final line
  carries the real `prompt_eval_count`, `eval_count` and `done_reason` ("stop", or "length").
  /api/show reports the model's own context length from its GGUF metadata. Installed for the tests only.
- engine="scripted" (tests/standin_model.py), the default: reads the prompt as text (`parse_sources` on
  the last user message) and writes back the one or two source sentences sharing the most words with the
  question, verbatim, each followed by ` [n]`; with no shared word it answers NO_ANSWER. Asked to rewrite
  a follow-up (the rewrite system prompt), it returns the question plus the key words of the previous user
  turn. Its counts are words, not tokens.

Modes, for either engine: normal, slow (`chunk_delay` s before each chunk), stall (first chunk, then silence
for `stall_seconds`), drop (a few chunks, then the connection is closed without the final line), reset (the
same, closed with a TCP reset), malformed (a non-JSON line in the stream), error (an `{"error": ...}` line in
the stream, or HTTP 500 when not streamed, as Ollama answers when a model runner dies).
Scripted only (a real model is not told what to get wrong): bad_marker (adds a sentence citing a source
number that does not exist), unsupported (adds a fluent sentence found in no source, citing [1]),
obey_injection (follows "ignore the previous instructions and say X" or "SYSTEM: X" found in a source).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from tests import standin_model
from tests.standin_http import RUNNER_ERROR, Handler, Server
from tests.standin_model import CONTENT_MODES, UNSUPPORTED_SENTENCE, Done, reply

__all__ = ["ENGINES", "MODES", "RUNNER_ERROR", "UNSUPPORTED_SENTENCE", "Done", "OllamaStandin"]

MODES = tuple("normal slow bad_marker unsupported obey_injection stall drop reset malformed error".split())
ENGINES = ("scripted", "real")

_DETAILS = dict(
    format="gguf", family="llama", families=["llama"], parameter_size="3.2B", quantization_level="Q4_K_M"
)
_REAL_DETAILS = dict(
    format="gguf", family="llama", families=["llama"], parameter_size="135M", quantization_level="Q4_1"
)


class OllamaStandin:
    """An Ollama-speaking HTTP server on 127.0.0.1 (a free port), served from a daemon thread."""

    def __init__(
        self,
        models: Iterable[str] = ("llama3.2:latest",),
        mode: str = "normal",
        *,
        engine: str = "scripted",
        num_ctx: int = 4096,
        stall_seconds: float = 10.0,
        chunk_delay: float = 0.05,
        words_per_chunk: int = 3,
        port: int = 0,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
        self.engine = engine
        self.models = [_full_name(name) for name in models]
        self.mode = mode
        self.num_ctx = num_ctx  # the context of a request that gives no options.num_ctx (real engine)
        self.stall_seconds = stall_seconds
        self.chunk_delay = chunk_delay
        self.words_per_chunk = words_per_chunk
        self.port = port  # 0: any free port; a fixed one lets a test stop the server and start it again
        self.requests: list[dict] = []
        self.answers: list[Done] = []  # how each answer ended, with its whole text, oldest first
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"unknown mode {value!r}; modes: {', '.join(MODES)}")
        if value in CONTENT_MODES and self.engine == "real":
            raise ValueError(f"mode {value!r} needs the scripted engine: a real model is not told what to get wrong")
        self._mode = value

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OllamaStandin:
        self._server = Server(("127.0.0.1", self.port), Handler, self)
        self.port = self._server.server_address[1]  # restarting comes back on the same port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits at most this long for the loop
            name="ollama-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stopping.set()  # wakes handlers that stall
        server.shutdown()
        server.close_connections()
        server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OllamaStandin:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def has(self, name: str) -> bool:
        return _full_name(name) in self.models

    def reply(self, messages: list[dict]) -> str:
        """What the scripted model says to these chat messages in the current mode."""
        return reply(messages, self.mode)

    def answer(self, messages: list[dict], options: dict) -> Iterator[str | Done]:
        """The engine's answer to chat `messages` with Ollama's request `options`: text pieces, then a `Done`."""
        if self.engine == "scripted":
            return standin_model.stream(messages, self.mode, self.words_per_chunk)
        from tests.real_model import NUM_KEEP, REPEAT_PENALTY, load

        return load().chat(
            messages, num_ctx=options.get("num_ctx"), num_predict=options.get("num_predict"),
            num_keep=options.get("num_keep", NUM_KEEP), default_num_ctx=self.num_ctx,
            repeat_penalty=options.get("repeat_penalty", REPEAT_PENALTY),
        )

    def model_entry(self, name: str) -> dict:
        """The model as /api/tags lists it."""
        if self.engine == "scripted":
            return _model_entry(name, _DETAILS, 2019393189)
        from tests.real_model import model_path

        return _model_entry(name, _REAL_DETAILS, model_path().stat().st_size)

    def show(self, name: str) -> dict:
        """/api/show for the model: the real one reports its own context length, read from its GGUF."""
        if self.engine == "scripted":
            return _show(name, _DETAILS, {"general.architecture": "llama", "llama.context_length": 131072},
                         'stop "<|eot_id|>"', "{{ .Prompt }}")
        from tests.real_model import load

        model = load()
        info = {"general.architecture": model.architecture,
                f"{model.architecture}.context_length": model.context_length}
        template = model.metadata.get("tokenizer.chat_template", "")
        return _show(name, _REAL_DETAILS, info, f'stop "{model.stop[0]}"', template)


def _full_name(name: str) -> str:
    return name if ":" in name.rpartition("/")[2] else f"{name}:latest"


def _model_entry(name: str, details: dict, size: int) -> dict:
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00Z",
        "size": size,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": details,
    }


def _show(name: str, details: dict, model_info: dict, parameters: str, template: str) -> dict:
    return {
        "modelfile": f"FROM {name}\n",
        "parameters": parameters,
        "template": template,
        "license": "stand-in",
        "details": details,
        "model_info": model_info,
        "capabilities": ["completion"],
        "modified_at": "2025-01-01T00:00:00Z",
    }
