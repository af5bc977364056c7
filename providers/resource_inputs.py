"""The program side of the dynamic resources: turning an args object into registered props."""

from __future__ import annotations

import dataclasses
import pickle
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.runtime.config import get_config, is_config_secret

from .settings import ADMIN_KEY_CONFIG

ArgsT = TypeVar("ArgsT")


def choose_args(args_type: type[ArgsT], args: ArgsT | None, keywords: dict[str, Any]) -> ArgsT:
    """Resources take either an args object or keyword arguments, as Pulumi's own do."""
    given = {name: value for name, value in keywords.items() if value is not None}
    if args is not None:
        if given:
            raise TypeError(f"pass either args or keyword arguments ({', '.join(sorted(given))}), not both")
        return args
    return args_type(**given)


def registered_props(args: Any, output_names: Iterable[str]) -> dict[str, Any]:
    """The args' fields, plus every output seeded as None: the engine only hands back
    properties that the resource registered (pulumi/pulumi#6678)."""
    # Not dataclasses.asdict: it deep-copies values, and Outputs must pass through untouched.
    props = {field.name: getattr(args, field.name) for field in dataclasses.fields(args)}
    for name in output_names:
        props.setdefault(name, None)
    return props


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


@contextmanager
def pickler_restored() -> Iterator[None]:
    """Undo the pickle patch that registering a dynamic resource leaves behind.

    The SDK's ``serialize_provider`` (pulumi 3.272.0) wraps ``pickle._Pickler._batch_setitems``
    to sort dictionaries and never restores it: each dynamic resource wraps the wrapper
    again, so registration gets slower with every resource and the ~980th fails with
    RecursionError. Restoring the two attributes after each registration keeps it flat.
    """
    saved = pickle._Pickler._batch_setitems, pickle._Pickler.save_dict  # type: ignore[attr-defined]
    try:
        yield
    finally:
        pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = saved  # type: ignore[attr-defined]


class AdminApiResource(pulumi.dynamic.Resource):
    """What registering either resource takes, beyond its own inputs."""

    def _register(
        self,
        provider: pulumi.dynamic.ResourceProvider,
        resource_name: str,
        args: Any,
        output_names: Iterable[str],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        refuse_plaintext_admin_key()
        with pickler_restored():
            super().__init__(provider, resource_name, registered_props(args, output_names), opts)
