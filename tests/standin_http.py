"""The wire of the Ollama stand-in: the HTTP server, and the handler that speaks Ollama's API as NDJSON.

tests/ollama_standin.py is the part tests use (engines, modes, start and stop); this file only turns what
its engine writes into the bytes Ollama would send, and misbehaves on the wire when the mode says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from tests.standin_model import Done

if TYPE_CHECKING:
    from tests.ollama_standin import OllamaStandin

__all__ = ["RUNNER_ERROR", "VERSION", "Handler", "Server"]

RUNNER_ERROR = "an error was encountered while running the model"
VERSION = "0.12.6"


class Server(ThreadingHTTPServer):
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


class Handler(BaseHTTPRequestHandler):
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
            self._send_json(200, {"models": [self.standin.model_entry(name) for name in self.standin.models]})
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
            return self._send_json(200, self.standin.show(name))
        if self.path == "/api/chat":
            messages, field = body.get("messages") or [], "message"
        else:
            messages = [{"role": "user", "content": body.get("prompt") or ""}]
            if body.get("system") or self.standin.engine == "scripted":  # the scripted model reads messages[0]
                messages.insert(0, {"role": "system", "content": body.get("system") or ""})
            field = "response"
        request = (name, field, messages, body.get("options") or {})
        if body.get("stream", True):
            self._stream(*request)
        else:
            self._answer_whole(*request)

    def _stream(self, name: str, field: str, messages: list[dict], options: dict) -> None:
        standin, started, mode = self.standin, time.monotonic_ns(), self.standin.mode
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        answer = standin.answer(messages, options)
        written, first_ns = [], None
        try:
            for i, (piece, last) in enumerate(_with_last(answer)):  # last: the final text piece
                if isinstance(piece, Done):
                    standin.answers.append(dataclasses.replace(piece, text="".join(written)))
                    self._send_chunk(_line(_final(name, field, "", piece, started, first_ns)))
                    break
                first_ns = first_ns or time.monotonic_ns()
                if mode == "slow":
                    time.sleep(standin.chunk_delay)
                if mode in ("drop", "reset") and (i == 3 or (last and i < 3)):
                    return self._hang_up(reset=mode == "reset")
                if mode == "malformed" and (i == 2 or (last and i < 2)):
                    self._send_chunk(b'{"model": "' + name.encode() + b'", "message": {"content": \n')
                if mode == "error" and (i == 2 or (last and i < 2)):
                    self._send_chunk(_line({"error": RUNNER_ERROR}))
                    break
                written.append(piece)
                self._send_chunk(_line(_part(name, field, piece)))
                if mode == "stall" and i == 0:
                    self.server.stopping.wait(standin.stall_seconds)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client went away (a timeout on its side): nothing more to say
            self.close_connection = True
        finally:
            answer.close()  # a real model's lock is let go however the answer ended

    def _answer_whole(self, name: str, field: str, messages: list[dict], options: dict) -> None:
        standin, started, mode = self.standin, time.monotonic_ns(), self.standin.mode
        if mode == "stall":
            self.server.stopping.wait(standin.stall_seconds)
        if mode == "error":
            return self._send_json(500, {"error": RUNNER_ERROR})
        pieces = list(standin.answer(messages, options))
        done = dataclasses.replace(pieces[-1], text="".join(pieces[:-1]))
        standin.answers.append(done)
        data = _line(_final(name, field, done.text, done, started, None))
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _line(payload: dict) -> bytes:
    return json.dumps(payload).encode() + b"\n"


def _part(name: str, field: str, piece: str) -> dict:
    content = {"role": "assistant", "content": piece} if field == "message" else piece
    return {"model": name, "created_at": _now(), field: content, "done": False}


def _final(name: str, field: str, text: str, done: Done, started_ns: int, first_ns: int | None) -> dict:
    """The last line of an answer. Durations are measured: the prompt up to the first piece, the rest writing."""
    now = time.monotonic_ns()
    total = max(now - started_ns, 1)
    prompt_ns = (first_ns or now) - started_ns
    return {
        **_part(name, field, text),
        "done": True,
        "done_reason": done.done_reason,
        "total_duration": total,
        "load_duration": 0,
        "prompt_eval_count": done.prompt_eval_count,
        "prompt_eval_duration": prompt_ns,
        "eval_count": done.eval_count,
        "eval_duration": total - prompt_ns,
    }


def _with_last(items: Iterable) -> Iterator[tuple[object, bool]]:
    """Each item with whether it is the last text piece: the next one is the `Done`, or there is none."""
    items = iter(items)
    current = next(items, None)
    while current is not None:
        following = next(items, None)
        yield current, following is None or isinstance(following, Done)
        current = following
