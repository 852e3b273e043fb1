"""Answers from a local Ollama server, through the `ollama` client; every failure is a `BackendError`.

What the client (0.6.3, over httpx) raises, and what the user is told:

    server not listening         ConnectionError (one-shot calls) or httpx.ConnectError (streams)
                                 -> "Ollama is not reachable at HOST: start it with `ollama serve`, ..."
    model not pulled             ollama.ResponseError, status 404
                                 -> "Ollama at HOST has no model 'M': run `ollama pull M`"
    no byte for `timeout` s      httpx.ReadTimeout (httpx.ConnectTimeout while connecting)
                                 -> "Ollama stopped answering for more than N s ..."
    connection closed mid-answer httpx.RemoteProtocolError (FIN), httpx.ReadError (reset)
                                 -> "Ollama closed the connection before finishing the answer ..."
    a line that is not JSON      json.JSONDecodeError; JSON of the wrong shape: pydantic.ValidationError
                                 -> "Ollama sent a malformed response ..."
    an {"error": ...} line, 5xx  ollama.ResponseError -> "Ollama could not answer: ..."

A stream that ends without its final `done` line is treated as closed mid-answer. Text already yielded
stays yielded; the error is raised after it.

What is sent fits: the prompt is built from the request and fitted to the model's context (rag/fitting.py;
the context length asked once from `/api/show`, capped by `num_ctx`), and `options.num_ctx` and
`num_predict` hold the prompt plus the answer, so the server never cuts the prompt. num_ctx only grows
over a generator's life (each change makes Ollama reload the model). The user is told, by a
`Notice` among the pieces, what was left out to fit and when the answer was cut at its length limit.
A reasoning model's `<think>` block is taken out of the stream.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from rag.errors import BackendError
from rag.fitting import REPLY_TOKENS, fit, num_ctx_for
from rag.prompt import build_rewrite_messages
from rag.records import AnswerRequest, Notice
from rag.think import without_think
from rag.tokens import estimate_messages

__all__ = ["DEFAULT_CONTEXT", "OllamaGenerator", "cut_notice"]

OPTIONS = {"temperature": 0}  # the same question over the same sources gets the same answer
CONNECT_TIMEOUT = 10.0  # seconds; a local server accepts at once, a slow remote one still gets a chance
# The context assumed when /api/show does not tell the model's: Ollama's default on most machines, which
# every current model holds (older releases defaulted to 2048, but any model they ran took 4096 when asked).
DEFAULT_CONTEXT = 4096


class OllamaGenerator:
    """Streams chat answers from the Ollama server at `host` with `model`.

    `timeout` is the longest silence accepted from the server, in seconds: before the first token
    (loading the model counts) and between tokens. `num_ctx` caps the context asked for (0: the model's
    own context length); `reply_tokens` is the room kept in it for the answer.
    """

    def __init__(self, host: str, model: str, timeout: float = 60.0, num_ctx: int = 0,
                 reply_tokens: int = REPLY_TOKENS) -> None:
        self.host = host.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.num_ctx = num_ctx
        self.reply_tokens = reply_tokens
        self.name = f"ollama:{model}"
        self._model_context: int | None = None  # asked once: a model's context length does not change
        self._num_ctx = 0  # the largest num_ctx asked for so far

    def check(self) -> None:
        """Return when the server answers and has the model; raise `BackendError` saying what to do."""
        with self._client() as client, self._translated():
            listed = client.list()
        names = {_full_name(entry.model or "") for entry in listed.models}
        if _full_name(self.model) not in names:
            raise BackendError(self._missing_model())

    def stream(self, request: AnswerRequest) -> Iterator[str | Notice]:
        """Yield the answer to `request` piece by piece as the server sends it, without thinking.

        A `Notice` comes first when passages or earlier turns were left out to fit the context, and last
        when the answer was cut at its length limit.
        """
        fitted = fit(request, self.context_length(), self.reply_tokens)
        if fitted.notice:
            yield Notice(fitted.notice)
        num_ctx = self._sized(fitted.num_ctx)
        # num_predict bounds the answer to the room fitted for it: a small model that loops ("The answer
        # is:" a thousand times, seen with SmolLM2) stops there, with a notice, instead of filling the context.
        options = {**OPTIONS, "num_ctx": num_ctx,
                   "num_predict": min(self.reply_tokens, num_ctx - fitted.prompt_tokens)}
        ending: dict[str, str] = {}
        with self._client() as client, self._translated():
            parts = client.chat(self.model, fitted.messages, stream=True, options=options)
            yield from without_think(_contents(parts, ending))
        if "done_reason" not in ending:
            raise BackendError(self._dropped())
        notice = cut_notice(ending["done_reason"], options["num_predict"])
        if notice:
            yield notice

    def complete(self, messages: list[dict]) -> str:
        """The whole answer to the chat `messages`, in one piece, without thinking."""
        # Sized like an answer, not left to the server's default, which may differ: see _sized.
        tokens = estimate_messages(messages)
        num_ctx = self._sized(num_ctx_for(tokens + self.reply_tokens, self.context_length()))
        options = {**OPTIONS, "num_ctx": num_ctx, "num_predict": max(num_ctx - tokens, 1)}
        with self._client() as client, self._translated():
            response = client.chat(self.model, messages, stream=False, options=options)
        return "".join(without_think([response.message.content or ""]))

    def context_length(self) -> int:
        """The most tokens one request may take: the model's context length, capped by `num_ctx`.

        The model's is asked of `/api/show` once per generator; `DEFAULT_CONTEXT` when the server does
        not say.
        """
        if self._model_context is None:
            with self._client() as client, self._translated():
                shown = client.show(self.model)
            self._model_context = _context_length(shown.modelinfo or {}) or DEFAULT_CONTEXT
        return min(self._model_context, self.num_ctx) if self.num_ctx > 0 else self._model_context

    def _sized(self, num_ctx: int) -> int:
        """`num_ctx`, or the largest asked for before if that is more: Ollama reloads the model whenever
        num_ctx changes, so a follow-up's small rewrite between two large answers must not shrink it."""
        self._num_ctx = max(self._num_ctx, num_ctx)
        return self._num_ctx

    def rewrite_query(self, history: Sequence[tuple[str, str]], question: str) -> str:
        """`question` made standalone with the conversation `history`; unchanged when there is none."""
        if not history:
            return question
        reply = self.complete(build_rewrite_messages(history, question))
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        query = lines[0].strip().strip("\"'`").strip() if lines else ""
        if query.lower().startswith(("query:", "search query:", "standalone search query:")):
            query = query.split(":", 1)[1].strip().strip("\"'`")
        return query or question

    def _client(self):
        import httpx  # imported here: the client and its pydantic models take half a second to load
        import ollama

        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT))
        # httpx sends even loopback requests through an HTTP(S)_PROXY from the environment unless
        # NO_PROXY lists them; a local Ollama is never behind a proxy.
        # Over plain http there is no certificate to check, and loading the CA bundle for one anyway costs
        # ~25 ms a client: two clients a question, all of it before the first token.
        plain = not self.host.strip().lower().startswith("https://")
        return ollama.Client(host=self.host, timeout=timeout, trust_env=not _is_loopback(self.host),
                             **({"verify": False} if plain else {}))

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            error = self._error(exc)
            if error is exc:
                raise
            raise error from exc

    def _error(self, exc: Exception) -> Exception:
        """The `BackendError` for an exception the client raised; others (bugs) come back unchanged."""
        import httpx
        import ollama
        import pydantic

        dropped = (
            httpx.RemoteProtocolError,
            httpx.ReadError,
            httpx.WriteError,
            ConnectionResetError,
            BrokenPipeError,
        )
        if isinstance(exc, BackendError):
            return exc
        if isinstance(exc, dropped):  # before ConnectionError, their base class
            return BackendError(self._dropped())
        if isinstance(exc, (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout)):
            return BackendError(
                f"Ollama is not reachable at {self.host}: start it with `ollama serve`, "
                "or use the built-in extractive answers"
            )
        if isinstance(exc, httpx.TimeoutException):
            return BackendError(
                f"Ollama stopped answering for more than {self.timeout:g} s ({self.host}, model "
                f"'{self.model}'): the model may still be loading or too slow on this machine; "
                "raise NEWSRAG_TIMEOUT or use the built-in extractive answers"
            )
        if isinstance(exc, (json.JSONDecodeError, pydantic.ValidationError, httpx.DecodingError)):
            return BackendError(
                f"Ollama at {self.host} sent a malformed response: check that {self.host} is an Ollama "
                "server and that it is up to date"
            )
        if isinstance(exc, ollama.ResponseError):
            reason = str(exc.error).lower()
            if exc.status_code == 404 and "model" in reason and "not found" in reason:
                return BackendError(self._missing_model())
            return BackendError(f"Ollama at {self.host} could not answer: {exc.error}")
        if isinstance(exc, httpx.HTTPError):
            return BackendError(f"Ollama at {self.host} could not be used: {exc}")
        return exc

    def _missing_model(self) -> str:
        return f"Ollama at {self.host} has no model '{self.model}': run `ollama pull {self.model}`"

    def _dropped(self) -> str:
        return (
            f"Ollama at {self.host} closed the connection before finishing the answer: "
            "check the `ollama serve` log, then ask again"
        )


def cut_notice(done_reason: str, num_predict: int) -> Notice | None:
    """The notice for an answer that ended for `done_reason` ("stop", "length", ...): None unless cut."""
    if done_reason != "length":
        return None
    return Notice(f"the answer was cut off: it reached the {num_predict} tokens an answer may take")


def _contents(parts, ending: dict[str, str]) -> Iterator[str]:
    """The text of each streamed part; the final part's `done_reason` is kept in `ending`."""
    for part in parts:
        if part.done:
            ending["done_reason"] = part.done_reason or "stop"
        if part.message.content:
            yield part.message.content


def _context_length(model_info: dict) -> int:
    """`<arch>.context_length` of /api/show's model_info (0 when absent or not a number)."""
    value = model_info.get(f"{model_info.get('general.architecture', '')}.context_length")
    return value if isinstance(value, int) and value > 0 else 0


def _full_name(name: str) -> str:
    """`llama3.2` and `llama3.2:latest` are the same model to Ollama."""
    return name if ":" in name.rpartition("/")[2] else f"{name}:latest"


def _is_loopback(host: str) -> bool:
    hostname = urlsplit(host if "://" in host else f"http://{host}").hostname or "127.0.0.1"
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
