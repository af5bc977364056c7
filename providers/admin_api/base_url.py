"""Which base URL to talk to, and refusing any that would send the key in clear text."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class InsecureBaseUrlError(ValueError):
    """The base URL would send the admin key over plain HTTP to a non-loopback host, or is
    not an http(s) URL at all."""


def resolve_base_url(base_url: str | None) -> str:
    """The URL given, else $OPENAI_BASE_URL, else the public API; validated, no trailing slash."""
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return validate_base_url(url)


def validate_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise InsecureBaseUrlError(f"the base URL must be an https:// URL, got {url!r}")
    if parts.username or parts.password:
        # credentials in the URL would end up in error messages and logs
        raise InsecureBaseUrlError("the base URL must not contain user:password@")
    if parts.query or parts.fragment:
        raise InsecureBaseUrlError(f"the base URL must not have a query or fragment, got {url!r}")
    if scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureBaseUrlError(
            f"refusing plain http:// to {parts.hostname!r}: the admin key would cross the network "
            "unencrypted; use https://, or http:// only to 127.0.0.0/8, ::1 or localhost"
        )
    return f"{scheme}://{parts.netloc}{parts.path}".rstrip("/")


def is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
