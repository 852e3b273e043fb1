"""How many tokens a text or a chat costs, estimated from the text alone, on the safe side.

Ollama does not lend its model's tokenizer to clients, so newsrag sizes what it sends from the text:

    estimate_tokens(text)          ->  int   never fewer than a llama-family tokenizer counts (tested)
    estimate_messages(messages)    ->  int   the chat as the model reads it: contents plus the template

English prose runs about 4 to 4.5 characters a token in the llama-family tokenizers (SmolLM2's 49k
vocabulary, Llama 3's 128k); digits are often one token each and text outside ASCII costs up to a token
a byte. So the estimate counts ASCII letters, spaces and punctuation at `CHARS_PER_TOKEN` a token, every
digit as a token, and every other character as the bytes it takes in UTF-8. The constants were measured
against SmolLM2's tokenizer (tests/test_tokens.py holds the estimate above it on real prompts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["CHARS_PER_TOKEN", "MESSAGE_OVERHEAD", "TEMPLATE_OVERHEAD", "estimate_messages", "estimate_tokens"]

CHARS_PER_TOKEN = 3.2  # ASCII text other than digits; real prose measured 4.0-4.6 (see tests/test_tokens.py)
# A chat template wraps each message in role markers (ChatML: `<|im_start|>user\n ... <|im_end|>\n`, 5
# tokens; Llama 3: about as many) and may add a fixed preamble (Llama 3.2: "Cutting Knowledge Date: ...").
MESSAGE_OVERHEAD = 8
TEMPLATE_OVERHEAD = 48

_DIGIT = re.compile(r"[0-9]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def estimate_tokens(text: str) -> int:
    """A token count for `text` that a llama-family tokenizer should not exceed; 0 for ""."""
    if not text:
        return 0
    digits = len(_DIGIT.findall(text))
    others = _NON_ASCII.findall(text)
    other_bytes = sum(len(ch.encode("utf-8")) for ch in others)
    plain = len(text) - digits - len(others)
    return int(plain / CHARS_PER_TOKEN) + 1 + digits + other_bytes


def estimate_messages(messages: Iterable[Mapping[str, str]]) -> int:
    """The tokens a chat of `messages` ({"role", "content"}) takes once the model's template is applied."""
    return TEMPLATE_OVERHEAD + sum(
        MESSAGE_OVERHEAD + estimate_tokens(m.get("role", "")) + estimate_tokens(m.get("content", ""))
        for m in messages
    )
