"""Test knobs: per-endpoint rate limits, injected faults and fixed latency.

Endpoints are named by route key, ``"METHOD /v1/route/{template}"`` (see ``api.ROUTES``).
Every knob starts from the command-line settings and returns to them on reset.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from pulumi_openai_access.providers.admin_api import behaviour

from .errors import INVALID_REQUEST, ApiError

RETRY_AFTER_MODES = ("seconds", "ms", "both", "none")
FAULT_ACTIONS = ("status", "drop_before", "drop_after")


def _bad(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, message, param=param)


@dataclass(frozen=True)
class RateLimitSettings:
    """``limit`` requests per ``window_seconds`` for each endpoint separately (a sliding
    window); ``per_route`` overrides it for some route keys. None means unlimited."""

    limit: int | None = None
    window_seconds: float = behaviour.RATE_LIMIT_WINDOW_SECONDS
    retry_after: str = "none"  # which retry headers a 429 carries: seconds|ms|both|none
    per_route: Mapping[str, int] = field(default_factory=dict)

    def limit_for(self, key: str) -> int | None:
        return self.per_route.get(key, self.limit)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "per_route": dict(self.per_route)}

    def updated(self, body: Any) -> RateLimitSettings:
        """These settings with the fields given in a control-route body replaced."""
        if not isinstance(body, dict):
            raise _bad("expected a JSON object")
        unknown = set(body) - {"limit", "window_seconds", "retry_after", "per_route"}
        if unknown:
            raise _bad(f"unknown field(s): {', '.join(sorted(unknown))}", sorted(unknown)[0])
        new = replace(self, **body)
        if new.limit is not None and not _is_int(new.limit, low=0):
            raise _bad("'limit' must be a non-negative integer or null", "limit")
        if not isinstance(new.window_seconds, (int, float)) or isinstance(new.window_seconds, bool) \
                or new.window_seconds <= 0:
            raise _bad("'window_seconds' must be a positive number", "window_seconds")
        if new.retry_after not in RETRY_AFTER_MODES:
            raise _bad(f"'retry_after' must be one of {', '.join(RETRY_AFTER_MODES)}", "retry_after")
        if not isinstance(new.per_route, dict) or not all(
            isinstance(k, str) and _is_int(v, low=0) for k, v in new.per_route.items()
        ):
            raise _bad("'per_route' must map route keys to non-negative integers", "per_route")
        return new


@dataclass
class FaultRule:
    """Fail the next ``count`` requests matching method and route key (``*`` matches any).

    * ``status``: answer ``status`` with an error body (and Retry-After if ``retry_after``).
    * ``drop_before``: close the connection without applying the request or answering.
    * ``drop_after``: apply the request, then close the connection without answering
      (the ambiguous write: the client cannot know whether it happened).
    """

    method: str
    route: str
    action: str
    status: int | None = None
    retry_after: float | None = None
    count: int = 1
    message: str | None = None

    @classmethod
    def from_json(cls, data: Any, where: str) -> FaultRule:
        if not isinstance(data, dict):
            raise _bad(f"{where}: expected an object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise _bad(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            rule = cls(**data)
        except TypeError as exc:  # a required field is missing
            raise _bad(f"{where}: {exc}") from None
        if not isinstance(rule.method, str) or not isinstance(rule.route, str):
            raise _bad(f"{where}: 'method' and 'route' must be strings")
        rule.method = rule.method.upper()
        if rule.action not in FAULT_ACTIONS:
            raise _bad(f"{where}: 'action' must be one of {', '.join(FAULT_ACTIONS)}")
        if rule.action == "status" and not _is_int(rule.status, low=400, high=599):
            raise _bad(f"{where}: action 'status' needs 'status' between 400 and 599")
        if rule.retry_after is not None and (
            not isinstance(rule.retry_after, (int, float)) or isinstance(rule.retry_after, bool) or rule.retry_after < 0
        ):
            raise _bad(f"{where}: 'retry_after' must be a non-negative number of seconds")
        if not _is_int(rule.count, low=1):
            raise _bad(f"{where}: 'count' must be a positive integer")
        return rule

    def matches(self, key: str) -> bool:
        method, _, route = key.partition(" ")
        return self.method in ("*", method) and self.route in ("*", route)

    def error(self) -> ApiError:
        status = int(self.status or 500)
        headers = {} if self.retry_after is None else {"Retry-After": _format_seconds(self.retry_after)}
        if status == behaviour.RATE_LIMITED_STATUS:
            kind, code = "requests", behaviour.RATE_LIMITED_CODE
        elif status >= 500:
            kind, code = "server_error", None
        else:
            kind, code = INVALID_REQUEST, None
        message = self.message or f"The emulator injected this {status} fault."
        return ApiError(status, message, type=kind, code=code, headers=headers)


@dataclass(frozen=True)
class KnobSettings:
    rate_limit: RateLimitSettings = RateLimitSettings()
    latency_ms: int = 0
    faults: tuple[FaultRule, ...] = ()


def _is_int(value: Any, *, low: int, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


def parse_faults(body: Any) -> list[FaultRule]:
    """``{"rules": [FaultRule, ...]}`` from a control-route body."""
    if not isinstance(body, dict) or not isinstance(body.get("rules"), list) or set(body) - {"rules"}:
        raise _bad('expected {"rules": [...]}')
    return [FaultRule.from_json(item, f"rules[{i}]") for i, item in enumerate(body["rules"])]


def parse_latency(body: Any) -> int:
    if not isinstance(body, dict) or set(body) != {"latency_ms"} or not _is_int(body["latency_ms"], low=0):
        raise _bad('expected {"latency_ms": <non-negative integer>}', "latency_ms")
    return body["latency_ms"]


class Knobs:
    """The live knob settings plus the rate limiter's request log, under one lock."""

    def __init__(self, defaults: KnobSettings) -> None:
        self._lock = threading.Lock()
        self._defaults = defaults
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._rate = self._defaults.rate_limit
            self._latency_ms = self._defaults.latency_ms
            self._faults = [replace(f) for f in self._defaults.faults]
            self._recent: dict[str, deque[float]] = {}

    # --- configuration ---------------------------------------------------------------------
    @property
    def latency_ms(self) -> int:
        return self._latency_ms

    def set_latency(self, ms: int) -> None:
        with self._lock:
            self._latency_ms = ms

    @property
    def rate_limit(self) -> RateLimitSettings:
        return self._rate

    def set_rate_limit(self, settings: RateLimitSettings) -> None:
        with self._lock:
            self._rate = settings
            self._recent.clear()  # a new limit starts with full buckets

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def set_faults(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._faults = rules

    # --- per request -----------------------------------------------------------------------
    def admit(self, key: str) -> ApiError | None:
        """None if the endpoint has budget left (and spend it), else the 429 to answer."""
        now = time.monotonic()
        with self._lock:
            limit, window = self._rate.limit_for(key), self._rate.window_seconds
            if limit is None:
                return None
            recent = self._recent.setdefault(key, deque())
            while recent and recent[0] <= now - window:
                recent.popleft()
            if len(recent) < limit:
                recent.append(now)
                return None
            wait = recent[0] + window - now if recent else window
            mode = self._rate.retry_after
        headers: dict[str, str] = {}
        if mode in ("seconds", "both"):
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        if mode in ("ms", "both"):
            headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
        return ApiError(
            behaviour.RATE_LIMITED_STATUS,
            f"Rate limit reached for requests on {key}: limit {limit} per {window:g}s. "
            f"Please try again in {wait:.1f}s.",
            type="requests",
            code=behaviour.RATE_LIMITED_CODE,
            headers=headers,
        )

    def take_fault(self, key: str) -> FaultRule | None:
        """The first rule matching ``key`` with uses left, spending one use."""
        with self._lock:
            for rule in self._faults:
                if rule.count > 0 and rule.matches(key):
                    rule.count -= 1
                    fired = replace(rule)
                    self._faults = [f for f in self._faults if f.count > 0]
                    return fired
        return None
