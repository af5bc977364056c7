"""A stack's config file, ``Pulumi.<stack>.yaml`` in the Pulumi project directory.

``discover --stack NAME`` points the stack at the spec file it wrote
(``<project>:accessFile``, relative to the project directory, as the stack program reads
it); ``audit --stack NAME`` reads the spec the way the stack program does (``load_spec``:
inline ``<project>:access`` or the file), and the endpoint settings the providers would
take from that stack (``openai:baseUrl``, ``openai:requestsPerMinute``,
``openai:rateLimitWindowSeconds``). The namespace is the
project's name from ``Pulumi.yaml``, as for ``pulumi.Config()`` in the program. The admin
key is never read from it: a secret there is encrypted for Pulumi alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..components.access_spec import AccessSpec
from ..components.stack_program import SPEC_FILE_KEY, SPEC_KEY, load_spec
from ..providers.settings import BASE_URL_CONFIG, RATE_LIMIT_WINDOW_CONFIG, REQUESTS_PER_MINUTE_CONFIG


class StackFileError(ValueError):
    """A stack file or project that cannot be used, with what to do."""


def project_name(project_dir: Path) -> str:
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise StackFileError(f"no Pulumi.yaml in {project_dir.resolve()}: run this in your Pulumi project directory")
    name = (_read_yaml(project_file) or {}).get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(f"{project_file}: has no project name")
    return name


def stack_file(project_dir: Path, stack: str) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    path = stack_file(project_dir, stack)
    project_name(project_dir)
    if not path.is_file():
        raise StackFileError(f"no {path.name} in {project_dir.resolve()}: is the stack called {stack!r}?")
    config = (_read_yaml(path) or {}).get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: `config` is not a mapping")
    return config


def ensure_stack_can_read_a_spec_file(project_dir: Path, stack: str) -> None:
    """Refuses, before anything is read or written, a stack that holds its spec inline."""
    namespace = project_name(project_dir)
    path = stack_file(project_dir, stack)
    config = ((_read_yaml(path) if path.is_file() else None) or {}).get("config") or {}
    if f"{namespace}:{SPEC_KEY}" in config:
        raise StackFileError(
            f"{path.name} holds the spec inline ({namespace}:{SPEC_KEY}): remove it first, "
            f"or write the discovered spec there yourself"
        )


def point_stack_at_spec(project_dir: Path, stack: str, spec_file: Path, settings: Mapping[str, str] = {}) -> Path:
    """Sets ``<project>:accessFile`` in the stack file (created if absent), and ``settings``
    (full keys such as ``openai:baseUrl``); other settings, comments and the encryption salt
    stay as they are."""
    ensure_stack_can_read_a_spec_file(project_dir, stack)
    namespace = project_name(project_dir)
    path = stack_file(project_dir, stack)
    document = (_read_yaml(path) if path.is_file() else None) or {}
    config = document.get("config") or {}
    relative = Path(spec_file).resolve().relative_to(project_dir.resolve()) if _inside(spec_file, project_dir) else spec_file
    wanted = {f"{namespace}:{SPEC_FILE_KEY}": str(relative), **settings}
    edited = path.read_text() if path.is_file() else ""
    for key, value in wanted.items():
        edited = _with_setting(edited, key, value)
    if (yaml.safe_load(edited) or {}).get("config") != {**config, **wanted}:
        # a layout the line edit does not handle (flow style, anchors): rewrite, losing comments
        edited = yaml.safe_dump({**document, "config": {**config, **wanted}}, sort_keys=False)
    path.write_text(edited)
    return path


def _with_setting(text: str, key: str, value: str) -> str:
    """``text`` with ``config.<key>`` set by editing one line, so that the file's comments and
    layout stay as the user wrote them."""
    line = f"  {key}: {json.dumps(value)}"
    lines = text.splitlines()
    for index, existing in enumerate(lines):
        if re.match(rf"^\s+{re.escape(key)}\s*:", existing):
            lines[index] = line
            return "\n".join(lines) + "\n"
    for index, existing in enumerate(lines):
        if re.match(r"^config:\s*(#.*)?$", existing):
            lines.insert(index + 1, line)
            return "\n".join(lines) + "\n"
    return "\n".join([*lines, "config:", line]) + "\n"


def load_stack_spec(project_dir: Path, stack: str) -> AccessSpec:
    """The stack's spec, read and checked exactly as the stack program does (paths in the
    config are relative to the project directory, the current one)."""
    return load_spec(_StackConfig(stack_config(project_dir, stack), project_name(project_dir)))


def endpoint_settings(config: Mapping[str, Any]) -> dict[str, str]:
    """The stack's base URL, request rate and rate-limit window, as the providers would read them
    (never the key)."""
    return {key: str(config[key]) for key in (BASE_URL_CONFIG, REQUESTS_PER_MINUTE_CONFIG, RATE_LIMIT_WINDOW_CONFIG)
            if config.get(key) is not None}


class _StackConfig:
    """A stack file's config seen through the two calls ``load_spec`` makes on ``pulumi.Config``."""

    def __init__(self, values: Mapping[str, Any], namespace: str) -> None:
        self._values = values
        self._namespace = namespace

    def get_object(self, key: str) -> Any:
        return self._values.get(f"{self._namespace}:{key}")

    def get(self, key: str) -> str | None:
        value = self.get_object(key)
        return None if value is None else str(value)


def _inside(path: Path, directory: Path) -> bool:
    return Path(path).resolve().is_relative_to(directory.resolve())


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
