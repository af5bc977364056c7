"""An audit's result for people (a table grouped by project), for machines (JSON) and for a
pull request (Markdown).

The JSON shape is stable (``"format": 1``; fields are added, never renamed or removed)::

    {"format": 1, "in_sync": false,
     "counts": {"missing_member": 1, "role_differs": 0, "missing_extra_role": 0,
                "undeclared_member": 2, "undeclared_extra_role": 0},
     "projects": [{"project_id": "proj_…", "name": "Web Storefront" | null, "in_spec": true,
                   "in_sync": false,
                   "differences": [{"kind": "missing_member", "member": "ada@example.com",
                                    "user_id": "user-…" | null, "role_id": null,
                                    "declared": {"role": "owner", "roles": []} | null,
                                    "live": {"role": "member", "roles": ["role-…"]} | null,
                                    "service_account_ids": [], "group": null}],
                   "unmanaged_service_accounts": [{"id": "svc_acct_…", "name": "ci-bot",
                                                   "role": "member"}],
                   "exclusive": false,
                   "information": [<differences that do not count: undeclared, not exclusive>],
                   "kept": [{"member", "user_id", "live", "reason"}],
                   "pending_invites": [{"member": "new@example.com", "invite_id": "invite-…",
                                        "expires_at": 1767225600}]}]}

``name`` is null for a project the spec names that is not an active project; ``user_id`` is
null for a person the organization does not know. The service-account kinds
(``missing_service_account``, ``service_account_role_differs``, ``ambiguous_service_account``)
put the account's name in ``member``, the ids of the live accounts of that name in
``service_account_ids``, and its role in ``declared``/``live`` (``roles`` empty).
The group kinds (``missing_group_grant``, ``group_role_differs``, ``missing_group_extra_role``,
``undeclared_group_extra_role``, ``undeclared_group_grant``) put ``group <name>`` in ``member``
(and the group's id in ``user_id`` for an undeclared grant); ``missing_group_user`` and
``undeclared_group_user`` name the person, under each project the group is granted. ``group``
names the group for every group kind, null otherwise.
``organization.differences`` (always present, empty unless ``organization.exclusive``) are the
``undeclared_organization_user`` people: in the organization, declared nowhere in the spec, and
kept by no rail; ``member`` is their email, ``live`` their organization role.
``unmanaged_service_accounts`` are the project's accounts the spec does not declare:
information, never a difference (nothing removes them). ``pending_invites`` are people the
spec declares there who are not in the organization but have a pending invite: information too
(not ``missing_member``), also named in the summary line. The kinds of declared projects and
custom roles (``missing_project``, ``project_archived``, ``missing_project_role``,
``project_role_differs``) put the key in ``member`` (a missing project's key in
``project_id`` too) and what was declared and what exists in ``details``: ``{"declared":
{"name", "permissions", "description"}, "live": {...} | null}`` (the other kinds have no
``details``).
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from .audit import Access, AuditResult, Difference, ProjectAudit

JSON_FORMAT_VERSION = 1
# A table for a log or a file is not cut to a terminal's 80 columns.
PIPED_TABLE_WIDTH = 160
KIND_TEXT = {
    "unknown_project": "no active project with this id (missing or archived): check the id",
    "missing_member": "missing member",
    "role_differs": "role differs",
    "missing_extra_role": "missing extra role",
    "undeclared_member": "undeclared member",
    "undeclared_extra_role": "undeclared extra role",
    "undeclared_organization_user": "in the organization, declared nowhere",
    "expired_member": "expired, still a member",
    "expired_extra_role": "expired, extra role still assigned",
    "missing_service_account": "missing service account",
    "service_account_role_differs": "service account role differs",
    "ambiguous_service_account": "service account name held by several",
    "missing_group_grant": "missing group grant",
    "group_role_differs": "group role differs",
    "missing_group_extra_role": "missing group extra role",
    "undeclared_group_extra_role": "undeclared group extra role",
    "missing_group_user": "missing from the group",
    "undeclared_group_user": "undeclared in the group",
    "undeclared_group_grant": "undeclared group grant",
    "missing_project": "declared project not found (not created yet, or renamed outside)",
    "project_archived": "declared project archived outside",
    "missing_project_role": "missing project role",
    "project_role_differs": "project role differs",
}
ORGANIZATION_TITLE = "The organization (organization.exclusive): people the spec declares nowhere"
UNMANAGED_TITLE = "Service accounts not in the spec (information: left alone, never removed)"
INFORMATION_TITLE = "not in the spec, left alone (the project is not exclusive; --strict counts them)"
KEPT_TITLE = "not in the spec, kept by a rail of the exclusive project"


def audit_json(result: AuditResult) -> str:
    document = {
        "format": JSON_FORMAT_VERSION,
        "in_sync": result.in_sync,
        "counts": result.counts(),
        "projects": [
            {
                "project_id": project.project_id,
                "name": project.name,
                "in_spec": project.in_spec,
                "in_sync": not project.differences,
                "differences": [_difference_json(d) for d in project.differences],
                "unmanaged_service_accounts": [
                    {"id": a.id, "name": a.name, "role": a.role} for a in project.unmanaged_service_accounts
                ],
                "exclusive": project.exclusive,
                "information": [_difference_json(d) for d in project.information],
                "kept": [{"member": k.member, "user_id": k.user_id, "live": _access_json(k.live), "reason": k.reason}
                         for k in project.kept],
                "pending_invites": [
                    {"member": p.member, "invite_id": p.invite_id, "expires_at": p.expires_at}
                    for p in project.pending_invites
                ],
            }
            for project in result.projects
        ],
        "organization": {"differences": [_difference_json(d) for d in result.organization]},
    }
    return json.dumps(document, indent=2) + "\n"


def _access_json(value: Access | None) -> dict[str, Any] | None:
    return None if value is None else {"role": value.role, "roles": list(value.roles)}


def _difference_json(difference: Difference) -> dict[str, Any]:
    fields = asdict(difference)
    fields.update(declared=_access_json(difference.declared), live=_access_json(difference.live),
                  service_account_ids=list(difference.service_account_ids))
    keys = ("kind", "member", "user_id", "role_id", "declared", "live", "service_account_ids", "group")
    found = {key: fields[key] for key in keys}
    if difference.details is not None:
        found["details"] = fields["details"]  # the project kinds only
    return found


def summary_line(result: AuditResult) -> str:
    notes = [f"{count} {text}" for count, text in (
        (len(result.information), "undeclared members and roles left alone (not exclusive)"),
        (len(result.kept), "kept by a rail"),
        (len(result.unmanaged_service_accounts), "service accounts not in the spec, left alone"),
    ) if count]
    if result.pending_invites:
        notes.append(f"pending, invited and not joined yet: {', '.join(p.member for p in result.pending_invites)}")
    note = f" ({'; '.join(notes)})" if notes else ""
    if result.in_sync:
        return f"in sync: {len(result.projects)} projects match the spec{note}"
    found = ", ".join(f"{count} {KIND_TEXT[kind]}" for kind, count in result.counts().items() if count)
    return f"differences: {found}{note}"


def audit_markdown(result: AuditResult) -> str:
    lines = [f"### Access audit: {summary_line(result)}", ""]
    for project in result.projects:
        if not project.differences:
            continue
        lines += [f"#### {_project_title(project)}", "", "| difference | member | declared | live |", "|---|---|---|---|"]
        for d in project.differences:
            cells = (_what(d), f"`{d.member}`", _declared_text(d), _live_text(d))
            lines.append(_markdown_row(cells))
        lines.append("")
    if result.organization:
        lines += [f"#### {ORGANIZATION_TITLE}", "", "| difference | person | role |", "|---|---|---|"]
        lines += [_markdown_row((_what(d), f"`{d.member}`", _access_text(d.live))) for d in result.organization]
        lines.append("")
    in_sync = [f"`{p.project_id}`" for p in result.projects if not p.differences]
    if in_sync:
        lines += [f"In sync: {', '.join(in_sync)}", ""]
    for title, rows in ((INFORMATION_TITLE, _information_rows(result)), (KEPT_TITLE, _kept_rows(result))):
        if rows:
            lines += [f"#### {title[0].upper()}{title[1:]}", "", "| project | member | live | why |", "|---|---|---|---|"]
            lines += [_markdown_row(row) for row in rows]
            lines.append("")
    if result.unmanaged_service_accounts:
        lines += [f"#### {UNMANAGED_TITLE}", "", "| project | name | role | id |", "|---|---|---|---|"]
        lines += [_markdown_row(tuple(f"`{cell}`" for cell in row)) for row in _unmanaged_rows(result)]
        lines.append("")
    return "\n".join(lines)


def audit_table(result: AuditResult, *, terminal: bool) -> str:
    """Tables grouped by project; colour and the terminal's width only on a terminal."""
    console = Console(file=io.StringIO(), width=None if terminal else PIPED_TABLE_WIDTH,
                      force_terminal=terminal, color_system="auto" if terminal else None, highlight=False)
    with console.capture() as captured:
        for project in result.projects:
            if not project.differences:
                console.print(f"{_project_title(project)}: in sync", markup=False)
                continue
            table = Table(title=_project_title(project), title_justify="left", box=box.SIMPLE_HEAD)
            for column in ("difference", "member", "declared", "live"):
                table.add_column(column)
            for d in project.differences:
                table.add_row(_what(d), d.member, _declared_text(d), _live_text(d))
            console.print(table)
        if result.organization:
            table = Table(title=ORGANIZATION_TITLE, title_justify="left", box=box.SIMPLE_HEAD)
            for column in ("difference", "person", "role"):
                table.add_column(column)
            for d in result.organization:
                table.add_row(_what(d), d.member, _access_text(d.live))
            console.print(table)
        for title, rows in ((INFORMATION_TITLE, _information_rows(result)), (KEPT_TITLE, _kept_rows(result))):
            if rows:
                table = Table(title=f"{title[0].upper()}{title[1:]}", title_justify="left", box=box.SIMPLE_HEAD)
                for column in ("project", "member", "live", "why"):
                    table.add_column(column)
                for row in rows:
                    table.add_row(*row)
                console.print(table)
        if result.unmanaged_service_accounts:
            table = Table(title=UNMANAGED_TITLE, title_justify="left", box=box.SIMPLE_HEAD)
            for column in ("project", "name", "role", "id"):
                table.add_column(column)
            for row in _unmanaged_rows(result):
                table.add_row(*row)
            console.print(table)
        console.print(summary_line(result), markup=False)
    return "".join(line.rstrip() + "\n" for line in captured.get().splitlines())


