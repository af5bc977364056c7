"""The admin key: a secret that can be sent, but not shown, logged or pickled.

Pulumi pickles dynamic providers (with dill) into stack state, so anything that holds the
key must refuse serialization loudly instead of leaking it into a state file.
"""

from __future__ import annotations

import os
import re
from typing import NoReturn

import requests

ADMIN_KEY_ENV = "OPENAI_ADMIN_KEY"

# The only part of a key ever shown: a fixed, public prefix (never the key's own characters).
_SHOWN_PREFIX = "sk-admin"
_REDACTED = "…redacted"

# Anything that looks like an OpenAI key (full or server-masked like "sk-admin-****abcd") or a
# bearer credential. Server messages and library exceptions are scrubbed with these too.
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_*.\-]+")
_BEARER = re.compile(r"(?i)\bbearer\s+\S+")


class AdminKey:
    """An OpenAI admin API key that redacts itself everywhere it could be displayed."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        if isinstance(secret, AdminKey):
            secret = secret._secret
        if not isinstance(secret, str) or not secret.strip():
            raise ValueError("the admin key is empty")
        # Whitespace inside a key is a paste error, and CR/LF would inject headers.
        if any(ch.isspace() for ch in secret.strip()):
            raise ValueError("the admin key contains whitespace")
        self._secret = secret.strip()

    @classmethod
    def from_env(cls, variable: str = ADMIN_KEY_ENV) -> AdminKey:
        value = os.environ.get(variable, "")
        if not value.strip():
            raise ValueError(f"no admin key given and ${variable} is not set")
        return cls(value)

    def authorization_header(self) -> dict[str, str]:
        """The header that authenticates a request; build it at the last moment, keep it nowhere."""
        return {"Authorization": f"Bearer {self._secret}"}

    def scrub(self, text: str) -> str:
        """``text`` with this key and anything key-like or bearer-like replaced."""
        return redact(text.replace(self._secret, _SHOWN_PREFIX + _REDACTED))

    # --- never shown ---------------------------------------------------------------------
    def __repr__(self) -> str:
        shown = _SHOWN_PREFIX if self._secret.startswith(_SHOWN_PREFIX) else ""
        return f"AdminKey('{shown}{_REDACTED}')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        # f"{key}" and format(key, "s") show the redacted form, whatever the spec.
        return repr(self)

    # --- never pickled (pickle, copy, dill all go through these) ------------------------
    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("AdminKey cannot be pickled or copied: it would write the secret out")

    def __reduce__(self) -> NoReturn:
        raise TypeError("AdminKey cannot be pickled or copied: it would write the secret out")

    def __getstate__(self) -> NoReturn:
        raise TypeError("AdminKey cannot be pickled or copied: it would write the secret out")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdminKey) and other._secret == self._secret

    __hash__ = None  # type: ignore[assignment]  # keep the secret out of any hash-based lookup


def resolve_admin_key(admin_key: str | AdminKey | None) -> AdminKey:
    """The key given, else the one in $OPENAI_ADMIN_KEY."""
    if admin_key is None:
        return AdminKey.from_env()
    return admin_key if isinstance(admin_key, AdminKey) else AdminKey(admin_key)


def redact(text: str) -> str:
    """``text`` with key-like tokens and bearer credentials replaced (no particular key known)."""
    text = _BEARER.sub("Bearer " + _REDACTED, text)
    return _KEY_LIKE.sub(_SHOWN_PREFIX + _REDACTED, text)


class BearerAuth(requests.auth.AuthBase):
    """Adds the Authorization header to a prepared request.

    Passing an auth object (rather than a headers dict) keeps the secret out of our own stack
    frames, so a traceback that shows local variables shows ``AdminKey('sk-admin…redacted')``.
    """

    def __init__(self, key: AdminKey) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self._key.authorization_header())
        return request

    def __repr__(self) -> str:
        return f"BearerAuth({self._key!r})"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("BearerAuth cannot be pickled: it holds the admin key")
