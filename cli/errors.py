"""Every failure of the command as one line that says what to do; never a traceback, never
the key (each line is scrubbed of anything key-like)."""

from __future__ import annotations

import yaml

from ..components.access_spec import AccessSpecError
from ..providers.admin_api.base_url import InsecureBaseUrlError
from ..providers.admin_api.credentials import redact
from ..providers.admin_api.errors import (
    AdminApiError,
    ApiConnectionError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)


def error_line(error: BaseException, *, base_url: str | None, spec_source: str | None) -> str:
    """``error`` as one line; ``spec_source`` names where the spec came from."""
    return " ".join(redact(_explain(error, base_url or "the API", spec_source or "the spec")).split())


def _explain(error: BaseException, base_url: str, spec_source: str) -> str:
    if isinstance(error, AccessSpecError):
        return f"{spec_source}: invalid access spec: " + "; ".join(error.problems)
    if isinstance(error, yaml.YAMLError):
        return f"{spec_source}: not valid YAML: {error}"
    if isinstance(error, InsecureBaseUrlError):
        return f"{error} (from --base-url or $OPENAI_BASE_URL)"
    if isinstance(error, AuthenticationError):
        return (f"{base_url} refused the admin key ({error}): check that $OPENAI_ADMIN_KEY holds an admin key "
                "of this organization, not a project key, and that it was not revoked")
    if isinstance(error, PermissionDeniedError):
        return f"the admin key may not read this ({error}): use an admin key with read access to projects and users"
    if isinstance(error, ApiConnectionError):
        return f"cannot reach {base_url}: {error}: check --base-url / $OPENAI_BASE_URL and the network"
    if isinstance(error, RateLimitedError):
        return f"still rate limited after retrying ({error}): lower --requests-per-minute and run again"
    if isinstance(error, NotFoundError):
        return f"{error}: check the id (`openai-access discover` lists the active projects)"
    if isinstance(error, AdminApiError):
        return f"the Admin API failed: {error}"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    if isinstance(error, (ValueError, OSError)):
        return str(error)
    return f"unexpected {type(error).__name__}: {error} (please report it)"
