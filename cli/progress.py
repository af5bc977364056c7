"""Progress of long reads on stderr: a live display on a terminal, plain lines otherwise.

Both show what is being listed, n of m, and the time the client's throttle made requests
wait. The waits come from the client's own log records (``admin_api.throttle`` and
``admin_api.transport``), so the display sees exactly what the client does.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import IO, Iterator, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn,
)

from ..providers.admin_api.credentials import redact

API_LOGGER = "pulumi_openai_access.providers.admin_api"
THROTTLE_WAITED = "throttle: waited"
# Plain output: one line per tenth of a step, not one per request; none for short steps.
PLAIN_STEP_FRACTION = 0.1
PLAIN_MIN_TOTAL = 20


class Reporter(Protocol):
    def step(self, description: str, total: int | None = None) -> None: ...
    def advance(self, amount: int = 1) -> None: ...
    def waited(self, seconds: float) -> None: ...
    def note(self, line: str) -> None: ...
    def close(self, completed: bool) -> None: ...


class PlainReporter:
    """Lines for logs and CI: each step, every 10% of it, its throttle waits, and notes."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._description = ""
        self._total: int | None = None
        self._done = 0
        self._next_report = 0
        self._waited = 0.0

    def _print(self, line: str) -> None:
        print(f"openai-access: {line}", file=self._stream, flush=True)

    def step(self, description: str, total: int | None = None) -> None:
        with self._lock:
            self._finish_step()
            self._description, self._total, self._done, self._waited = description, total, 0, 0.0
            self._next_report = max(1, int((total or 0) * PLAIN_STEP_FRACTION))
            self._print(f"{description}" + (f" (0/{total})" if total else ""))

    def advance(self, amount: int = 1) -> None:
        with self._lock:
            self._done += amount
            reporting = self._total is not None and self._total >= PLAIN_MIN_TOTAL
            if reporting and self._done >= self._next_report and self._done < (self._total or 0):
                self._print(f"{self._description}: {self._done}/{self._total}")
                self._next_report += max(1, int(self._total * PLAIN_STEP_FRACTION))

    def waited(self, seconds: float) -> None:
        with self._lock:
            self._waited += seconds

    def note(self, line: str) -> None:
        with self._lock:
            self._print(f"  {line}")

    def _finish_step(self) -> None:
        if not self._description:
            return
        count = f" {self._done}/{self._total}" if self._total else f" ({self._done})" if self._done else ""
        waits = f", {self._waited:.1f}s waiting for the rate limit" if self._waited >= 0.05 else ""
        self._print(f"{self._description}: done{count}{waits}")
        self._description = ""

    def close(self, completed: bool) -> None:
        with self._lock:
            if completed:  # a failed step is not "done": the error line follows
                self._finish_step()


class LiveReporter:
    """A rich progress display: one bar per step, the throttle's waits beside it."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.fields[waits]}"), console=console, transient=False,
        )
        self._progress.start()
        self._task: TaskID | None = None
        self._waited = 0.0
        self._lock = threading.Lock()

    def step(self, description: str, total: int | None = None) -> None:
        with self._lock:
            self._complete_step()
            self._waited = 0.0
            self._task = self._progress.add_task(description, total=total, waits="")

    def _complete_step(self) -> None:
        if self._task is None:
            return
        task = next(task for task in self._progress.tasks if task.id == self._task)
        total = task.total if task.total is not None else task.completed
        self._progress.update(self._task, total=total, completed=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def waited(self, seconds: float) -> None:
        with self._lock:
            self._waited += seconds
            if self._task is not None:
                self._progress.update(self._task, waits=f"throttle {self._waited:.1f}s")

    def note(self, line: str) -> None:
        self._progress.console.print(line, markup=False, highlight=False)

    def close(self, completed: bool) -> None:
        with self._lock:
            if completed:
                self._complete_step()
        self._progress.stop()


class _ApiLogBridge(logging.Handler):
    """Turns the client's log records into progress: throttle waits, 429 pauses, retries."""

    def __init__(self, reporter: Reporter) -> None:
        super().__init__(logging.DEBUG)
        self._reporter = reporter

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(THROTTLE_WAITED) and record.args:
            self._reporter.waited(float(record.args[0]))  # type: ignore[index]
        elif record.levelno >= logging.INFO:
            self._reporter.note(redact(record.getMessage()))


@contextmanager
def reporting(stderr: IO[str], *, live: bool | None = None) -> Iterator[Reporter]:
    """A reporter on ``stderr`` (live when it is a terminal) that also hears the client."""
    live = stderr.isatty() if live is None else live
    reporter: Reporter = LiveReporter(Console(file=stderr)) if live else PlainReporter(stderr)
    logger = logging.getLogger(API_LOGGER)
    bridge = _ApiLogBridge(reporter)
    saved = logger.level, logger.propagate
    logger.addHandler(bridge)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # the bridge shows them; no second copy from the root logger
    completed = False
    try:
        yield reporter
        completed = True
    finally:
        logger.removeHandler(bridge)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        reporter.close(completed)
