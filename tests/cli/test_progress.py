"""Progress on stderr: plain lines in a log (steps, every tenth, the throttle's waits, the
client's retries), a live display on a terminal; never the key."""

from __future__ import annotations

import io
import logging

from pulumi_openai_access.cli.progress import LiveReporter, PlainReporter, reporting

THROTTLE = logging.getLogger("pulumi_openai_access.providers.admin_api.throttle")
TRANSPORT = logging.getLogger("pulumi_openai_access.providers.admin_api.transport")


def test_plain_lines_show_steps_tenths_waits_and_retries_without_the_key():
    stream = io.StringIO()
    with reporting(stream, live=False) as reporter:
        assert isinstance(reporter, PlainReporter)
        reporter.step("reading role assignments", 40)
        for _ in range(40):
            reporter.advance()
            THROTTLE.debug("throttle: waited %.2fs before %s", 0.5, "GET /x")
        TRANSPORT.info("GET /x: retrying after RateLimitedError (key sk-admin-Secret123 attempt=1/8)")

    lines = stream.getvalue().splitlines()
    assert lines[0] == "openai-access: reading role assignments (0/40)"
    assert [line for line in lines if "/40" in line][1:5] == [
        f"openai-access: reading role assignments: {n}/40" for n in (4, 8, 12, 16)]
    assert lines[-1] == "openai-access: reading role assignments: done 40/40, 20.0s waiting for the rate limit"
    assert any("retrying after RateLimitedError" in line for line in lines)
    assert "Secret123" not in stream.getvalue()


def test_a_failed_step_is_not_reported_done():
    stream = io.StringIO()
    try:
        with reporting(stream, live=False) as reporter:
            reporter.step("listing projects")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert stream.getvalue() == "openai-access: listing projects\n"


def test_the_live_display_runs_and_leaves_the_client_logging_as_it_was():
    stream = io.StringIO()
    logger = logging.getLogger("pulumi_openai_access.providers.admin_api")
    level, propagate = logger.level, logger.propagate
    with reporting(stream, live=True) as reporter:
        assert isinstance(reporter, LiveReporter)
        reporter.step("listing members", 2)
        reporter.advance(2)
        THROTTLE.debug("throttle: waited %.2fs before %s", 1.25, "GET /x")
        reporter.step("reading role assignments", 1)
        reporter.advance()

    assert "listing members" in stream.getvalue() and "reading role assignments" in stream.getvalue()
    assert "throttle 1.2s" in stream.getvalue()
    assert (logger.level, logger.propagate) == (level, propagate)
