"""Request parsing as strict as the public API: bad query values, malformed JSON, unknown
or mistyped body fields are 400 ``invalid_request_error`` naming the parameter. The
messages follow the public API's usual wording."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from .errors import ApiError

_JSON_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
                    list: "an array", dict: "an object", type(None): "null"}


def _type_name(value: Any) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def limit(args: MultiDict, *, low: int, high: int, default: int) -> int:
    raw = args.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid 'limit': expected an integer, but got {raw!r} instead.", param="limit") from None
    if not low <= value <= high:
        raise ApiError(
            400, f"Invalid 'limit': integer {value} is out of range; it must be between {low} and {high}.",
            param="limit",
        )
    return value


def order(args: MultiDict, default: str = "asc") -> str:
    value = args.get("order", default)
    if value not in ("asc", "desc"):
        raise ApiError(400, f"Invalid 'order': expected one of 'asc', 'desc', but got {value!r}.", param="order")
    return value


def flag(args: MultiDict, name: str) -> bool:
    value = args.get(name, "false").lower()
    if value not in ("true", "false"):
        raise ApiError(400, f"Invalid '{name}': expected a boolean, but got {value!r}.", param=name)
    return value == "true"


def after(args: MultiDict) -> str | None:
    return args.get("after") or None


def string_list(args: MultiDict, name: str) -> list[str] | None:
    """An array query parameter, accepted as ``name[]=a&name[]=b`` (what openai-python sends)
    and as repeated ``name=a&name=b``. None when absent."""
    values = args.getlist(f"{name}[]") + args.getlist(name)
    return values if (f"{name}[]" in args or name in args) else None


@dataclass(frozen=True)
class Field:
    """One body field: JSON type, required or not, whether null is allowed, allowed values."""

    kind: type
    required: bool = False
    nullable: bool = False
    choices: tuple[str, ...] | None = None


def json_body(request: Request, fields: dict[str, Field]) -> dict[str, Any]:
    """The body as a dict holding only declared fields; absent optional ones are None."""
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except ValueError:
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. The API expects a JSON payload, "
            "but what was sent was not valid JSON.",
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid body: expected a JSON object, but got {_type_name(body)} instead.")
    for name in body:
        if name not in fields:
            raise ApiError(400, f"Unrecognized request argument supplied: {name}", param=name)
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        value = body.get(name)
        if value is None:
            if name in body and not spec.nullable:
                raise ApiError(400, f"Invalid type for '{name}': expected {_JSON_TYPE_NAMES[spec.kind]}, "
                                    "but got null instead.", param=name)
            if name not in body and spec.required:
                raise ApiError(400, f"Missing required parameter: '{name}'.", param=name)
        elif type(value) is not spec.kind:  # bool is not an int here, unlike isinstance
            raise ApiError(
                400,
                f"Invalid type for '{name}': expected {_JSON_TYPE_NAMES[spec.kind]}, "
                f"but got {_type_name(value)} instead.",
                param=name,
            )
        elif spec.choices is not None and value not in spec.choices:
            allowed = ", ".join(f"'{c}'" for c in spec.choices)
            raise ApiError(400, f"Invalid value for '{name}': expected one of {allowed}, but got {value!r}.",
                           param=name)
        values[name] = value
    return values
