"""Resource ids: ``{project_id}/{user_id}`` and ``{project_id}/{user_id}/{role_id}``."""

from __future__ import annotations


def split_resource_id(id_: str, parts: int) -> list[str]:
    """``proj/user[/role]`` ids; the last part keeps any further slashes."""
    pieces = id_.split("/", parts - 1)
    if len(pieces) != parts or not all(pieces):
        raise ValueError(f"resource id {id_!r} is not of the form {'/'.join(['…'] * parts)}")
    return pieces
