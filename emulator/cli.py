"""Command line: ``python -m pulumi_openai_access.emulator`` (or ``python -m emulator`` from
the repository root)."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from pulumi_openai_access.providers.admin_api import behaviour

from .api import ROUTES
from .app import DEFAULT_ADMIN_KEY, create_app
from .knobs import RETRY_AFTER_MODES, KnobSettings, RateLimitSettings
from .model import State
from .persistence import write_atomic
from .seed import SeedError, build_state, dump_state, read_seed_file, sample_seed


DEFAULT_PROG = "python -m pulumi_openai_access.emulator"


def _served() -> str:
    """The API paths served, each with its methods, from the route table itself."""
    methods: dict[str, list[str]] = {}
    for method, template, _ in ROUTES:
        methods.setdefault(template, []).append(method)
    return "\n".join(f"  {'/'.join(verbs):<18} {template}" for template, verbs in methods.items())


def _epilog(prog: str) -> str:
    return (
        f"serves (Authorization: Bearer ADMIN_KEY; GET /v1/models takes a service account's key):\n{_served()}\n"
        "  control routes, no auth: /_emulator/requests, reset, faults, rate_limit, latency, state\n\n"
        "examples:\n"
        f"  {prog} --port 8700                               # the sample organization\n"
        f"  {prog} --seed my-org.json --state org-state.json # your own, kept across restarts\n"
        f"  {prog} --port 8700 --rate-limit 10 --retry-after none  # as throttled as the real API\n"
    )


def parse_args(argv: list[str] | None, prog: str = DEFAULT_PROG) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="An in-memory emulator of the OpenAI Admin API for tests and previews. The first line on "
        "stdout is 'listening on http://HOST:PORT/v1'; each request is logged on stderr (--quiet: not).",
        epilog=_epilog(prog), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s, loopback only)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: %(default)s)")
    parser.add_argument(
        "--admin-key", default=DEFAULT_ADMIN_KEY,
        help="the admin key clients must send as 'Authorization: Bearer KEY' (default: %(default)s)",
    )
    parser.add_argument("--seed", type=Path, help="JSON seed file (format: the docstring of emulator/seed.py); "
                        "default: the bundled sample organization")
    parser.add_argument("--state", type=Path, help="persist the state to this JSON file: loaded at start "
                        "if it exists (instead of the seed), rewritten atomically after every change")
    parser.add_argument("--rate-limit", type=int, metavar="N",
                        help="allow N requests per window on each endpoint, then answer 429 (default: unlimited)")
    parser.add_argument("--rate-limit-window", type=float, default=behaviour.RATE_LIMIT_WINDOW_SECONDS,
                        metavar="SECONDS",
                        help="the rate-limit window in seconds (default: %(default)s)")
    parser.add_argument("--retry-after", choices=RETRY_AFTER_MODES, default="none",
                        help="retry headers on a 429: Retry-After seconds, retry-after-ms, both, "
                        "or none like the real Admin API was seen doing (default: %(default)s)")
    parser.add_argument("--latency-ms", type=int, default=0, help="fixed delay before every /v1 answer")
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    args = parser.parse_args(argv)
    if args.rate_limit is not None and args.rate_limit < 0:
        parser.error("--rate-limit must be >= 0")
    if args.rate_limit_window <= 0 or args.latency_ms < 0:
        parser.error("--rate-limit-window must be > 0 and --latency-ms >= 0")
    return args


def _initial_state(args: argparse.Namespace) -> tuple[State, Any]:
    """(state to start with, seed that /_emulator/reset restores)."""
    seed = read_seed_file(args.seed) if args.seed else sample_seed()
    state = build_state(seed)  # validates the seed even when a state file takes over
    if args.state is not None and args.state.exists():
        state = build_state(read_seed_file(args.state))
    return state, seed


def main(argv: list[str] | None = None, prog: str = DEFAULT_PROG) -> int:
    """``prog``: how the usage names the command (also ``openai-access emulator``)."""
    args = parse_args(argv, prog)
    try:
        state, reset_seed = _initial_state(args)
    except SeedError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2

    on_change = None
    if args.state is not None:
        state_file: Path = args.state

        def on_change(changed: State) -> None:
            write_atomic(state_file, dump_state(changed))

        on_change(state)

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING if args.quiet else logging.INFO)
    app = create_app(
        state=state,
        reset_seed=reset_seed,
        admin_key=args.admin_key,
        knobs=KnobSettings(
            rate_limit=RateLimitSettings(args.rate_limit, args.rate_limit_window, args.retry_after),
            latency_ms=args.latency_ms,
        ),
        on_change=on_change,
    )
    try:
        # Bound here, not by werkzeug, whose failure is several lines and exit status 1.
        listening = socket.create_server((args.host, args.port), family=socket.AF_INET6 if ":" in args.host
                                         else socket.AF_INET)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"emulator: port {args.port} on {args.host} is in use: choose another --port (0 picks a free one)",
                  file=sys.stderr)
        else:
            print(f"emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    server = make_server(args.host, listening.getsockname()[1], app, threaded=True, fd=listening.fileno(),
                         request_handler=_request_log(sys.stderr.isatty()))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"listening on http://{host}:{server.port}/v1", flush=True)

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever() to return, which runs on this very thread:
        # ask from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.1)  # how soon a stop signal takes effect
    finally:
        server.server_close()
    return 0


def _request_log(terminal: bool) -> type[WSGIRequestHandler]:
    """werkzeug colours each logged request by status; colour codes only belong on a terminal,
    not in a redirected log file."""
    if terminal:
        return WSGIRequestHandler

    class PlainRequestLog(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            self.log("info", '"%s" %s %s', self.requestline.translate(self._control_char_table), code, size)

    return PlainRequestLog
