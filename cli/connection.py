"""The admin key and the endpoint, taken exactly as the providers take them, and the
providers' own gateway over them (client, retries, throttle, shared listings).

Precedence: the command's flags, then the stack's config (``audit --stack``: base URL and
rate only), then the environment ($OPENAI_ADMIN_KEY, $OPENAI_BASE_URL,
$OPENAI_ADMIN_REQUESTS_PER_MINUTE).

The client retries as the providers' does, with one exception: a URL that cannot be reached
at all on the run's first request (refused, unknown host) fails at once, with the error line
naming the URL, instead of after the ~2 minutes of retries meant for a flaky network. Once
the API has answered, a dropped connection is retried as usual.
"""

from __future__ import annotations

from typing import Mapping

from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.client import AdminClient
from ..providers.admin_api.retry import RetryPolicy
from ..providers.settings import ADMIN_KEY_ENV, BASE_URL_CONFIG, REQUESTS_PER_MINUTE_CONFIG, ProviderSettings


COMMAND_RETRY = RetryPolicy(retry_unreachable_before_first_answer=False)


class MissingAdminKey(ValueError):
    def __init__(self) -> None:
        super().__init__(
            f"no admin key: export {ADMIN_KEY_ENV} with an admin key of the organization "
            "(Organization settings > Admin keys on platform.openai.com)"
        )


def open_gateway(
    base_url: str | None, requests_per_minute: float | None, stack_settings: Mapping[str, str] | None = None
) -> AccessGateway:
    config = dict(stack_settings or {})
    if base_url:
        config[BASE_URL_CONFIG] = base_url
    if requests_per_minute is not None:
        config[REQUESTS_PER_MINUTE_CONFIG] = str(requests_per_minute)
    settings = ProviderSettings.resolve(config)
    if settings.admin_key is None:
        raise MissingAdminKey()
    client = AdminClient(settings.admin_key, settings.base_url, retry=COMMAND_RETRY,
                         requests_per_minute=settings.requests_per_minute,
                         rate_limit_window=settings.rate_limit_window)
    return AccessGateway(client)
