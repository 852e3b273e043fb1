"""Fitting a request into the model's context, so that the server never has to cut the prompt itself.

    fit(request, context, reply_tokens)  ->  Fitted(messages, num_ctx, prompt_tokens, ..., notice)

Ollama cuts a prompt longer than its context silently (earlier turns first, then the front of what is
left: the instructions), so newsrag decides what goes instead and says so. What is left out, in order:

    1. earlier turns but the last, oldest first: the search already used them (a follow-up was rewritten
       into a standalone query) and the answer must rest on the sources, not on the conversation;
    2. passages, lowest-ranked first, down to one: the kept ones are `hits[:m]` and keep numbers 1..m;
    3. the last earlier turn, which a follow-up's "they" or "that deal" points at;
    4. the end of the one passage left, cut at a word, when even that does not fit.

`num_ctx` holds the prompt plus `reply_tokens`, rounded up to a power of two of at least `FLOOR` tokens and
never above `context`: Ollama reloads a model whenever num_ctx changes, so a few sizes that most questions
share (Ollama's own default among them) cost fewer reloads than an exact size per question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from rag.errors import InputError
from rag.prompt import build_messages
from rag.records import AnswerRequest, Hit
from rag.tokens import estimate_messages

__all__ = ["FLOOR", "REPLY_TOKENS", "Fitted", "fit", "left_out_notice", "num_ctx_for"]

REPLY_TOKENS = 512  # room kept for the answer: a few cited sentences take 100-250 tokens
FLOOR = 4096  # Ollama's default context on most machines: a num_ctx it may already have loaded


@dataclass(frozen=True)
class Fitted:
    """What is sent: the chat `messages` (estimated at `prompt_tokens`) and the `num_ctx` to ask for.

    `passages` and `turns` count what was kept of `total_passages` and `total_turns`; `shortened` says
    the one passage kept lost its end; `context` is the most the model was allowed.
    """

    messages: list[dict]
    context: int
    num_ctx: int
    prompt_tokens: int
    passages: int
    total_passages: int
    turns: int
    total_turns: int
    shortened: bool = False

    @property
    def notice(self) -> str:
        """What the user is told about what was left out, or "" when everything fitted."""
        return left_out_notice(self)


def fit(request: AnswerRequest, context: int, reply_tokens: int = REPLY_TOKENS,
        today: dt.date | None = None) -> Fitted:
    """The messages for `request` that fit in `context` tokens with `reply_tokens` left for the answer.

    The date line reads `request.as_of`, else `today`, else the real today. Raises `InputError` when not
    even the instructions and the question fit.
    """
    budget = context - reply_tokens
    as_of = request.as_of or today
    hits, history = list(request.hits), list(request.history)
    last_turn = history[-1:]

    def attempt(m: int, older: int, keep_last: bool) -> tuple[list[dict], int, int]:
        turns = (history[:-1][len(history[:-1]) - older:] if older else []) + (last_turn if keep_last else [])
        messages = build_messages(request.question, hits[:m], turns, as_of)
        return messages, estimate_messages(messages), len(turns)

    older, keep_last, m = max(len(history) - 1, 0), bool(history), len(hits)
    steps = (
        [("older", n) for n in range(older - 1, -1, -1)]
        + [("passages", n) for n in range(m - 1, 0, -1)]
        + ([("last", 0)] if keep_last else [])
    )
    messages, tokens, turns = attempt(m, older, keep_last)
    for what, n in steps:
        if tokens <= budget:
            break
        if what == "older":
            older = n
        elif what == "passages":
            m = n
        else:
            keep_last = False
        messages, tokens, turns = attempt(m, older, keep_last)
    shortened = False
    if tokens > budget and hits:
        messages, tokens = _shortened(request, hits[0], budget, as_of)
        shortened = True
    if tokens > budget:
        raise InputError(
            f"the question does not fit the model's context of {context} tokens with {reply_tokens} left "
            "for the answer: ask a shorter question, or raise NEWSRAG_NUM_CTX"
        )
    num_ctx = num_ctx_for(tokens + reply_tokens, context)
    return Fitted(messages, context, num_ctx, tokens, min(m, len(hits)), len(hits), turns, len(history), shortened)


def left_out_notice(fitted: Fitted) -> str:
    """ "3 of 8 passages and 2 earlier turns were left out to fit the model's context of 4096 tokens"."""
    passages, turns = fitted.total_passages - fitted.passages, fitted.total_turns - fitted.turns
    parts = []
    if passages:
        parts.append(f"{passages} of {fitted.total_passages} passages")
    if turns:
        parts.append(f"{turns} earlier turn{'s' if turns != 1 else ''}")
    said = []
    if parts:
        one = len(parts) == 1 and passages + turns == 1
        said.append(f"{' and '.join(parts)} {'was' if one else 'were'} left out")
    if fitted.shortened:
        said.append("passage 1 was shortened")
    if not said:
        return ""
    return f"{' and '.join(said)} to fit the model's context of {fitted.context} tokens"


def _shortened(request: AnswerRequest, first: Hit, budget: int, as_of: dt.date | None) -> tuple[list, int]:
    """The messages with only the first passage, cut at the longest word boundary that fits."""
    text = first.chunk.text
    cuts = [i for i in range(len(text)) if text[i].isspace()] or [0]

    def build(end: int) -> tuple[list, int]:
        chunk = replace(first.chunk, text=text[:end], end=first.chunk.start + end)
        messages = build_messages(request.question, [replace(first, chunk=chunk)], [], as_of)
        return messages, estimate_messages(messages)

    low, high = 0, len(cuts) - 1  # the longest cut that fits, by bisection: the estimate grows with it
    best = build(0)
    while low <= high:
        middle = (low + high) // 2
        candidate = build(cuts[middle])
        if candidate[1] <= budget:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def num_ctx_for(needed: int, context: int) -> int:
    """The num_ctx to ask for `needed` tokens: a power of two, at least `FLOOR`, at most `context`."""
    size = FLOOR
    while size < needed:
        size *= 2
    return min(size, context)
