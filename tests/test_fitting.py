"""Fitting a request into the context: what is left out, in which order, and what the user is told."""

import datetime as dt

import pytest

from rag.errors import InputError
from rag.fitting import FLOOR, REPLY_TOKENS, fit, num_ctx_for
from rag.prompt import build_messages, parse_sources
from rag.records import AnswerRequest, ArticleMeta, Chunk, Hit
from rag.tokens import estimate_messages

AS_OF = dt.date(2022, 6, 17)
QUESTION = "Which city hosted the summit on Tuesday?"


def word(n: int) -> str:
    """A made-up word for n, letters only (digits cost a token each in the estimate)."""
    letters = ""
    while True:
        n, r = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
        if not n:
            return letters


def passage(n: int, words: int = 200) -> str:
    # Distinct words per passage, so a test can tell which passages were sent.
    return " ".join(f"{word(n)}q{word(i)}" for i in range(words)) + "."


def hits(count: int, words: int = 200) -> tuple[Hit, ...]:
    made = []
    for n in range(1, count + 1):
        text = passage(n, words)
        article = ArticleMeta(f"a{n}", f"Headline {n}", "Reuters", "2022-06-1" + str(n % 7), "", f"g{n}")
        made.append(Hit(Chunk(f"a{n}:0", f"a{n}", 0, 100, 100 + len(text), text), article, 1.0 / n))
    return tuple(made)


def turns(count: int) -> tuple[tuple[str, str], ...]:
    def answer(t: int) -> str:
        return " ".join(f"{word(t)}z{word(i)}" for i in range(120)) + "."

    return tuple((f"Earlier question {t}?", answer(t)) for t in range(count))


def sent(fitted) -> tuple[list[int], list[str]]:
    """(passage numbers sent, earlier questions sent)."""
    prompt = fitted.messages[-1]["content"]
    asked = [m["content"] for m in fitted.messages[1:-1] if m["role"] == "user"]
    return list(parse_sources(prompt)), asked


def needed(request: AnswerRequest, m: int, kept_turns) -> int:
    return estimate_messages(build_messages(request.question, request.hits[:m], kept_turns, AS_OF))


def test_everything_fits_in_a_large_context():
    request = AnswerRequest(QUESTION, hits(8, words=100), history=turns(3), as_of=AS_OF)
    fitted = fit(request, 131072)
    assert sent(fitted) == ([1, 2, 3, 4, 5, 6, 7, 8], ["Earlier question 0?", "Earlier question 1?",
                                                       "Earlier question 2?"])
    assert fitted.notice == ""
    assert fitted.messages == build_messages(QUESTION, request.hits, request.history, AS_OF)
    assert fitted.prompt_tokens == estimate_messages(fitted.messages)
    assert fitted.num_ctx == FLOOR  # under 3,500 tokens: Ollama's default size holds it and the answer


def test_num_ctx_holds_prompt_and_reply_in_a_few_sizes():
    assert num_ctx_for(100, 131072) == 4096
    assert num_ctx_for(4096, 131072) == 4096
    assert num_ctx_for(4097, 131072) == 8192
    assert num_ctx_for(20000, 131072) == 32768
    assert num_ctx_for(5000, 6000) == 6000  # never above what the model (or the cap) allows
    request = AnswerRequest(QUESTION, hits(24), as_of=AS_OF)
    fitted = fit(request, 131072)
    needs = fitted.prompt_tokens + REPLY_TOKENS
    assert needs > FLOOR and fitted.num_ctx // 2 < needs <= fitted.num_ctx  # the next power of two
    assert fitted.num_ctx & (fitted.num_ctx - 1) == 0


def test_older_turns_go_first_oldest_first():
    request = AnswerRequest(QUESTION, hits(4), history=turns(4), as_of=AS_OF)
    context = needed(request, 4, request.history[-2:]) + REPLY_TOKENS  # room for the last two turns only
    fitted = fit(request, context)
    assert sent(fitted) == ([1, 2, 3, 4], ["Earlier question 2?", "Earlier question 3?"])
    assert fitted.notice == f"2 earlier turns were left out to fit the model's context of {context} tokens"
    assert fitted.prompt_tokens + REPLY_TOKENS <= context == fitted.num_ctx


def test_then_passages_lowest_ranked_first_keeping_the_last_turn():
    request = AnswerRequest(QUESTION, hits(8), history=turns(3), as_of=AS_OF)
    context = needed(request, 5, request.history[-1:]) + REPLY_TOKENS
    fitted = fit(request, context)
    assert sent(fitted) == ([1, 2, 3, 4, 5], ["Earlier question 2?"])
    assert fitted.messages[-1]["content"] == build_messages(QUESTION, request.hits[:5], (), AS_OF)[-1]["content"]
    assert fitted.notice == (
        f"3 of 8 passages and 2 earlier turns were left out to fit the model's context of {context} tokens"
    )


def test_the_last_turn_goes_only_when_one_passage_is_left():
    request = AnswerRequest(QUESTION, hits(3), history=turns(2), as_of=AS_OF)
    context = needed(request, 1, ()) + REPLY_TOKENS
    fitted = fit(request, context)
    assert sent(fitted) == ([1], [])
    assert fitted.notice.startswith("2 of 3 passages and 2 earlier turns were left out")


def test_one_passage_left_out_is_said_in_the_singular():
    request = AnswerRequest(QUESTION, hits(2), as_of=AS_OF)
    fitted = fit(request, needed(request, 1, ()) + REPLY_TOKENS)
    assert fitted.notice.startswith("1 of 2 passages was left out to fit")


def test_the_one_passage_left_is_shortened_when_it_alone_does_not_fit():
    request = AnswerRequest(QUESTION, hits(2, words=2000), as_of=AS_OF)
    context = 2048
    fitted = fit(request, context)
    kept = parse_sources(fitted.messages[-1]["content"])
    assert list(kept) == [1] and passage(1, 2000).startswith(kept[1]) and len(kept[1]) < len(passage(1, 2000))
    assert fitted.prompt_tokens + REPLY_TOKENS <= context
    assert fitted.notice == (
        "1 of 2 passages was left out and passage 1 was shortened to fit the model's context of 2048 tokens"
    )


def test_a_question_that_cannot_fit_is_an_input_error():
    request = AnswerRequest("why? " * 2000, hits(1), as_of=AS_OF)
    with pytest.raises(InputError, match="does not fit the model's context of 1024 tokens.*NEWSRAG_NUM_CTX"):
        fit(request, 1024)


def test_the_date_line_reads_as_of_else_the_given_today():
    request = AnswerRequest(QUESTION, hits(1), as_of=AS_OF)
    assert fit(request, 8192).messages[-1]["content"].startswith("Today is 2022-06-17.\n")
    undated = AnswerRequest(QUESTION, hits(1))
    assert fit(undated, 8192, today=dt.date(2023, 1, 2)).messages[-1]["content"].startswith("Today is 2023-01-02.")
