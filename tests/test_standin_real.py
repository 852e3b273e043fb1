"""The stand-in's real engine: SmolLM2 in llama.cpp behind Ollama's HTTP API, fitted into its context as Ollama fits.

The first tests are of the pure cutting rules and need nothing; the others run the real model (each answer a
second or two: short prompts, few tokens) and skip where it is not installed (they fail under CI).
"""

from __future__ import annotations

import threading

import pytest

from rag.errors import BackendError
from rag.ollama_backend import OllamaGenerator
from rag.prompt import ANSWER_INSTRUCTIONS, build_messages
from rag.records import AnswerRequest, ArticleMeta, Chunk, Hit
from tests.real_model import DEFAULT_NUM_CTX, NUM_KEEP, OLLAMA_NAME, REPEAT_PENALTY, SEED, cut_front, keep_turns

SYSTEM = {"role": "system", "content": "rules"}
HELLO = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello to Ada."}]


def turns(n: int) -> list[dict]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}"} for i in range(n)]


# --- the cutting rules, pure --------------------------------------------------------------------------------

def test_a_chat_that_fits_keeps_every_turn():
    chat = [SYSTEM, *turns(5)]
    assert keep_turns(chat, lambda candidate: True) == chat


def test_earlier_turns_go_first_and_the_system_message_stays():
    chat = [SYSTEM, *turns(5)]
    kept = keep_turns(chat, lambda candidate: len(candidate) <= 3)
    assert kept == [SYSTEM, chat[-2], chat[-1]]


def test_the_last_message_stays_even_when_nothing_fits():
    chat = [SYSTEM, *turns(3)]
    assert keep_turns(chat, lambda candidate: False) == [SYSTEM, chat[-1]]


def test_a_prompt_over_the_limit_keeps_its_first_tokens_and_its_end():
    tokens = list(range(100))
    cut = cut_front(tokens, limit=10)
    assert len(cut) == 10
    assert cut == [0, 1, 2, 3, *range(94, 100)]  # NUM_KEEP == 4 from the front, the rest from the end
    assert cut_front(tokens, limit=100) == tokens


# --- the real model ---------------------------------------------------------------------------------------

def hits_of(*texts: str) -> list[Hit]:
    return [Hit(Chunk(f"a{i}:0", f"a{i}", 0, 0, len(text), text),
                ArticleMeta(f"a{i}", f"Headline {i}", "Wire", "2024-03-04", "", f"g{i}"), 1.0)
            for i, text in enumerate(texts, 1)]


def long_sources(n: int, words: int) -> list[Hit]:
    """Made-up passages, long enough to overflow a context (no archive text is copied into the project)."""
    texts = [" ".join(f"Delegates from district {i} discussed item {j} of the harbour budget." for j in range(words))
             for i in range(1, n + 1)]
    return [Hit(h.chunk, ArticleMeta(h.article.id, f"Harbour budget {i}", "Wire", "2024-03-04", "", f"g{i}"), 1.0)
            for i, h in enumerate(hits_of(*texts), 1)]


def test_an_answer_streams_as_ndjson_through_the_real_client_with_llama_cpps_counts(real_ollama, real_model):
    import ollama

    # Both paths read the prompt from an empty cache: reusing an earlier prompt's prefix evaluates the rest in
    # other batches, and the portable build's sums then differ in the last bits, enough to flip a greedy choice.
    with real_model.lock:
        real_model.llama.reset()
    parts = list(ollama.Client(host=real_ollama.url).chat(
        OLLAMA_NAME, HELLO, stream=True, options={"temperature": 0, "num_predict": 12}))
    texts = [p.message.content for p in parts if not p.done]
    final = parts[-1]
    assert len(texts) > 2 and all(texts)  # token by token, not one block
    assert final.done and final.done_reason in ("stop", "length")
    with real_model.lock:  # the same messages through llama-cpp-python's own chat path
        real_model.llama.reset()
        direct = real_model.llama.create_chat_completion(HELLO, temperature=0, max_tokens=12, seed=SEED,
                                                         repeat_penalty=REPEAT_PENALTY)
    assert final.prompt_eval_count == direct["usage"]["prompt_tokens"]
    assert "".join(texts) == direct["choices"][0]["message"]["content"]
    assert final.eval_count == direct["usage"]["completion_tokens"] + (final.done_reason == "stop")


