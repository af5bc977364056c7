"""What every dynamic provider of this package shares: configuration, pickling, the API gateway.

Provider instances are pickled by reference into every resource's ``__provider`` (the class's
module path and name, nothing else), so they carry no state: settings arrive through
``configure`` in the provider process and the HTTP client lives in a process-wide registry.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from .access_gateway import AccessGateway, access_for
from .settings import ProviderSettings


class AdminApiProvider(ResourceProvider):
    # Nothing secret is captured, so the serialized provider need not be encrypted per
    # resource (pulumi/pulumi#15538).
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        self._settings = ProviderSettings.resolve(req.config)
        _show_progress_on_stderr()
        _errors_without_traceback()

    def __getstate__(self) -> dict[str, Any]:
        # Only the class reference is pickled: never settings, clients or caches.
        return {}

    @property
    def access(self) -> AccessGateway:
        settings = getattr(self, "_settings", None) or ProviderSettings.resolve(None)
        return access_for(settings)


# Set to 1 to see the providers' tracebacks in the engine's output (for a bug report).
TRACEBACKS_ENV = "OPENAI_ACCESS_TRACEBACKS"


def _errors_without_traceback() -> None:
    """The SDK's provider server (``python -m pulumi.dynamic``) hands the engine
    ``traceback.format_exc()`` for every exception a provider raises, and the engine prints all
    of it. ``format_exc`` takes its depth from ``sys.tracebacklimit``: at 0 it is the exception's
    own line, ``Type: message``, and every message here says what to do. Only in that server
    process: a program, or a test that imports the providers, keeps its tracebacks."""
    main_module = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(main_module, "name", None) == "pulumi.dynamic.__main__" and os.environ.get(TRACEBACKS_ENV) != "1":
        sys.tracebacklimit = 0


def _show_progress_on_stderr() -> None:
    """The engine shows the provider process's stderr in its output: let retries, throttling
    waits and read-backs appear there, so that a long wait on a throttled API is explained.
    (The client's log lines never carry the key.)"""
    package_logger = logging.getLogger(__name__.rpartition(".")[0])
    if package_logger.handlers or logging.getLogger().handlers:
        return  # logging was set up already (say, at DEBUG): leave it as it is
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("openai-access: %(message)s"))
    package_logger.addHandler(handler)
    package_logger.setLevel(logging.INFO)
