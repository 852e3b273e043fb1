"""Driving the chat window in a real browser (Playwright + Debian's chromium), as a user would.

    window = Window(page).open(url)
    window.ask("Which town ...?")
    expect(window.last_answer).to_contain_text("Boulikessi", timeout=ANSWER_MS)

A `Window` records every request the page makes and every dialog (alert, confirm) it opens, so a test
can say that nothing left this computer and no injected script ran.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOAD_MS = 30_000
ANSWER_MS = 90_000  # two shared cores, and the embedding model on them
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# Every text the last chat message shows, in order: to see an answer stream in.
RECORD_STREAM = """() => {
  window.__nrSeen = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll("[data-testid='bot']");
    const text = bots.length ? bots[bots.length - 1].innerText : "";
    if (window.__nrSeen[window.__nrSeen.length - 1] !== text) window.__nrSeen.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process, grace: float = 30) -> None:
    """Ask a server process to end; kill it if it has not within `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


class Window:
    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str) -> Window:
        from playwright.sync_api import expect

        self.page.goto(url, wait_until="domcontentloaded", timeout=LOAD_MS)
        expect(self.page.locator("#nr-status")).to_contain_text("Answers:", timeout=LOAD_MS)
        return self

    @property
    def question(self):
        return self.page.locator("#nr-question textarea")

    @property
    def last_answer(self):
        return self.page.locator("[data-testid='bot']").last

    @property
    def sources(self):
        return self.page.locator("#nr-sources")

    def ask(self, question: str) -> None:
        self.question.fill(question)
        self.question.press("Enter")

    def record_stream(self) -> None:
        self.page.evaluate(RECORD_STREAM)

    def streamed(self) -> list[str]:
        return self.page.evaluate("() => window.__nrSeen || []")

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]
