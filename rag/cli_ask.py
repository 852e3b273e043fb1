"""`newsrag ask` and `newsrag eval`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.records import NO_CLAIM, SUPPORTED, UNSUPPORTED
from rag.settings import BACKENDS, Settings


def add_commands(commands, iso_date) -> None:
    ask = commands.add_parser("ask", help="ask the archive a question; the answer cites its sources")
    ask.add_argument("question")
    ask.add_argument("--since", type=iso_date, help="only articles published on or after YYYY-MM-DD")
    ask.add_argument("--until", type=iso_date, help="only articles published on or before YYYY-MM-DD")
    ask.add_argument("--source", action="append", default=[], help="only this outlet (repeatable)")
    ask.add_argument("--as-of", type=iso_date, dest="as_of",
                     help="the date the question is asked on: 'last week' is relative to it (default: today, "
                          "or the archive's last day when it ends before today, as in the window)")
    ask.add_argument("--k", type=int, default=8, help="passages to retrieve (default 8)")
    ask.add_argument("--backend", choices=BACKENDS, help="default: auto")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=cmd_ask)

    ev = commands.add_parser("eval", help="measure retrieval and answers on a question set")
    ev.add_argument("--articles", required=True, type=Path, help="articles JSONL (indexed incrementally)")
    ev.add_argument("--questions", required=True, type=Path, help="questions JSONL with gold evidence ids")
    ev.add_argument("--k", type=int, default=10)
    ev.add_argument("--backend", choices=BACKENDS, default="extractive")
    ev.add_argument("--passages", type=int, default=8,
                    help="of the retrieved passages, how many the answer is written from (default 8, as ask)")
    ev.add_argument("--limit", type=int, help="only the first N questions")
    ev.add_argument("--retrieval-only", action="store_true", help="skip answering (faster)")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(run=cmd_eval)


def cmd_ask(args, settings: Settings) -> int:
    from rag.filters import Filters
    from rag.stories import default_day
    from rag.when.searched import Searched
    from rag.wiring import open_assistant

    if args.k < 1:
        from rag.errors import InputError

        raise InputError("--k must be at least 1")
    archive, assistant = open_assistant(settings)
    filters = Filters(since=args.since, until=args.until, sources=tuple(args.source))
    as_of = args.as_of or default_day(archive.catalog)
    live = sys.stdout.isatty() and not args.json
    answer = searched = None
    for event in assistant.stream(args.question, filters=filters, as_of=as_of, k=args.k, backend=args.backend):
        if event.kind == "notice" and not args.json:
            print(f"note: {event.text}", file=sys.stderr)
        elif event.kind == "sources":
            searched = Searched.of(event.retrieval.filters, event.retrieval.intent, as_of)
            if searched.line() and not args.json:
                print(searched.line(), flush=True)
        elif event.kind == "delta" and live:
            print(event.text, end="", flush=True)
        elif event.kind == "answer":
            answer = event.answer
    if args.json:
        print(json.dumps({**answer.to_json(), "filters": searched.to_json()}))
        return 0
    if live:  # the streamed text was not checked yet: now say, sentence by sentence, what the check found
        print("\n")
        print(checked_text(answer, "checked: "))
    else:
        print(checked_text(answer))
    print_sources(answer)
    return 0


def checked_text(answer, heading: str = "") -> str:
    """The verified answer as the terminal shows it: a sentence no source supports starts with ⚠ and ends
    with the reason; markers newsrag attached to a sentence the model left uncited end with ⁺."""
    if not answer.sentences:
        return heading + answer.text
    pieces = []
    for s in answer.sentences:
        marks = "".join(f"[{n}]" for n in s.citations) + ("⁺" if s.attributed and s.citations else "")
        text = f"{s.text} {marks}" if marks else s.text
        if s.verdict == UNSUPPORTED:
            text = f"⚠ {text} (not supported: {s.reason or 'no retrieved source says this'})"
        pieces.append((s.separator if pieces else "") + text)
    return heading + "".join(pieces)


def print_sources(answer) -> None:
    label = "extractive (sentences quoted from the sources)" if answer.backend == "extractive" else answer.backend
    print(f"\n— answered by {label}")
    for c in answer.citations:
        mark = "" if c.supported else "  [NOT SUPPORTED by this source]"
        print(f"[{c.n}] {c.title} — {c.source or 'no outlet'}, {c.published or 'undated'}{mark}")
        if c.url:
            print(f"    {c.url}")
        if c.headline:
            print(f"    headline: “{c.headline}”")
        if c.quote:
            print(f"    “{c.quote}” (article {c.article_id}, characters {c.start}–{c.end})")
        if c.also_reported_by:
            print(f"    also reported by: {', '.join(c.also_reported_by)}")
    counts = {v: sum(s.verdict == v for s in answer.sentences) for v in (SUPPORTED, UNSUPPORTED, NO_CLAIM)}
    attributed = sum(s.attributed for s in answer.sentences)
    if answer.sentences:
        line = f"— sentences: {counts[SUPPORTED]} supported, {counts[UNSUPPORTED]} not supported (⚠)"
        line += f", {counts[NO_CLAIM]} with no claim to check" if counts[NO_CLAIM] else ""
        line += f"; ⁺ {attributed} cited by newsrag where the model cited nothing" if attributed else ""
        print(line)


def cmd_eval(args, settings: Settings) -> int:
    import corpus
    from rag.evaluate import evaluate, load_questions
    from rag.ingest import Ingestor
    from rag.wiring import open_assistant

    questions = load_questions(args.questions)[: args.limit]
    archive, assistant = open_assistant(settings)
    report = Ingestor(archive).run(corpus.read([str(args.articles)]))
    if report.errors:
        print(f"note: {len(report.errors)} article records could not be read, e.g. {report.errors[0]}",
              file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{done}/{total} questions")
            sys.stderr.flush()

    result = evaluate(assistant, questions, k=args.k, backend=args.backend, answer=not args.retrieval_only,
                      progress=progress, passages=args.passages)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:18} {value}")
    return 0
