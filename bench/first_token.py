"""Time to first token in the chat window, against the retrieval it waits on, in the same run.

    .venv/bin/python bench/first_token.py [--home PATH] [--articles PATH] [--questions 12]

A real `newsrag serve` answers through Ollama, played by the loopback stand-in of the test suite
(tests/ollama_standin.py), which answers at once: what is left is newsrag's own path. In a real
browser (Debian's chromium through Playwright) each question is typed into a fresh conversation; the
page itself records when Enter went down and when the first answer text (not the "…" placeholder)
was on screen. The baseline is the retrieval time the server reports for the same question
(`/ask`'s `timings.retrieval_ms`, warm), so the overhead is what the window adds over retrieval:
building the prompt, the model round trip, Gradio's queue and the browser's rendering.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.load import build_archive, client, questions, serve  # noqa: E402
from bench.report import table, write_section  # noqa: E402
from tests.ui_helpers import CHROMIUM, CHROMIUM_ARGS, stop  # noqa: E402

ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
WATCH = """() => {
  window.__nr = {t0: null, first: null};
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { window.__nr.t0 = performance.now(); window.__nr.first = null; }
  }, true);
  new MutationObserver(() => {
    const nr = window.__nr;
    if (nr.t0 === null || nr.first !== null) return;
    const bots = document.querySelectorAll("[data-testid='bot']");
    const text = bots.length ? bots[bots.length - 1].innerText.trim() : "";
    if (text && text !== "…") { nr.first = performance.now(); nr.text = text; }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def first_tokens(url: str, asked: list[str]) -> list[float]:
    """Milliseconds from Enter to the first answer text on screen, per question."""
    from playwright.sync_api import sync_playwright

    seen = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        browser = p.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM),
                                                       headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        page.locator("#nr-status").filter(has_text="Answers:").wait_for(timeout=60_000)
        page.evaluate(WATCH)
        box = page.locator("#nr-question textarea")
        for question in asked:
            page.locator("#nr-new").click()
            page.wait_for_function("() => document.querySelectorAll(\"[data-testid='bot']\").length === 0",
                                   timeout=30_000)
            box.fill(question)
            box.press("Enter")
            page.wait_for_function("() => window.__nr.first !== null", timeout=120_000)
            first_ms, first_text = page.evaluate("() => [window.__nr.first - window.__nr.t0, window.__nr.text]")
            final = _settled(page)
            # the first text seen must be the start of this question's answer, not a late update of the last
            seen.append(first_ms if final.startswith(first_text[:20]) else None)
        browser.close()
    return seen


def _settled(page, quiet_s: float = 1.0, limit_s: float = 120.0) -> str:
    """The last answer's text once it has stopped changing for `quiet_s`."""
    text, since, deadline = None, time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        now = page.locator("[data-testid='bot']").last.inner_text().strip()
        if now != text:
            text, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
        time.sleep(0.1)
    return text or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an archive already built (default: Wikinews, built here)")
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--questions", type=int, default=12)
    args = parser.parse_args(argv)
    if not args.articles.is_file():
        print(f"skipped: {args.articles} is absent (the shared data lives beside the project)")
        return 0
    from tests.ollama_standin import OllamaStandin

    asked = questions(args.articles, args.questions)
    with tempfile.TemporaryDirectory() as scratch, OllamaStandin() as ollama:
        home = args.home or Path(scratch) / "home"
        env = {**os.environ, "NEWSRAG_HOME": str(home), "OLLAMA_HOST": ollama.url, "NEWSRAG_BACKEND": "ollama",
               "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
        if not args.home:
            build_archive(args.articles, env)
        with open(Path(scratch) / "serve.log", "w") as log:
            server, url = serve(env, log)
            try:
                api = client(url)
                retrieval = []
                for question in asked[:2] + asked:  # the first two warm the server
                    retrieval.append(api.predict(question, api_name="/ask")["timings"]["retrieval_ms"])
                api.close()
                retrieval = retrieval[2:]
                shown = first_tokens(url, asked)
            finally:
                stop(server)
    kept = [(s, r) for s, r in zip(shown, retrieval, strict=True) if s is not None]
    shown, retrieval = [s for s, _ in kept], [r for _, r in kept]
    overhead = [s - r for s, r in kept]
    rows = [(name, f"{np.percentile(v, 50):.0f}", f"{np.percentile(v, 95):.0f}")
            for name, v in (("retrieval, as the server reports it (baseline)", retrieval),
                            ("Enter to first answer text on screen", shown),
                            ("overhead over retrieval", overhead))]
    dropped = len(asked) - len(kept)
    left_out = f" ({dropped} left out: their first text on screen was not their own answer's start)" if dropped else ""
    body = (f"{len(kept)} Wikinews headlines as questions{left_out}, each in a new conversation; Ollama "
            "stand-in answering at once; a real chromium.\n\n" + table(("measure", "p50 ms", "p95 ms"), rows))
    write_section("Time to first token", body)
    print(body)
    print(json.dumps({"retrieval_ms": retrieval, "first_token_ms": shown}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
