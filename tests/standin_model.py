"""The stand-in's scripted "model": it reads the prompt as text and quotes its sources, or misbehaves on request.

    for piece in stream(messages, mode="normal", words_per_chunk=3): ...   # text pieces, then one Done

See tests/ollama_standin.py for the server that speaks Ollama's HTTP API around it, and tests/real_model.py
for the real model it can serve instead. `Done` is what both engines end an answer with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rag.prompt import CLOSE, NO_ANSWER, REWRITE_INSTRUCTIONS, parse_sources

# What only a scripted model can do: a real one is not told what to get wrong.
CONTENT_MODES = ("bad_marker", "unsupported", "obey_injection")

UNSUPPORTED_SENTENCE = "The ceasefire was signed by both presidents in Geneva."

_STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have he her his how i in into is it
    its of on or said say says she that the their them they this to up was were what when where which who
    whom why will with would about after again also any can could more most other over some such than
    then there these those tell told what's""".split()
)
_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:of )?(?:the |your )?(?:previous|prior|above) instructions"
    r"(?: and)? say[:,]?\s*[\"']?(?P<say>[^\"'\n]+?)[\"']?\s*(?:[.!?](?:\s|$)|\n|$)",
    re.IGNORECASE,
)
_SYSTEM_LINE = re.compile(r"^\s*SYSTEM:\s*(?:say\s+)?(?P<say>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Done:
    """How an answer ended, in Ollama's terms: what the final NDJSON line reports."""

    done_reason: str  # "stop" (the model ended it) or "length" (num_predict or the context reached)
    prompt_eval_count: int  # tokens of the prompt the model read, after any cut
    eval_count: int  # tokens written, the end token included, as Ollama counts them
    prompt: str = ""  # the prompt text the model read (Ollama shows it only in its debug log)
    text: str = ""  # the whole answer; filled in by the server, which sees every piece


def stream(messages: list[dict], mode: str, words_per_chunk: int = 3) -> Iterator[str | Done]:
    """The scripted answer in pieces of `words_per_chunk` words, then its `Done`.

    It has no tokenizer: its counts are words (of all the messages, of the answer).
    """
    pieces = _pieces(reply(messages, mode), words_per_chunk)
    yield from pieces
    read = sum(len(str(m.get("content", "")).split()) for m in messages)
    yield Done("stop", read, len(pieces) + 1)


def reply(messages: list[dict], mode: str) -> str:
    """What the "model" says to these chat messages in the current mode."""
    system = messages[0].get("content", "") if messages and messages[0].get("role") == "system" else ""
    prompt = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    if system == REWRITE_INSTRUCTIONS:
        return _rewrite(prompt)
    sources = parse_sources(prompt)
    question = prompt.rpartition(CLOSE)[2].strip().removeprefix("Question:").strip()
    if mode == "obey_injection" and (obeyed := _obey(sources)):
        return obeyed
    picked = _best_sentences(question, sources)
    answer = " ".join(f"{sentence} [{n}]" for n, sentence in picked) or NO_ANSWER
    if mode == "bad_marker":
        answer += f" Officials gave no further details. [{max(9, len(sources) + 1)}]"
    elif mode == "unsupported":
        answer += f" {UNSUPPORTED_SENTENCE} [1]"
    return answer


def _words(text: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", text)}
    return {w.removesuffix("'s") for w in words if w not in _STOPWORDS and len(w) > 2}


def _sentences(passage: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", passage) if s.strip()]


def _best_sentences(question: str, sources: dict[int, str]) -> list[tuple[int, str]]:
    wanted = _words(question)
    scored = [
        (len(wanted & _words(sentence)), n, sentence)
        for n, passage in sources.items()
        for sentence in _sentences(passage)
    ]
    best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:2]
    return [(n, sentence) for _, n, sentence in best]


def _obey(sources: dict[int, str]) -> str:
    for n, passage in sources.items():
        found = _INJECTION.search(passage) or _SYSTEM_LINE.search(passage)
        if found:
            said = found.group("say").strip().rstrip(".!?")
            return f"{said[:1].upper()}{said[1:]}. [{n}]"
    return ""


def _rewrite(prompt: str) -> str:
    question = re.search(r"^Last question: (.*)$", prompt, re.MULTILINE)
    asked = re.findall(r"^User: (.*)$", prompt, re.MULTILINE)
    question_text = question.group(1).strip() if question else ""
    if not asked:
        return question_text
    known = _words(question_text)
    keys = [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z'-]*", asked[-1])
        if w.lower() in _words(w) and (w[0].isupper() or len(w) > 4)  # names and longer nouns
    ]
    keys = [w for w in dict.fromkeys(keys) if w.lower() not in known]
    return " ".join([question_text.rstrip("?"), *keys]).strip()


def _pieces(text: str, words_per_chunk: int) -> list[str]:
    words = re.findall(r"\s*\S+", text)
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)] or [""]