def test_done_reason_is_length_when_num_predict_runs_out(real_ollama):
    import ollama

    reply = ollama.Client(host=real_ollama.url).chat(
        OLLAMA_NAME, HELLO, stream=False, options={"temperature": 0, "num_predict": 3})
    assert reply.done_reason == "length"
    assert reply.eval_count == 3
    assert reply.message.content and reply.message.content == real_ollama.answers[-1].text


def test_a_prompt_longer_than_num_ctx_loses_its_front_silently_and_a_sized_one_does_not(real_ollama, real_model):
    import ollama

    messages = build_messages("What did the delegates discuss?", long_sources(3, 5))
    whole = len(real_model.tokens(messages))
    assert 384 < whole < 1024, whole
    client = ollama.Client(host=real_ollama.url)

    cut = client.chat(OLLAMA_NAME, messages, options={"temperature": 0, "num_ctx": 384, "num_predict": 1})
    seen = real_ollama.answers[-1].prompt
    assert cut.prompt_eval_count == 384  # no error, no warning: only the count tells
    assert "Rules:" not in seen and "Use only what the sources say" not in seen
    assert "What did the delegates discuss?" in seen  # the end of the prompt is what stays

    sized = client.chat(OLLAMA_NAME, messages, options={"temperature": 0, "num_ctx": 1024, "num_predict": 1})
    assert sized.prompt_eval_count == whole
    assert ANSWER_INSTRUCTIONS.splitlines()[0] in real_ollama.answers[-1].prompt


def test_an_unsized_request_gets_ollamas_default_context_and_what_newsrags_prompt_would_lose(real_model):
    """Counting only (no answer written): newsrag's prompt over 8 long passages, fitted as Ollama would."""
    model = real_model
    messages = build_messages("What did the delegates discuss?", long_sources(8, 60))
    assert len(model.tokens(messages)) > DEFAULT_NUM_CTX
    fitted = model.fit(messages, model.context(None))
    seen = model.llama.detokenize(fitted, special=True).decode()
    assert len(fitted) == DEFAULT_NUM_CTX == 4096
    assert fitted[:NUM_KEEP] == model.tokens(messages)[:NUM_KEEP]
    assert "Rules:" not in seen and "[1] Headline: Harbour budget 1" not in seen
    assert "[8] Headline: Harbour budget 8" in seen


def test_earlier_chat_turns_are_dropped_before_the_last_message_is_cut(real_model):
    model = real_model
    history = [("What did district 1 discuss?", "They discussed the harbour budget. " * 40)] * 3
    messages = build_messages("And district 2?", long_sources(2, 4), history)
    last_two = [messages[0], messages[-1]]
    room = len(model.tokens(last_two)) + 20
    seen = model.llama.detokenize(model.fit(messages, room), special=True).decode()
    assert "Rules:" in seen and "And district 2?" in seen
    assert "What did district 1 discuss?" not in seen


def test_show_reports_the_models_own_context_length_from_its_gguf(real_ollama):
    import ollama

    shown = ollama.Client(host=real_ollama.url).show(OLLAMA_NAME)
    assert shown.modelinfo["general.architecture"] == "llama"
    assert shown.modelinfo["llama.context_length"] == 8192
    assert shown.details.parameter_size == "135M"


def test_transport_faults_work_on_the_real_engine_and_the_model_serves_on(real_ollama):
    generator = OllamaGenerator(real_ollama.url, OLLAMA_NAME, timeout=30)
    request = AnswerRequest("Who said hello to Ada?", tuple(hits_of("Grace said hello to Ada on Monday.")))
    real_ollama.mode = "drop"
    with pytest.raises(BackendError, match="closed the connection"):
        list(generator.stream(request))
    real_ollama.mode = "normal"
    assert generator.complete(HELLO).strip()  # the dropped answer let go of the model's lock


def test_content_faults_are_the_scripted_models_only(real_ollama):
    for mode in ("bad_marker", "unsupported", "obey_injection"):
        with pytest.raises(ValueError, match="scripted engine"):
            real_ollama.mode = mode


def test_two_requests_at_once_are_answered_one_after_the_other(real_ollama):
    import ollama

    client = ollama.Client(host=real_ollama.url)
    replies: list = []

    def ask() -> None:
        replies.append(client.chat(OLLAMA_NAME, HELLO, options={"temperature": 0, "num_predict": 4}))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(replies) == 2
    assert replies[0].message.content == replies[1].message.content  # greedy and seeded: repeatable
