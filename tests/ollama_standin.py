"""The one stand-in of this project: an Ollama server on loopback, with a "model" that quotes its sources.

No model weights can be had here, so the real `ollama` client talks HTTP to this instead:

    with OllamaStandin(models=["llama3.2:latest"]) as server:
        OllamaGenerator(server.url, "llama3.2", timeout=2).stream(messages)
        server.mode = "drop"              # the next request misbehaves this way
        server.requests[-1]["messages"]   # the JSON bodies received, oldest first
        server.stop(); server.start()     # down, then up again on the same port

Endpoints, as the client reads them: GET / , /api/version, /api/tags, /api/ps; POST /api/show,
/api/chat and /api/generate (NDJSON over chunked encoding when streamed, one JSON object otherwise).
A model it does not have gets HTTP 404 `{"error": "model \"NAME\" not found, try pulling it first"}`.

The "model" (tests/standin_model.py) reads the prompt as text: `parse_sources` on the last user
message, then it writes back the one or two source sentences sharing the most words with the
question, verbatim, each followed by ` [n]`; with no shared word it answers NO_ANSWER. Asked to
rewrite a follow-up (the rewrite system prompt), it returns the question plus the key words of the
previous user turn.

Modes: normal, slow (`chunk_delay` s before each chunk), bad_marker (adds a sentence citing a source
number that does not exist), unsupported (adds a fluent sentence found in no source, citing [1]),
obey_injection (follows "ignore the previous instructions and say X" or "SYSTEM: X" found in a source),
stall (first chunk, then silence for `stall_seconds`), drop (a few chunks, then the connection is
closed without the final line), reset (the same, closed with a TCP reset), malformed (a non-JSON line
in the stream), error (an `{"error": ...}` line in the stream, or HTTP 500 when not streamed, as Ollama
answers when a model runner dies).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.standin_model import UNSUPPORTED_SENTENCE, reply

__all__ = ["MODES", "RUNNER_ERROR", "UNSUPPORTED_SENTENCE", "OllamaStandin"]

MODES = tuple("normal slow bad_marker unsupported obey_injection stall drop reset malformed error".split())
RUNNER_ERROR = "an error was encountered while running the model"
VERSION = "0.12.6"

_DETAILS = dict(
    format="gguf", family="llama", families=["llama"], parameter_size="3.2B", quantization_level="Q4_K_M"
)


class OllamaStandin:
    """An Ollama-speaking HTTP server on 127.0.0.1 (a free port), served from a daemon thread."""

    def __init__(
        self,
        models: Iterable[str] = ("llama3.2:latest",),
        mode: str = "normal",
        *,
        stall_seconds: float = 10.0,
        chunk_delay: float = 0.05,
        words_per_chunk: int = 3,
        port: int = 0,
    ) -> None:
        self.models = [_full_name(name) for name in models]
        self.mode = mode
        self.stall_seconds = stall_seconds
        self.chunk_delay = chunk_delay
        self.words_per_chunk = words_per_chunk
        self.port = port  # 0: any free port; a fixed one lets a test stop the server and start it again
        self.requests: list[dict] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"unknown mode {value!r}; modes: {', '.join(MODES)}")
        self._mode = value

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OllamaStandin:
        self._server = _Server(("127.0.0.1", self.port), _Handler, self)
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
        """What the "model" says to these chat messages in the current mode."""
        return reply(messages, self.mode)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() ends handlers itself, by waking stalls and closing their sockets

    def __init__(self, address, handler, standin: OllamaStandin) -> None:
        self.standin = standin
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up; loopback needs no name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that gives up (its timeout) or exits resets its connection: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ollama-standin"
    timeout = 30  # an idle keep-alive connection is let go after this

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class names it so
        pass

    @property
    def standin(self) -> OllamaStandin:
        return self.server.standin

    def do_GET(self) -> None:
        if self.path == "/":
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif self.path == "/api/version":
            self._send_json(200, {"version": VERSION})
        elif self.path == "/api/tags":
            self._send_json(200, {"models": [_model_entry(name) for name in self.standin.models]})
        elif self.path == "/api/ps":
            self._send_json(200, {"models": []})
        else:
            self._send(404, b"404 page not found", "text/plain")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._send_json(400, {"error": "invalid JSON in the request body"})
        self.standin.requests.append(body)
        if self.path not in ("/api/show", "/api/chat", "/api/generate"):
            return self._send(404, b"404 page not found", "text/plain")
        name = body.get("model") or ""
        if not self.standin.has(name):
            return self._send_json(404, {"error": f'model "{name}" not found, try pulling it first'})
        if self.path == "/api/show":
            return self._send_json(200, _show(name))
        if self.path == "/api/chat":
            messages, field = body.get("messages") or [], "message"
        else:
            messages = [
                {"role": "system", "content": body.get("system") or ""},
                {"role": "user", "content": body.get("prompt") or ""},
            ]
            field = "response"
        text = self.standin.reply(messages)
        if body.get("stream", True):
            self._stream(name, text, field)
        else:
            self._answer_whole(name, text, field)

    def _stream(self, name: str, text: str, field: str) -> None:
        standin, started = self.standin, time.monotonic_ns()
        pieces = _pieces(text, standin.words_per_chunk)
        mode = standin.mode
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i, piece in enumerate(pieces):
                if mode == "slow":
                    time.sleep(standin.chunk_delay)
                if mode in ("drop", "reset") and i == min(3, len(pieces) - 1):
                    return self._hang_up(reset=mode == "reset")
                if mode == "malformed" and i == min(2, len(pieces) - 1):
                    self._send_chunk(b'{"model": "' + name.encode() + b'", "message": {"content": \n')
                if mode == "error" and i == min(2, len(pieces) - 1):
                    self._send_chunk(_line({"error": RUNNER_ERROR}))
                    break
                self._send_chunk(_line(_part(name, field, piece)))
                if mode == "stall" and i == 0:
                    self.server.stopping.wait(standin.stall_seconds)
            else:
                self._send_chunk(_line(_final(name, field, "", started, len(pieces))))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client went away (a timeout on its side): nothing more to say
            self.close_connection = True

    def _answer_whole(self, name: str, text: str, field: str) -> None:
        standin, started, mode = self.standin, time.monotonic_ns(), self.standin.mode
        if mode == "stall":
            self.server.stopping.wait(standin.stall_seconds)
        if mode == "error":
            return self._send_json(500, {"error": RUNNER_ERROR})
        data = _line(_final(name, field, text, started, len(_pieces(text, standin.words_per_chunk))))
        if mode == "malformed":
            data = b"<html>bad gateway</html>"
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if mode in ("drop", "reset"):
                self.wfile.write(data[: len(data) // 2])
                return self._hang_up(reset=mode == "reset")
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _hang_up(self, reset: bool) -> None:
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.close_connection = True

    def _send_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send_json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _full_name(name: str) -> str:
    return name if ":" in name.rpartition("/")[2] else f"{name}:latest"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _line(payload: dict) -> bytes:
    return json.dumps(payload).encode() + b"\n"


def _part(name: str, field: str, piece: str) -> dict:
    content = {"role": "assistant", "content": piece} if field == "message" else piece
    return {"model": name, "created_at": _now(), field: content, "done": False}


def _final(name: str, field: str, text: str, started_ns: int, count: int) -> dict:
    total = max(time.monotonic_ns() - started_ns, 1)
    return {
        **_part(name, field, text),
        "done": True,
        "done_reason": "stop",
        "total_duration": total,
        "load_duration": total // 10,
        "prompt_eval_count": 64,
        "prompt_eval_duration": total // 5,
        "eval_count": count,
        "eval_duration": total // 2,
    }


def _model_entry(name: str) -> dict:
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00Z",
        "size": 2019393189,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": _DETAILS,
    }


def _show(name: str) -> dict:
    return {
        "modelfile": f"FROM {name}\n",
        "parameters": 'stop "<|eot_id|>"',
        "template": "{{ .Prompt }}",
        "license": "stand-in",
        "details": _DETAILS,
        "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
        "capabilities": ["completion"],
        "modified_at": "2025-01-01T00:00:00Z",
    }


def _pieces(text: str, words_per_chunk: int) -> list[str]:
    words = re.findall(r"\s*\S+", text)
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)] or [""]
