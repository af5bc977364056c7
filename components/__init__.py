"""Component resources that group a team's OpenAI project access.

Import as ``pulumi_openai_access.components``.
"""

from .access_component import OrganizationAccess, TeamAccess
from .access_spec import AccessSpec, AccessSpecError, parse_access_spec

__all__ = ["AccessSpec", "AccessSpecError", "OrganizationAccess", "TeamAccess", "parse_access_spec"]
