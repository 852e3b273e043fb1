"""Two costs of Recognizers-Text that are not its reading, taken away without changing what it reads.

Profiled over realtimeqa-dev's 137 questions (`read()` ~23 ms a question on 2 cores), two thirds of the time
went to neither the recognizer's logic nor its patterns' matching:
- **Its extractors are asked again for the same text within one parse.** The date, time and duration
  extractors are called by several of the merged ones, and each first asks a number extractor for the
  numbers of its text: about half of these calls repeat an earlier one. Within a parse (`extractions_kept`)
  their answers are kept, and each caller gets its own copies of the results, which some callers shift in
  place.
- **`regex.finditer(pattern, text)` with an already compiled pattern** goes through the `regex` module's
  compile cache each time (a key built of flags, the locale's encoding, the default version: ~35 µs, 120,000
  calls over the 137 questions). The library's modules are handed a `regex` whose module-level functions call
  the compiled pattern directly, and compile a string pattern once.

Both are exact: the phrase table (`tests/when_phrases.py`), sentences with numbers, times and durations, and
every realtimeqa-dev question read the same with and without them (`tests/test_when_quicker.py`).
"""

from __future__ import annotations

import copy
import sys
import threading
import types

import regex

_FLAGS_THIRD = ("match", "fullmatch", "search", "finditer", "findall")  # (pattern, string, flags=0, ...)
_compiled: dict[tuple[str, int], regex.Pattern] = {}


def _pattern(pattern, flags: int):
    if isinstance(pattern, regex.Pattern):
        return pattern if not flags else None  # flags with a compiled pattern: regex's own error
    if isinstance(pattern, str):
        found = _compiled.get((pattern, flags))
        if found is None:
            if len(_compiled) > 4096:  # a few patterns are built from the text read (regex.escape): bounded
                _compiled.clear()
            found = _compiled[(pattern, flags)] = regex.compile(pattern, flags)
        return found
    return None


def _direct(name: str):
    original = getattr(regex, name)

    def call(pattern, string, flags=0, *args, **kwargs):
        compiled = _pattern(pattern, flags) if not args and not kwargs else None
        if compiled is None:
            return original(pattern, string, flags, *args, **kwargs)
        return getattr(compiled, name)(string)

    call.__name__ = name
    return call


def _direct_sub(name: str):
    original = getattr(regex, name)

    def call(pattern, repl, string, count=0, flags=0, *args, **kwargs):
        compiled = _pattern(pattern, flags) if not args and not kwargs else None
        if compiled is None:
            return original(pattern, repl, string, count, flags, *args, **kwargs)
        return getattr(compiled, name)(repl, string, count)

    call.__name__ = name
    return call


class _QuickRegex(types.ModuleType):
    """The `regex` module as the library's modules see it: the same names, the calls above direct."""

    def __init__(self):
        super().__init__("regex")
        for name in _FLAGS_THIRD:
            setattr(self, name, _direct(name))
        for name in ("sub", "subn"):
            setattr(self, name, _direct_sub(name))

    def __getattr__(self, name):
        return getattr(regex, name)


_quick = _QuickRegex()
_kept = threading.local()


def install() -> None:
    """Hand the loaded Recognizers-Text modules the direct `regex`, and let their extractors keep their
    answers within `extractions_kept`.
    Called once the recognizer's model is built (its modules are loaded by then)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("recognizers_") and getattr(module, "regex", None) is regex:
            module.regex = _quick
    from recognizers_date_time.date_time.base_date import BaseDateExtractor
    from recognizers_date_time.date_time.base_duration import BaseDurationExtractor
    from recognizers_date_time.date_time.base_time import BaseTimeExtractor
    from recognizers_number.number.extractors import BaseNumberExtractor, BasePercentageExtractor

    for cls in (BaseNumberExtractor, BasePercentageExtractor, BaseDateExtractor, BaseTimeExtractor,
                BaseDurationExtractor):
        if not getattr(cls.extract, "kept", False):
            cls.extract = _keeping(cls.extract)


def _keeping(extract):
    def kept_extract(self, source, *args, **kwargs):
        store = getattr(_kept, "results", None)
        if store is None:
            return extract(self, source, *args, **kwargs)
        key = (id(self), source, args, tuple(sorted(kwargs.items())))
        if key not in store:
            store[key] = (self, extract(self, source, *args, **kwargs))  # self held: its id is not reused while kept
        return [copy.copy(result) for result in store[key][1]]

    kept_extract.kept = True
    return kept_extract


class extractions_kept:
    """Within this block, an extractor asked twice for the same text (and day) answers from the first time."""

    def __enter__(self):
        _kept.results = {}

    def __exit__(self, *exc):
        _kept.results = None
