"""A user as a stack names them: by OpenAI user id, or by email address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class UserReference:
    user_id: str | None = None
    email: str | None = None

    @classmethod
    def from_inputs(cls, props: Mapping[str, Any]) -> "UserReference":
        return cls(user_id=props.get("user_id") or None, email=props.get("email") or None)

    def __str__(self) -> str:
        return f"user {self.user_id}" if self.user_id else f"user {self.email}"


def requested_email(props: Mapping[str, Any]) -> str | None:
    """The email as the stack wrote it, when the stack names the user by email.

    Kept among the outputs so that refresh can rebuild the inputs exactly as written, and
    show no change. ``props`` are inputs (create, update) or previous outputs (read).
    """
    if "requested_email" in props:
        return props["requested_email"]
    return None if props.get("user_id") else props.get("email")


def user_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The user as the stack's inputs named them, from a resource's outputs."""
    if outputs.get("requested_email"):
        return {"email": outputs["requested_email"]}
    return {"user_id": outputs["user_id"]}
