"""Identifier formats, matching the shapes seen on the real API (treated as opaque there)."""

from __future__ import annotations

import secrets
import string
import time

_ALNUM = string.ascii_letters + string.digits
# ULIDs use Crockford's base32: no I, L, O or U.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _alnum(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def user_id() -> str:
    return "user-" + _alnum(24)


def project_id() -> str:
    return "proj_" + _alnum(24)


def _ulid() -> str:
    """A 26-character ULID: 10 characters of milliseconds, 16 random."""
    millis = int(time.time() * 1000)
    stamp = ""
    for _ in range(10):
        millis, digit = divmod(millis, 32)
        stamp = _CROCKFORD[digit] + stamp
    return stamp + "".join(secrets.choice(_CROCKFORD) for _ in range(16))


def role_id() -> str:
    return "role_" + _ulid()


def service_account_id() -> str:
    return "svc_acct_" + _alnum(24)


def invite_id() -> str:
    return "invite-" + _alnum(24)


def api_key_id() -> str:
    return "key_" + _alnum(16)


def service_account_key_value() -> str:
    return "sk-svcacct-" + _alnum(48)


def request_id() -> str:
    return "req_" + secrets.token_hex(16)


def group_id() -> str:
    """``group_`` + a ULID, the reference's example shape (group_01J1F8ABCD...)."""
    return "group_" + _ulid()
