"""The stack program: an organization's access from the spec in stack config, and the keys
of its service accounts as a secret stack output (``service_account_keys``).

Stack config (``Pulumi.<stack>.yaml``) holds the spec either inline, under
``openai-access:access``, or as a YAML file named by ``openai-access:accessFile`` (relative
to the project directory). ``__main__.py`` runs this; the Automation API runs it inline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import yaml

from .access_component import OrganizationAccess
from .access_spec import AccessSpec, AccessSpecError, parse_access_spec

SPEC_KEY = "access"
SPEC_FILE_KEY = "accessFile"


def load_spec(config: pulumi.Config) -> AccessSpec:
    inline: Any = config.get_object(SPEC_KEY)
    spec_file = config.get(SPEC_FILE_KEY)
    if inline is not None and spec_file:
        raise AccessSpecError([f"config: set either {SPEC_KEY} or {SPEC_FILE_KEY}, not both"])
    if spec_file:
        path = Path(spec_file)
        if not path.is_file():
            raise AccessSpecError([f"config {SPEC_FILE_KEY}: no such file {path.resolve()}"])
        inline = yaml.safe_load(path.read_text())
    if inline is None:
        raise AccessSpecError([f"config: set {SPEC_KEY} (the spec inline) or {SPEC_FILE_KEY} (a YAML file)"])
    return parse_access_spec(inline)


def provision_access() -> OrganizationAccess:
    try:
        spec = load_spec(pulumi.Config())
    except (AccessSpecError, yaml.YAMLError) as error:
        # A RunError is shown as its message alone: a bad spec is the user's to fix, and a
        # traceback of this program would only bury the lines that say what is wrong.
        raise pulumi.RunError(str(error)) from None
    organization = OrganizationAccess("organization", spec)
    pulumi.export("access", organization.access)
    if organization.groups:
        pulumi.export("group_access", organization.group_access)
        summary = pulumi.Output.all(organization.access, organization.group_access).apply(
            lambda both: readable_summary(both[0]) + readable_group_summary(both[1]))
    else:
        summary = organization.access.apply(readable_summary)
    pulumi.export("summary", summary)
    # Declared access that ends within 14 days: [{project_id, member, what, ends}]
    pulumi.export("access_ending", organization.access_ending)
    if organization.declared.projects:
        # project key → project id, for other stacks (StackReference) and for people
        pulumi.export("projects", {key: project.id for key, project in organization.declared.projects.items()})
    if organization.invites:
        # email → {status: member | pending | accepted | lapsed, invite_id, expires_at}
        pulumi.export("invites", organization.invite_statuses)
    if organization.service_accounts:
        # project → account name → API key, a secret: another stack reads it with
        # StackReference(...).get_output("service_account_keys").
        pulumi.export("service_account_keys", organization.service_account_keys)
    return organization


def readable_summary(access: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One line per membership: ``proj_x: ada@example.com owner +role-… (team-a, team-b)``."""
    lines = []
    for project_id, members in sorted(access.items()):
        for member, grant in sorted(members.items()):
            extras = "".join(f" +{role}" for role in grant["roles"])
            ends = f" until {grant['ends']}" if grant.get("ends") else ""
            lines.append(f"{project_id}: {member} {grant['role']}{extras} ({', '.join(grant['teams'])}){ends}")
    return lines


def readable_group_summary(group_access: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One line per group grant: ``proj_x: group data-team member +role-… (data): ada@…, grace@…``."""
    lines = []
    for project_id, groups in sorted(group_access.items()):
        for group, grant in sorted(groups.items()):
            extras = "".join(f" +{role}" for role in grant["roles"])
            who = "its users as the identity provider keeps them" if grant["members"] is None \
                else ", ".join(grant["members"])
            lines.append(f"{project_id}: group {group} {grant['role']}{extras} ({grant['team']}): {who}")
    return lines
