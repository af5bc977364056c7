"""Provision an OpenAI organization's project access from the spec in stack config.

See README.md: `pulumi preview`, `pulumi up`, `pulumi refresh`, `pulumi destroy`.
"""

from pulumi_openai_access.components.stack_program import provision_access

provision_access()
