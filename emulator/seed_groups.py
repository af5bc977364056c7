"""The seed's group sections, loaded and dumped (a mixin of the seed loader)::

    "groups": [{"id"?: "group_...", "name"*, "is_scim_managed"?: bool,
                "users"?: [user id or email], "created_at"?}],
    "project_groups": [{"project_id"*, "group_id" | "group_name" (exactly one)*,
                        "role"*: "owner" | "member", "created_at"?}],
    "group_role_assignments": [{"project_id"*, "group_id" | "group_name" (exactly one)*,
                                "role_id"*, "created_at"?}]

A ``group_name`` must name exactly one group of the seed. A project grant's role is its
predefined project role; extra roles need the grant first. Dumps name groups by id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids
from .model import Group, GroupAssignment, GroupUser, Project, ProjectGroup, State, User

GROUP_KEYS = ("groups", "project_groups", "group_role_assignments")


class _Reader(Protocol):
    def fail(self, where: str, message: str) -> None: ...
    def obj(self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict | None: ...
    def text(self, d: dict, key: str, where: str, **kwargs: Any) -> Any: ...
    def ident(self, d: dict, key: str, where: str, make: Any) -> str: ...
    def stamp(self, d: dict, key: str, where: str, default: int) -> int: ...
    def boolean(self, d: dict, key: str, where: str) -> bool: ...


class GroupSeedLoader:
    # Provided by the seed loader.
    r: _Reader
    state: State
    now: int
    emails: dict[str, str]

    _active_project: Callable[[dict, str, str], Project | None]

    def group(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("name",), ("id", "is_scim_managed", "users", "created_at"))
        if d is None:
            return
        name = r.text(d, "name", where, default="")
        if len(name) > behaviour.GROUP_NAME_MAX_LENGTH:
            r.fail(f"{where}.name", f"must be at most {behaviour.GROUP_NAME_MAX_LENGTH} characters")
        group = Group(r.ident(d, "id", where, ids.group_id), name, r.boolean(d, "is_scim_managed", where),
                      r.stamp(d, "created_at", where, self.now), seq=state.next_seq())
        if group.id in state.groups:
            r.fail(f"{where}.id", f"duplicate group id {group.id!r}")
            return
        state.groups[group.id] = group
        users = d.get("users", [])
        if not isinstance(users, list):
            r.fail(f"{where}.users", "must be a list of user ids or emails")
            return
        for i, ref in enumerate(users):
            user = self._user_by_reference(ref, f"{where}.users[{i}]")
            if user is None:
                continue
            if (group.id, user.id) in state.group_users:
                r.fail(f"{where}.users[{i}]", f"user {user.id} is listed twice")
            else:
                state.group_users[(group.id, user.id)] = GroupUser(group.id, user.id, seq=state.next_seq())

    def _user_by_reference(self, ref: Any, where: str) -> User | None:
        if not isinstance(ref, str) or not ref:
            self.r.fail(where, "must be a user id or email")
            return None
        user = self.state.users.get(ref) or self.state.users.get(self.emails.get(ref.casefold(), ""))
        if user is None:
            self.r.fail(where, f"no user {ref!r} in the seed")
        return user

    def _group_of(self, d: dict, where: str) -> Group | None:
        r = self.r
        if ("group_id" in d) == ("group_name" in d):
            r.fail(where, "give exactly one of 'group_id' and 'group_name'")
            return None
        if "group_id" in d:
            group_id = r.text(d, "group_id", where)
            group = self.state.groups.get(group_id or "")
            if group_id and group is None:
                r.fail(f"{where}.group_id", f"no group {group_id!r} in the seed")
            return group
        name = r.text(d, "group_name", where)
        named = [g for g in self.state.groups.values() if g.name == name]
        if name and len(named) != 1:
            r.fail(f"{where}.group_name", f"{len(named)} groups are named {name!r} in the seed; "
                                          "name exactly one, or use group_id")
        return named[0] if len(named) == 1 else None

    def project_group(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "role"), ("group_id", "group_name", "created_at"))
        if d is None:
            return
        proj, group = self._active_project(d, where, "groups"), self._group_of(d, where)
        role = r.text(d, "role", where, choices=behaviour.PROJECT_MEMBER_ROLES, default="member")
        created_at = r.stamp(d, "created_at", where, self.now)
        if proj is None or group is None:
            return
        if (proj.id, group.id) in state.project_groups:
            r.fail(where, f"group {group.id} already has access to {proj.id}")
            return
        state.project_groups[(proj.id, group.id)] = ProjectGroup(proj.id, group.id, created_at, seq=state.next_seq())
        role_id = behaviour.PROJECT_ROLE_ID_BY_MEMBER_ROLE[role]
        state.group_assignments[(proj.id, group.id, role_id)] = GroupAssignment(
            proj.id, group.id, role_id, created_at, seq=state.next_seq())

    def group_assignment(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "role_id"), ("group_id", "group_name", "created_at"))
        if d is None:
            return
        proj, group = self._active_project(d, where, "groups"), self._group_of(d, where)
        role_id = r.text(d, "role_id", where, default="")
        created_at = r.stamp(d, "created_at", where, self.now)
        if proj is None or group is None or not role_id:
            return
        role = state.role(role_id)
        if role is None or not role.assignable_in(proj.id):
            r.fail(f"{where}.role_id", f"role {role_id!r} is not predefined, an organization role, "
                                       f"or a role of {proj.id}")
        elif (proj.id, group.id) not in state.project_groups:
            r.fail(where, f"group {group.id} must have access to {proj.id} (add a project_groups entry first)")
        elif (proj.id, group.id, role_id) in state.group_assignments:
            r.fail(where, f"role {role_id} is already assigned to {group.id} in {proj.id}")
        else:
            state.group_assignments[(proj.id, group.id, role_id)] = GroupAssignment(
                proj.id, group.id, role_id, created_at, seq=state.next_seq())


def grant_role(state: State, grant: ProjectGroup) -> str:
    """A grant's owner/member role: the predefined role its group holds there (owner wins)."""
    held = {rid for (pid, gid, rid) in state.group_assignments if (pid, gid) == (grant.project_id, grant.group_id)}
    for role in ("owner", "member"):
        if behaviour.PROJECT_ROLE_ID_BY_MEMBER_ROLE[role] in held:
            return role
    return "member"  # holding neither (both unassigned out of band): the least access a grant has


def dump_groups(state: State) -> dict[str, Any]:
    """The group sections in seed form: grants with their role, the other roles separately."""

    def ordered(records: Any) -> list[Any]:
        return sorted(records, key=lambda rec: rec.seq)

    grant_roles = {key: grant_role(state, grant) for key, grant in state.project_groups.items()}
    return {
        "groups": [
            {"id": g.id, "name": g.name, "is_scim_managed": g.is_scim_managed,
             "users": [m.user_id for m in ordered(state.group_users.values()) if m.group_id == g.id],
             "created_at": g.created_at}
            for g in ordered(state.groups.values())
        ],
        "project_groups": [
            {"project_id": p.project_id, "group_id": p.group_id, "role": grant_roles[(p.project_id, p.group_id)],
             "created_at": p.created_at}
            for p in ordered(state.project_groups.values())
        ],
        "group_role_assignments": [
            {"project_id": a.project_id, "group_id": a.group_id, "role_id": a.role_id, "created_at": a.created_at}
            for a in ordered(state.group_assignments.values())
            if a.role_id != behaviour.PROJECT_ROLE_ID_BY_MEMBER_ROLE[grant_roles[(a.project_id, a.group_id)]]
        ],
    }
