"""`newsrag serve`: the chat window in the browser. Light to import: gradio loads only when it runs.

    from ui.serve import add_serve_command
    add_serve_command(commands)   # commands = parser.add_subparsers(...)
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
READY = "search index loaded"  # printed once `warm` is done


def add_serve_command(commands) -> None:
    serve = commands.add_parser(
        "serve", help="open the chat window: a local web app at http://127.0.0.1:7860",
        description="Serve the chat window over the archive. It binds to 127.0.0.1 (this computer only) "
                    "unless --host says otherwise; then protect it with --auth.",
    )
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 means every network)")
    serve.add_argument("--port", type=int, default=7860, help="default 7860")
    serve.add_argument("--auth", type=parse_auth, metavar="USER:PASSWORD",
                       help="ask for this user name and password before showing the window")
    serve.set_defaults(run=cmd_serve)


def parse_auth(value: str) -> tuple[str, str]:
    user, colon, password = value.partition(":")
    if not colon or not user or not password:
        raise argparse.ArgumentTypeError("--auth takes USER:PASSWORD, both non-empty")
    return user, password


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, auth) -> str:
    """The warning to print when the window is served beyond this computer without a password."""
    if is_loopback(host) or auth:
        return ""
    return (f"warning: serving on {host} without --auth: anyone who can reach this address can read the "
            "archive and add to it; add --auth USER:PASSWORD, or use --host 127.0.0.1")


def warm(retriever) -> None:
    """Load the search index (questions asked meanwhile are answered, by an exact scan: `rag.retrieve`),
    then say so: at a million passages the vector store's index takes seconds to load."""
    import time

    started = time.perf_counter()
    retriever.warm()
    print(f"newsrag: {READY} ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)


def cmd_serve(args, settings) -> int:
    if warning := exposure_warning(args.host, args.auth):
        print(f"newsrag: {warning}", file=sys.stderr)
    print("newsrag: opening the archive and loading the embedding model…", file=sys.stderr, flush=True)
    from rag.wiring import open_assistant
    from ui.app import build_app, launch

    archive, assistant = open_assistant(settings)
    import threading

    threading.Thread(target=warm, args=(assistant.retriever,), name="newsrag-warm", daemon=True).start()
    try:
        launch(build_app(settings, archive, assistant), args.host, args.port, args.auth)
    finally:
        archive.close()
    return 0
