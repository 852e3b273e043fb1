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
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from rag.errors import BackendError
from rag.prompt import build_messages, build_rewrite_messages
from rag.records import AnswerRequest

__all__ = ["OllamaGenerator"]

OPTIONS = {"temperature": 0}  # the same question over the same sources gets the same answer
CONNECT_TIMEOUT = 10.0  # seconds; a local server accepts at once, a slow remote one still gets a chance


class OllamaGenerator:
    """Streams chat answers from the Ollama server at `host` with `model`.

    `timeout` is the longest silence accepted from the server, in seconds: before the first token
    (loading the model counts) and between tokens.
    """

    def __init__(self, host: str, model: str, timeout: float = 60.0) -> None:
        self.host = host.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.name = f"ollama:{model}"

    def check(self) -> None:
        """Return when the server answers and has the model; raise `BackendError` saying what to do."""
        with self._client() as client, self._translated():
            listed = client.list()
        names = {_full_name(entry.model or "") for entry in listed.models}
        if _full_name(self.model) not in names:
            raise BackendError(self._missing_model())

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """Yield the answer to `request` piece by piece, as the server sends it."""
        messages = build_messages(request.question, request.hits, request.history)
        finished = False
        with self._client() as client, self._translated():
            for part in client.chat(self.model, messages, stream=True, options=OPTIONS):
                if part.message.content:
                    yield part.message.content
                finished = finished or bool(part.done)
        if not finished:
            raise BackendError(self._dropped())

    def complete(self, messages: list[dict]) -> str:
        """The whole answer to the chat `messages`, in one piece."""
        with self._client() as client, self._translated():
            response = client.chat(self.model, messages, stream=False, options=OPTIONS)
        return response.message.content or ""

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
