"""The discovered access as a spec file, in the stack program's format, with comments.

Written by hand rather than by a YAML dumper because the file carries comments (each
project's name, each custom role's name) and must be byte-identical for an unchanged
organization. Scalars that YAML could read as something else are double-quoted (JSON
strings are valid YAML).

A project's own custom roles are declared under ``project_roles`` (their name, permissions and
description), each under a key made from its name, and the grants that carry one name it by
that key: the adopting ``up`` takes each over as it is (same name, permissions and
description: no write). Projects stay referenced by id (they exist: nothing to create).

Service accounts are listed in a comment block, never declared: declaring one makes `pulumi
up` take it over and issue it a new key, which would break discover's promise that the
adopting `up` sends no write, and could mint keys nobody asked for. Managing one is the
reader's decision, made by moving its line under ``service_accounts:``. Pending invites are
listed the same way: their people are not in the organization yet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Sequence

from ..components.access_spec import KEY_PATTERN
from ..components.expiry import rfc3339
from ..providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS
from ..providers.admin_api.models import InviteRecord
from ..providers.input_checks import ROLE_ID_PATTERN
from .live_org import LiveOrganization
from .team_inference import InferredGrant, InferredTeam, slug

# Plain scalars that read back as the same string: ids, emails, slugs.
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+\-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
_NUMBER = re.compile(r"^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$|^0[xo][0-9a-fA-F_]+$")


def render_spec(org: LiveOrganization, teams: list[InferredTeam], invites: Sequence[InviteRecord] = ()) -> str:
    keys = role_keys(org)
    people = len({person for team in teams for person in team.members})
    lines = [
        "# Access spec discovered by `openai-access discover`: "
        f"{len(org.members)} memberships of {people} people in {len(org.projects)} projects, as {len(teams)} teams.",
        "# People with identical access form one team; each group granted a project is a team too.",
        "# adopt: true takes over what exists, with no write.",
        "adopt: true",
        *_project_role_lines(org, keys),
        "teams:" if teams else "teams: {}",
    ]
    for team in teams:
        lines.append(f"  {_scalar(team.name)}:")
        if team.group is not None:
            lines.append(f"    group: {_scalar(team.group)}")
        if team.external_group is not None:
            lines.append(f"    external_group: {_scalar(team.external_group)}  # never written to: "
                         "its users are the identity provider's" if _is_scim(org, team.external_group)
                         else f"    external_group: {_scalar(team.external_group)}  # never written to")
        if team.external_group is None:
            lines.append("    members:" if team.members else "    members: []")
            lines += [f"      - {_scalar(person)}" for person in team.members]
        lines.append("    grants:")
        for grant in team.grants:
            lines += _grant_lines(grant, org, keys)
    lines += _service_account_comments(org)
    lines += _pending_invite_comments(invites)
    return "\n".join(lines) + "\n"


def _is_scim(org: LiveOrganization, reference: str) -> bool:
    return any(group.is_scim_managed and reference in (group.name, group.id) for group in org.groups)
def _pending_invite_comments(invites: Sequence[InviteRecord]) -> list[str]:
    """People invited who have not joined yet, sorted by email then id: they are not in the
    organization, so a spec cannot adopt them; declaring one (with `invite: true`) takes the
    invite over."""
    if not invites:
        return []
    lines = [
        f"# Pending invites ({len(invites)}), listed but not declared: these people have not joined yet. To give",
        "# one access, declare them by email in a team and set `invite: true`: `pulumi up` takes their invite over.",
    ]
    for invite in sorted(invites, key=lambda i: (i.email.casefold(), i.id)):
        projects = ", ".join(f"{p.id} ({p.role})" for p in invite.projects)
        expires = f", expires {rfc3339(_utc(invite.expires_at))}" if invite.expires_at else ""
        lines.append(f"#   {invite.email.casefold()}: {invite.role}{' in ' + projects if projects else ''}"
                     f"  # {invite.id}{expires}")
    return lines


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def _service_account_comments(org: LiveOrganization) -> list[str]:
    """Per project: name, role, id and key count of each account, in the spec's own syntax
    once uncommented (``name: {role: ...}``), sorted as ``org`` is."""
    if not org.service_accounts:
        return []
    lines = [
        f"# Service accounts ({len(org.service_accounts)}), listed but not declared: declaring one makes `pulumi up`",
        "# take it over and issue it a NEW key (its existing keys keep working). To manage one, move its line",
        "# under service_accounts: <project id>: (same name and role); see \"The access spec\" in the README.",
        "# service_accounts:",
    ]
    for project_id in sorted({account.project_id for account in org.service_accounts}):
        lines.append(f"#   {_scalar(project_id)}:{_comment(org.projects.get(project_id))}")
        for account in org.service_accounts_of(project_id):
            keys = "" if account.keys is None else f", {account.keys} key{'' if account.keys == 1 else 's'}"
            lines.append(f"#     {_scalar(account.name)}: {{role: {account.role}}}"
                         f"  # id {account.id}{keys}")
    return lines


def role_keys(org: LiveOrganization) -> dict[tuple[str, str], str]:
    """(project id, role id) -> the key that names the project's custom role in the spec: its
    name as a slug (``custom-…`` where the slug would read as a role id), ``-2``… when taken.
    A role without permissions cannot be declared (the spec, like the API's create, needs
    one): it stays referenced by id."""
    keys = {}
    for project_id, roles in org.project_roles.items():
        taken: set[str] = set()
        for role in (role for role in roles if role.permissions):
            base = slug(role.name or "") or "role"
            if ROLE_ID_PATTERN.match(base) or not KEY_PATTERN.match(base):
                base = f"custom-{base}"
            key, n = base, 1
            while key in taken:
                n += 1
                key = f"{base}-{n}"
            taken.add(key)
            keys[(project_id, role.id)] = key
    return keys


def _project_role_lines(org: LiveOrganization, keys: dict[tuple[str, str], str]) -> list[str]:
    declared = sorted({project_id for project_id, _ in keys})
    if not declared:
        return []
    lines = ["# The projects' own custom roles: the grants below name them by these keys.", "project_roles:"]
    for project_id in declared:
        lines.append(f"  {_scalar(project_id)}:{_comment(org.projects.get(project_id))}")
        roles = [role for role in org.project_roles[project_id] if (project_id, role.id) in keys]
        for role in sorted(roles, key=lambda r: keys[(project_id, r.id)]):
            key = keys[(project_id, role.id)]
            lines.append(f"    {_scalar(key)}:  # {role.id}")
            if role.name != key:
                lines.append(f"      name: {_scalar(role.name or '')}")
            lines.append("      permissions:")
            lines += [f"        - {_scalar(permission)}" for permission in sorted(set(role.permissions))]
            if role.description is not None:
                lines.append(f"      description: {_scalar(role.description)}")
    return lines


def _grant_lines(grant: InferredGrant, org: LiveOrganization, keys: dict[tuple[str, str], str]) -> list[str]:
    project = f"      {_scalar(grant.project_id)}:"
    comment = _comment(org.projects.get(grant.project_id))
    if not grant.extra_roles:
        return [f"{project} {grant.role}{comment}"]
    lines = [f"{project}{comment}", f"        role: {grant.role}", "        roles:"]
    for role_id in grant.extra_roles:
        key = keys.get((grant.project_id, role_id))
        if key is not None:
            lines.append(f"          - {_scalar(key)}")  # declared under project_roles
            continue
        name = None if role_id in PREDEFINED_PROJECT_ROLE_IDS else org.role_names.get(role_id)
        lines.append(f"          - {_scalar(role_id)}{_comment(name)}")
    return lines


def _comment(text: str | None) -> str:
    return f"  # {' '.join(text.split())}" if text else ""


def _scalar(text: str) -> str:
    plain = _PLAIN.match(text) and text.casefold() not in _YAML_WORDS and not _NUMBER.match(text)
    return text if plain else json.dumps(text, ensure_ascii=False)
