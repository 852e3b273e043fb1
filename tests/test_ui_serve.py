"""`newsrag serve`: its options, its warning when exposed, and the real command serving an empty archive."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.ui_helpers import free_port, stop
from ui.serve import add_serve_command, exposure_warning

# What rag/cli.py does with the command, for as long as this test runs before it is wired there.
SERVE_ALONE = (
    "import argparse, sys; from rag.settings import Settings; from ui.serve import add_serve_command; "
    "p = argparse.ArgumentParser(prog='newsrag'); add_serve_command(p.add_subparsers(required=True)); "
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.run(a, Settings.load()))"
)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="newsrag")
    add_serve_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def test_serve_binds_to_this_computer_unless_told_otherwise():
    args = parse("serve")
    assert (args.host, args.port, args.auth) == ("127.0.0.1", 7860, None)
    args = parse("serve", "--host", "0.0.0.0", "--port", "8080", "--auth", "ann:s3:cret")
    assert (args.host, args.port, args.auth) == ("0.0.0.0", 8080, ("ann", "s3:cret"))
    for bad in ("ann", "ann:", ":pw"):
        with pytest.raises(SystemExit):
            parse("serve", "--auth", bad)


@pytest.mark.parametrize("host, auth, warned", [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False), ("127.0.1.1", None, False),
    ("0.0.0.0", None, True), ("192.168.1.20", None, True), ("example.org", None, True),
    ("0.0.0.0", ("ann", "pw"), False),
])
def test_a_warning_when_served_beyond_this_computer_without_a_password(host, auth, warned):
    warning = exposure_warning(host, auth)
    assert bool(warning) is warned
    if warned:
        assert "--auth" in warning and host in warning


def test_the_command_line_does_not_load_gradio():
    code = "import sys, ui.serve; assert 'gradio' not in sys.modules, 'gradio was imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.slow
def test_serve_starts_on_an_empty_archive_and_says_how_to_add_articles(tmp_path, cli_env):
    from rag.cli import build_parser

    port = free_port()
    wired = "serve" in build_parser().format_help()
    command = ["-m", "rag.cli"] if wired else ["-c", SERVE_ALONE]
    env = {**cli_env, "NEWSRAG_BACKEND": "extractive", "GRADIO_ANALYTICS_ENABLED": ""}
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen([sys.executable, *command, "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        config = _wait_for(f"http://127.0.0.1:{port}/config", server, deadline=time.monotonic() + 180)
        assert "The archive is empty" in config and "newsrag ingest PATH" in config
        assert json.loads(config)["analytics_enabled"] is False  # set by the app, not by this environment
    finally:
        stop(server)
        log.seek(0)
        output = log.read()
        log.close()
    assert "without --auth" not in output  # bound to 127.0.0.1: nothing to warn about


def _wait_for(url: str, server: subprocess.Popen, deadline: float) -> str:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"newsrag serve exited with {server.returncode}")
        try:
            with direct.open(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time")
