"""The state store: every Admin API operation on the emulated organization.

One lock guards the whole state; each operation checks, mutates and renders under it, so
concurrent requests see whole operations. Statuses and messages for the unconfirmed cases
come from ``behaviour`` (shared with the client, which recognises errors by them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids, shapes
from .errors import ApiError
from .groups import GroupOperations
from .model import PREDEFINED_BY_ID, PREDEFINED_PROJECT_ROLES, Assignment, Membership, Project, Role, State, User
from .pagination import after_id_page, next_cursor_page
from .invites import InviteOperations
from .service_accounts import ServiceAccountOperations
from .shapes import Json


def _now() -> int:
    return int(time.time())


def _seq(record: Any) -> int:
    return record.seq


class Store(ServiceAccountOperations, InviteOperations, GroupOperations):
    def __init__(self, state: State, on_change: Callable[[State], None] | None = None) -> None:
        self._lock = threading.RLock()
        self._state = state
        # Called under the lock after every mutation (the --state file writer).
        self._on_change = on_change

    # --- whole-state access (control routes, persistence) ----------------------------------
    def replace_state(self, state: State) -> None:
        with self._lock:
            self._state = state
            self._changed()

    def read(self, fn: Callable[[State], Any]) -> Any:
        """Run ``fn`` on a consistent view of the state (for dumps)."""
        with self._lock:
            return fn(self._state)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self._state)

    # --- lookups (callers hold the lock) -----------------------------------------------------
    def _project(self, project_id: str) -> Project:
        proj = self._state.projects.get(project_id)
        if proj is None:
            raise ApiError(
                behaviour.UNKNOWN_PROJECT_STATUS,
                behaviour.UNKNOWN_PROJECT_MESSAGE.format(project_id=project_id),
            )
        return proj

    def _active_project(self, project_id: str) -> Project:
        """Users and role assignments exist only in active projects."""
        proj = self._project(project_id)
        if proj.archived:
            raise ApiError(
                behaviour.ARCHIVED_PROJECT_STATUS,
                behaviour.ARCHIVED_PROJECT_MESSAGE.format(project_id=project_id),
            )
        return proj

    def _user(self, user_id: str) -> User:
        user = self._state.users.get(user_id)
        if user is None:
            raise ApiError(
                behaviour.UNKNOWN_USER_STATUS, behaviour.UNKNOWN_USER_MESSAGE.format(user_id=user_id)
            )
        return user

    def _user_by_email(self, email: str) -> User | None:
        wanted = email.casefold() if behaviour.EMAIL_MATCH_IS_CASE_INSENSITIVE else email
        for user in self._state.users.values():
            have = user.email.casefold() if behaviour.EMAIL_MATCH_IS_CASE_INSENSITIVE else user.email
            if have == wanted:
                return user
        return None

    def _membership(self, project_id: str, user_id: str) -> Membership:
        membership = self._state.memberships.get((project_id, user_id))
        if membership is None:
            raise ApiError(
                behaviour.NOT_PROJECT_MEMBER_STATUS,
                behaviour.NOT_PROJECT_MEMBER_MESSAGE.format(user_id=user_id, project_id=project_id),
            )
        return membership

    def _project_roles(self, project_id: str) -> list[Role]:
        custom = [r for r in self._state.roles.values() if r.project_id == project_id]
        return [*PREDEFINED_PROJECT_ROLES, *custom]

    def _assignable_role(self, project_id: str, role_id: str) -> Role:
        role = self._state.role(role_id)
        if role is None or not role.assignable_in(project_id):
            raise ApiError(
                behaviour.UNKNOWN_ROLE_STATUS, behaviour.UNKNOWN_ROLE_MESSAGE.format(role_id=role_id)
            )
        return role

    # --- organization users ------------------------------------------------------------------
    def list_org_users(self, *, after: str | None, limit: int, emails: list[str] | None) -> Json:
        with self._lock:
            users = list(self._state.users.values())
            if emails is not None:
                wanted = {e.casefold() for e in emails}
                users = [u for u in users if u.email.casefold() in wanted]
            page, has_more = after_id_page(
                users, after=after, limit=limit, id_of=lambda u: u.id, seq_of=_seq,
                former_seqs=self._state.removed_ids,
            )
            return shapes.id_list([shapes.org_user(u) for u in page], has_more)

    def get_org_user(self, user_id: str) -> Json:
        with self._lock:
            return shapes.org_user(self._user(user_id))

    def delete_org_user(self, user_id: str) -> Json:
        """The user leaves the organization, and with it every project and role assignment."""
        with self._lock:
            user = self._user(user_id)
            if user.role == "owner" and not any(
                    u.role == "owner" and u.id != user_id for u in self._state.users.values()):
                raise ApiError(behaviour.LAST_OWNER_STATUS, behaviour.LAST_OWNER_MESSAGE.format(user_id=user_id))
            del self._state.users[user_id]
            self._state.removed_ids[user_id] = user.seq
            for key in [k for k in self._state.memberships if k[1] == user_id]:
                self._state.removed_memberships[key] = self._state.memberships.pop(key).seq
            for key in [k for k in self._state.assignments if k[1] == user_id]:
                del self._state.assignments[key]
            for key in [k for k in self._state.group_users if k[1] == user_id]:  # and every group
                del self._state.group_users[key]
            self._changed()
            return shapes.org_user_deleted(user_id)

    # --- projects ------------------------------------------------------------------------------
    def list_projects(self, *, after: str | None, limit: int, include_archived: bool) -> Json:
        with self._lock:
            projects = [p for p in self._state.projects.values() if include_archived or not p.archived]
            page, has_more = after_id_page(
                projects, after=after, limit=limit, id_of=lambda p: p.id, seq_of=_seq
            )
            return shapes.id_list([shapes.project(p) for p in page], has_more)

    def get_project(self, project_id: str) -> Json:
        with self._lock:
            return shapes.project(self._project(project_id))

    def create_project(self, *, name: str, residency: str | None, external_key_id: str | None) -> Json:
        with self._lock:
            proj = Project(ids.project_id(), name, "active", _now(), None, seq=self._state.next_seq(),
                           external_key_id=external_key_id, residency=residency)
            self._state.projects[proj.id] = proj
            self._changed()
            return shapes.project(proj)

    def update_project(self, project_id: str, *, name: str | None, external_key_id: str | None) -> Json:
        with self._lock:
            proj = self._active_project(project_id)
            changes = {k: v for k, v in (("name", name), ("external_key_id", external_key_id)) if v is not None}
            proj = self._state.projects[project_id] = replace(proj, **changes)
            self._changed()
            return shapes.project(proj)

    def archive_project(self, project_id: str) -> Json:
        with self._lock:
            proj = self._project(project_id)
            if proj.archived:
                raise ApiError(behaviour.ALREADY_ARCHIVED_STATUS,
                               behaviour.ALREADY_ARCHIVED_MESSAGE.format(project_id=project_id))
            proj = self._state.projects[project_id] = replace(proj, status="archived", archived_at=_now())
            # Archived projects have no users (their role assignments go with them).
            for key in [k for k in self._state.memberships if k[0] == project_id]:
                self._state.removed_memberships[key] = self._state.memberships.pop(key).seq
            # Nor group grants (their roles go with them).
            for table in (self._state.assignments, self._state.project_groups, self._state.group_assignments):
                for key in [k for k in table if k[0] == project_id]:
                    del table[key]
            self._changed()
            return shapes.project(proj)

    # --- project users (legacy membership) ----------------------------------------------------
    def _render_member(self, membership: Membership) -> Json:
        return shapes.project_user(membership, self._state.users[membership.user_id])

    def list_project_users(self, project_id: str, *, after: str | None, limit: int) -> Json:
        with self._lock:
            self._active_project(project_id)
            members = [m for m in self._state.memberships.values() if m.project_id == project_id]
            former = {
                uid: seq for (pid, uid), seq in self._state.removed_memberships.items() if pid == project_id
            }
            page, has_more = after_id_page(
                members, after=after, limit=limit, id_of=lambda m: m.user_id, seq_of=_seq,
                former_seqs=former,
            )
            return shapes.id_list([self._render_member(m) for m in page], has_more)

    def add_project_user(
        self, project_id: str, *, role: str, user_id: str | None, email: str | None
    ) -> Json:
        with self._lock:
            self._active_project(project_id)
            user = self._state.users.get(user_id) if user_id is not None else self._user_by_email(email or "")
            if user is None:
                raise ApiError(
                    behaviour.NOT_IN_ORGANIZATION_STATUS,
                    behaviour.NOT_IN_ORGANIZATION_MESSAGE.format(user=user_id if user_id is not None else email),
                    param="user_id" if user_id is not None else "email",
                )
            if (project_id, user.id) in self._state.memberships:
                raise ApiError(
                    behaviour.ALREADY_MEMBER_STATUS,
                    behaviour.ALREADY_MEMBER_MESSAGE.format(user_id=user.id, project_id=project_id),
                )
            membership = Membership(project_id, user.id, role, _now(), self._state.next_seq())
            self._state.memberships[(project_id, user.id)] = membership
            self._state.removed_memberships.pop((project_id, user.id), None)
            self._changed()
            return self._render_member(membership)

    def get_project_user(self, project_id: str, user_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            return self._render_member(self._membership(project_id, user_id))

    def update_project_user(self, project_id: str, user_id: str, *, role: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            membership = replace(self._membership(project_id, user_id), role=role)
            self._state.memberships[(project_id, user_id)] = membership
            self._changed()
            return self._render_member(membership)

    def remove_project_user(self, project_id: str, user_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            membership = self._membership(project_id, user_id)
            del self._state.memberships[(project_id, user_id)]
            self._state.removed_memberships[(project_id, user_id)] = membership.seq
            # Leaving a project ends the user's role assignments in it.
            for key in [k for k in self._state.assignments if k[:2] == (project_id, user_id)]:
                del self._state.assignments[key]
            self._changed()
            return shapes.project_user_deleted(user_id)

    # --- roles ---------------------------------------------------------------------------------
    def list_org_roles(self, *, after: str | None, limit: int, order: str) -> Json:
        with self._lock:
            roles = [r for r in self._state.roles.values() if r.project_id is None]
            page, has_more, nxt = next_cursor_page(roles, after=after, limit=limit, order=order, seq_of=_seq)
            return shapes.cursor_list([shapes.role(r) for r in page], has_more, nxt)

    def list_project_roles(self, project_id: str, *, after: str | None, limit: int, order: str) -> Json:
        with self._lock:
            self._project(project_id)
            roles = self._project_roles(project_id)
            page, has_more, nxt = next_cursor_page(roles, after=after, limit=limit, order=order, seq_of=_seq)
            return shapes.cursor_list([shapes.role(r) for r in page], has_more, nxt)

    def _custom_role(self, project_id: str, role_id: str) -> Role:
        """A role of this project that may be changed: predefined ones are read-only."""
        if role_id in PREDEFINED_BY_ID:
            raise ApiError(behaviour.PREDEFINED_ROLE_READ_ONLY_STATUS,
                           behaviour.PREDEFINED_ROLE_READ_ONLY_MESSAGE.format(role_id=role_id))
        role = self._state.roles.get(role_id)
        if role is None or role.project_id != project_id:
            raise ApiError(behaviour.UNKNOWN_ROLE_STATUS, behaviour.UNKNOWN_ROLE_MESSAGE.format(role_id=role_id))
        return role

    def _name_free(self, project_id: str, role_name: str, role_id: str | None = None) -> None:
        if any(r.name == role_name and r.id != role_id
               for r in self._state.roles.values() if r.project_id == project_id):
            raise ApiError(behaviour.ROLE_NAME_TAKEN_STATUS,
                           behaviour.ROLE_NAME_TAKEN_MESSAGE.format(project_id=project_id, role_name=role_name),
                           param="role_name")

    def get_project_role(self, project_id: str, role_id: str) -> Json:
        with self._lock:
            self._project(project_id)
            # As the project's list shows them: the predefined roles and the project's own.
            role = PREDEFINED_BY_ID.get(role_id) or self._custom_role(project_id, role_id)
            return shapes.role(role)

    def create_project_role(self, project_id: str, *, role_name: str, permissions: list[str],
                            description: str | None) -> Json:
        with self._lock:
            self._active_project(project_id)
            self._name_free(project_id, role_name)
            now = _now()
            role = Role(ids.role_id(), project_id, role_name, tuple(permissions), description, False, now, now,
                        seq=self._state.next_seq())
            self._state.roles[role.id] = role
            self._changed()
            return shapes.role(role)

    def update_project_role(self, project_id: str, role_id: str, *, role_name: str | None,
                            permissions: list[str] | None, description: str | None) -> Json:
        with self._lock:
            self._active_project(project_id)
            role = self._custom_role(project_id, role_id)
            if role_name is not None:
                self._name_free(project_id, role_name, role_id)
            changes: dict[str, Any] = {"updated_at": _now()}
            if role_name is not None:
                changes["name"] = role_name
            if permissions is not None:
                changes["permissions"] = tuple(permissions)
            if description is not None:
                changes["description"] = description
            role = self._state.roles[role_id] = replace(role, **changes)
            self._changed()
            return shapes.role(role)

    def delete_project_role(self, project_id: str, role_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            self._custom_role(project_id, role_id)
            holders = [a for a in (*self._state.assignments.values(), *self._state.group_assignments.values())
                       if a.role_id == role_id]
            if holders:
                raise ApiError(behaviour.ROLE_STILL_ASSIGNED_STATUS, behaviour.ROLE_STILL_ASSIGNED_MESSAGE.format(
                    role_id=role_id, count=len(holders), project_id=project_id))
            del self._state.roles[role_id]
            self._changed()
            return shapes.role_deleted(role_id)

    # --- role assignments (RBAC) ---------------------------------------------------------------
    def _assignment(self, project_id: str, user_id: str, role_id: str) -> tuple[Assignment, Role]:
        self._active_project(project_id)
        self._user(user_id)
        role = self._assignable_role(project_id, role_id)
        assignment = self._state.assignments.get((project_id, user_id, role_id))
        if assignment is None:
            raise ApiError(
                behaviour.NOT_ASSIGNED_STATUS,
                behaviour.NOT_ASSIGNED_MESSAGE.format(role_id=role_id, user_id=user_id, project_id=project_id),
            )
        return assignment, role

    def list_assignments(
        self, project_id: str, user_id: str, *, after: str | None, limit: int, order: str
    ) -> Json:
        with self._lock:
            self._active_project(project_id)
            self._user(user_id)
            # A user who is not a member simply has no assignments here.
            mine = [a for a in self._state.assignments.values() if (a.project_id, a.user_id) == (project_id, user_id)]
            page, has_more, nxt = next_cursor_page(mine, after=after, limit=limit, order=order, seq_of=_seq)
            data = [shapes.assigned_role(self._assignable_role(project_id, a.role_id), a) for a in page]
            return shapes.cursor_list(data, has_more, nxt)

    def assign_role(self, project_id: str, user_id: str, *, role_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            user = self._user(user_id)
            role = self._assignable_role(project_id, role_id)
            if (project_id, user_id) not in self._state.memberships:
                raise ApiError(
                    behaviour.ASSIGNEE_NOT_MEMBER_STATUS,
                    behaviour.ASSIGNEE_NOT_MEMBER_MESSAGE.format(user_id=user_id, project_id=project_id),
                )
            if (project_id, user_id, role_id) in self._state.assignments:
                raise ApiError(
                    behaviour.ALREADY_ASSIGNED_STATUS,
                    behaviour.ALREADY_ASSIGNED_MESSAGE.format(role_id=role_id, user_id=user_id, project_id=project_id),
                    param="role_id",
                )
            assignment = Assignment(project_id, user_id, role_id, _now(), self._state.next_seq())
            self._state.assignments[(project_id, user_id, role_id)] = assignment
            self._changed()
            return shapes.user_role_assignment(user, role)

    def get_assignment(self, project_id: str, user_id: str, role_id: str) -> Json:
        with self._lock:
            assignment, role = self._assignment(project_id, user_id, role_id)
            return shapes.assigned_role(role, assignment)

    def unassign_role(self, project_id: str, user_id: str, role_id: str) -> Json:
        with self._lock:
            self._assignment(project_id, user_id, role_id)
            del self._state.assignments[(project_id, user_id, role_id)]
            self._changed()
            return shapes.user_role_deleted()
