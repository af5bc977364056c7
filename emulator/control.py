"""Control routes under /_emulator (outside /v1, no auth) that tests and benchmarks use to
set up and inspect the emulator.

=======================  =====================================================================
``GET  /_emulator/requests``    request counts: ``{"total", "by_route": {"METHOD /v1/...": n},
                                ``"rate_limited": {"total", "by_route"}, "faults": {...},
                                "writes": [{"method", "path", "status"}] in order}``
``POST /_emulator/reset``       body (optional) ``{"seed": {...}, "keep_counters": false,
                                "keep_knobs": false}``: replace the state with the seed (default:
                                the startup seed) and reset counters and knobs (faults, rate
                                limit, latency) to the startup settings unless told to keep them
``GET|POST /_emulator/faults``  ``{"rules": [{"method", "route", "action": "status"|"drop_before"|
                                "drop_after", "status"?, "retry_after"?, "count"?: 1,
                                "message"?}]}``; POST replaces all rules, GET shows those left
``GET|POST /_emulator/rate_limit``  ``{"limit": n|null, "window_seconds": 60, "retry_after":
                                "seconds"|"ms"|"both"|"none", "per_route": {"METHOD /v1/...": n}}``;
                                POST changes only the fields given
``GET|POST /_emulator/latency`` ``{"latency_ms": n}``
``GET  /_emulator/state``       the state in seed format (see ``seed``)
``POST /_emulator/invites/{invite_id}/accept``  what the person's acceptance does: the
                                organization user (the invite's role) and the memberships the
                                invite names; answers ``{"invite": {...}, "user": {...}}``
=======================  =====================================================================
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from .counters import RequestCounters
from .errors import ApiError
from .knobs import Knobs, parse_faults, parse_latency
from .seed import SeedError, build_state, dump_state
from .shapes import Json
from .store import Store

PREFIX = "/_emulator"


class Control:
    def __init__(self, store: Store, knobs: Knobs, counters: RequestCounters, reset_seed: Any) -> None:
        self.store, self.knobs, self.counters = store, knobs, counters
        self.reset_seed = reset_seed
        self.map = Map([
            Rule(f"{PREFIX}/requests", endpoint="requests", methods=["GET"]),
            Rule(f"{PREFIX}/reset", endpoint="reset", methods=["POST"]),
            Rule(f"{PREFIX}/faults", endpoint="faults", methods=["GET", "POST"]),
            Rule(f"{PREFIX}/rate_limit", endpoint="rate_limit", methods=["GET", "POST"]),
            Rule(f"{PREFIX}/latency", endpoint="latency", methods=["GET", "POST"]),
            Rule(f"{PREFIX}/state", endpoint="state", methods=["GET"]),
            Rule(f"{PREFIX}/invites/<invite_id>/accept", endpoint="accept_invite", methods=["POST"]),
        ])

    def dispatch(self, request: Request) -> Json:
        try:
            endpoint, path_args = self.map.bind_to_environ(request.environ).match()
        except HTTPException:
            raise ApiError(404, f"Invalid URL ({request.method} {request.path})") from None
        body = _body(request) if request.method == "POST" else None
        return getattr(self, endpoint)(body, **path_args)

    def requests(self, _: Any) -> Json:
        return self.counters.snapshot()

    def reset(self, body: Any) -> Json:
        body = {} if body is None else body
        if not isinstance(body, dict) or set(body) - {"seed", "keep_counters", "keep_knobs"}:
            raise ApiError(400, 'expected {"seed"?: {...}, "keep_counters"?: bool, "keep_knobs"?: bool}')
        try:
            state = build_state(body["seed"] if body.get("seed") is not None else self.reset_seed)
        except SeedError as exc:
            raise ApiError(400, str(exc), param="seed") from None
        self.store.replace_state(state)
        if not body.get("keep_counters"):
            self.counters.reset()
        if not body.get("keep_knobs"):
            self.knobs.reset()
        return {"reset": True}

    def faults(self, body: Any) -> Json:
        if body is not None:
            self.knobs.set_faults(parse_faults(body))
        return {"rules": self.knobs.faults()}

    def rate_limit(self, body: Any) -> Json:
        if body is not None:
            self.knobs.set_rate_limit(self.knobs.rate_limit.updated(body))
        return self.knobs.rate_limit.to_json()

    def latency(self, body: Any) -> Json:
        if body is not None:
            self.knobs.set_latency(parse_latency(body))
        return {"latency_ms": self.knobs.latency_ms}

    def state(self, _: Any) -> Json:
        return self.store.read(dump_state)

    def accept_invite(self, _: Any, invite_id: str) -> Json:
        return self.store.accept_invite(invite_id)


def _body(request: Request) -> Any:
    """The JSON body; an empty body is None (so POST /reset needs none)."""
    raw = request.get_data()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "the body is not valid JSON") from None
