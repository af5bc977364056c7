"""Where the providers find their credentials and endpoint, inside the provider process.

Stack config first (``pulumi config set --secret openai:adminKey …``, read in ``configure``),
then the environment. The key is never a resource input or output, nor part of the pickled
provider. The engine does record the stack config in state, as the dynamic provider's own
configuration: encrypted when set with ``--secret`` (the resources refuse it otherwise), and
not at all when the key comes from $OPENAI_ADMIN_KEY.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

from .admin_api.credentials import AdminKey
from .admin_api.pace import DEFAULT_WINDOW_SECONDS

CONFIG_NAMESPACE = "openai"
ADMIN_KEY_CONFIG = f"{CONFIG_NAMESPACE}:adminKey"
BASE_URL_CONFIG = f"{CONFIG_NAMESPACE}:baseUrl"
REQUESTS_PER_MINUTE_CONFIG = f"{CONFIG_NAMESPACE}:requestsPerMinute"
RATE_LIMIT_WINDOW_CONFIG = f"{CONFIG_NAMESPACE}:rateLimitWindowSeconds"

ADMIN_KEY_ENV = "OPENAI_ADMIN_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
REQUESTS_PER_MINUTE_ENV = "OPENAI_ADMIN_REQUESTS_PER_MINUTE"
RATE_LIMIT_WINDOW_ENV = "OPENAI_ADMIN_RATE_LIMIT_WINDOW_SECONDS"


class ConfigSource(Protocol):
    def get(self, key: str) -> Any: ...


@dataclass(frozen=True, eq=False)
class ProviderSettings:
    admin_key: AdminKey | None = field(repr=False)
    base_url: str | None
    # An upper bound on each endpoint's rate; the client learns the API's own pace anyway.
    requests_per_minute: float | None
    # The period over which the API counts each endpoint's requests (60 s observed): what the
    # learned pace assumes. Only an API that changed, or an emulator, needs another.
    rate_limit_window: float = DEFAULT_WINDOW_SECONDS

    def identity(self) -> tuple[str | None, float | None, float, str | None]:
        """What tells two configurations apart, holding only a digest of the key."""
        header = self.admin_key.authorization_header()["Authorization"] if self.admin_key else None
        digest = hashlib.sha256(header.encode()).hexdigest() if header else None
        return (self.base_url, self.requests_per_minute, self.rate_limit_window, digest)

    @classmethod
    def resolve(cls, config: ConfigSource | None, environ: Mapping[str, str] = os.environ) -> "ProviderSettings":
        def setting(config_key: str, env_key: str) -> str | None:
            value = config.get(config_key) if config is not None else None
            if value in (None, ""):
                value = environ.get(env_key) or None
            return None if value is None else str(value)

        key = setting(ADMIN_KEY_CONFIG, ADMIN_KEY_ENV)
        rate = setting(REQUESTS_PER_MINUTE_CONFIG, REQUESTS_PER_MINUTE_ENV)
        window = setting(RATE_LIMIT_WINDOW_CONFIG, RATE_LIMIT_WINDOW_ENV)
        return cls(
            admin_key=AdminKey(key) if key else None,
            base_url=setting(BASE_URL_CONFIG, BASE_URL_ENV),
            requests_per_minute=_positive_number(rate, REQUESTS_PER_MINUTE_CONFIG, "requests per minute"),
            rate_limit_window=_positive_number(window, RATE_LIMIT_WINDOW_CONFIG, "seconds")
            or DEFAULT_WINDOW_SECONDS,
        )


def _positive_number(value: str | None, name: str, unit: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < float("inf"):
        raise ValueError(f"{name} must be a positive number of {unit}, got {value!r}")
    return number