def _markdown_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _information_rows(result: AuditResult) -> list[tuple[str, str, str, str]]:
    return [(p.project_id, d.member, _access_text(d.live), _what(d)) for p in result.projects for d in p.information]


def _kept_rows(result: AuditResult) -> list[tuple[str, str, str, str]]:
    return [(p.project_id, k.member, _access_text(k.live), k.reason) for p in result.projects for k in p.kept]


def _unmanaged_rows(result: AuditResult) -> list[tuple[str, str, str, str]]:
    return [(a.project_id, a.name, a.role, a.id) for a in result.unmanaged_service_accounts]


def _project_title(project: ProjectAudit) -> str:
    name = project.name if project.name is not None else "not an active project"
    scope = "" if project.in_spec else ", not in the spec"
    return f"{project.project_id} ({name}{scope})"


def _what(difference: Difference) -> str:
    text = KIND_TEXT[difference.kind]
    if difference.kind == "ambiguous_service_account":
        return f"{text}: {', '.join(difference.service_account_ids)}"
    if difference.kind in ("missing_group_user", "undeclared_group_user"):
        text = f"{text} {difference.group}"
    return f"{text} {difference.role_id}" if difference.role_id else text


def _declared_text(difference: Difference) -> str:
    if difference.details is not None:
        return _details_text(difference.details["declared"])
    return _access_text(difference.declared)


def _live_text(difference: Difference) -> str:
    if difference.details is not None:
        return _details_text(difference.details["live"])
    return _access_text(difference.live)


def _details_text(facts: Any) -> str:
    """A project's or role's facts: name, permissions, description, ids."""
    if not facts:
        return "-"
    parts = []
    for key, value in facts.items():
        if value is None:
            continue
        parts.append(f"{key} {', '.join(value) if isinstance(value, list) else value}")
    return "; ".join(parts) or "-"


def _access_text(access: Access | None) -> str:
    if access is None:
        return "-"
    return " ".join([access.role, *(f"+{role}" for role in access.roles)])
