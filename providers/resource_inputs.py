"""The program side of the dynamic resources: turning an args object into registered props."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.runtime.config import get_config, is_config_secret

from .resource_schema import ResourceSchema, output_properties
from .sdk_pickle_workaround import pickler_restored
from .settings import ADMIN_KEY_CONFIG

ArgsT = TypeVar("ArgsT")


def choose_args(args_type: type[ArgsT], args: ArgsT | None, keywords: dict[str, Any]) -> ArgsT:
    """Resources take either an args object or keyword arguments, as Pulumi's own do."""
    allowed = [field.name for field in dataclasses.fields(args_type)]  # type: ignore[arg-type]
    unknown = sorted(set(keywords) - set(allowed))
    if unknown:
        raise TypeError(f"unknown keyword arguments {', '.join(unknown)}; the inputs are {', '.join(allowed)}")
    given = {name: value for name, value in keywords.items() if value is not None}
    if args is not None:
        if given:
            raise TypeError(f"pass either args or keyword arguments ({', '.join(sorted(given))}), not both")
        return args
    return args_type(**given)


def refuse_plaintext_admin_key() -> None:
    """The engine copies the whole stack config into state, as the dynamic provider's own
    inputs: a key set without ``--secret`` would be written there in plain text. Fail the
    program before anything is registered instead."""
    key = ADMIN_KEY_CONFIG
    if get_config(key) is not None and not is_config_secret(key):
        raise ValueError(
            f"{key} is set in plain text, and Pulumi would store it unencrypted in the stack's state: "
            f"set it with `pulumi config set --secret {key} sk-admin-...`, or remove it from the stack "
            "config and export OPENAI_ADMIN_KEY instead"
        )


class AdminApiResource(pulumi.dynamic.Resource):
    """The program side of a dynamic resource whose properties a ``ResourceSchema`` declares.

    A subclass names its schema, ``…Args`` class and provider class in its header; its typed,
    documented output properties are derived from the schema. It takes an args object or
    keyword arguments, as Pulumi's own resources do.
    """

    _schema: ClassVar[ResourceSchema]
    _args_type: ClassVar[type]
    _provider_type: ClassVar[type[pulumi.dynamic.ResourceProvider]]

    def __init_subclass__(
        cls,
        *,
        schema: ResourceSchema,
        args: type,
        provider: type[pulumi.dynamic.ResourceProvider],
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls._schema, cls._args_type, cls._provider_type = schema, args, provider
        for name, prop in output_properties(schema).items():
            setattr(cls, name, prop)

    def __init__(
        self, resource_name: str, args: Any = None, opts: pulumi.ResourceOptions | None = None, **inputs: Any
    ) -> None:
        chosen = choose_args(self._args_type, args, inputs)
        refuse_plaintext_admin_key()
        with pickler_restored():
            super().__init__(self._provider_type(), resource_name, self._schema.registered_props(chosen), opts)
