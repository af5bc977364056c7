"""The store's group operations (a mixin of ``Store``): groups, their users, their project
grants and the roles those grants carry.

Same rules as the rest of the store: one lock, whole operations, statuses and messages for
the unconfirmed cases from ``behaviour``. A group the identity provider manages
(``is_scim_managed``) refuses renames, deletes and user changes; its project grants work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids, shapes
from .errors import ApiError
from .model import Group, GroupAssignment, GroupUser, Project, ProjectGroup, Role, State, User
from .pagination import next_cursor_page
from .shapes import Json


def _now() -> int:
    return int(time.time())


def _seq(record: GroupUser | Group | ProjectGroup | GroupAssignment) -> int:
    return record.seq


class GroupOperations:
    # Provided by Store.
    _lock: threading.RLock
    _state: State
    _changed: Callable[[], None]
    _active_project: Callable[[str], Project]
    _user: Callable[[str], User]
    _assignable_role: Callable[[str, str], Role]

    # --- lookups (callers hold the lock) -----------------------------------------------------
    def _group(self, group_id: str) -> Group:
        group = self._state.groups.get(group_id)
        if group is None:
            raise ApiError(behaviour.UNKNOWN_GROUP_STATUS, behaviour.UNKNOWN_GROUP_MESSAGE.format(group_id=group_id))
        return group

    def _writable_group(self, group_id: str) -> Group:
        """A group whose name and users the API may change (not one the identity provider owns)."""
        group = self._group(group_id)
        if group.is_scim_managed:
            raise ApiError(behaviour.SCIM_MANAGED_STATUS, behaviour.SCIM_MANAGED_MESSAGE.format(group_id=group_id))
        return group

    def _grant(self, project_id: str, group_id: str) -> ProjectGroup:
        self._active_project(project_id)
        self._group(group_id)
        grant = self._state.project_groups.get((project_id, group_id))
        if grant is None:
            raise ApiError(behaviour.NOT_PROJECT_GROUP_STATUS,
                           behaviour.NOT_PROJECT_GROUP_MESSAGE.format(group_id=group_id, project_id=project_id))
        return grant

    # --- groups ------------------------------------------------------------------------------
    def list_groups(self, *, after: str | None, limit: int, order: str) -> Json:
        with self._lock:
            page, has_more, nxt = next_cursor_page(list(self._state.groups.values()), after=after, limit=limit,
                                                   order=order, seq_of=_seq)
            return shapes.cursor_list([shapes.group(g) for g in page], has_more, nxt)

    def create_group(self, *, name: str) -> Json:
        with self._lock:
            group = Group(ids.group_id(), name, False, _now(), seq=self._state.next_seq())
            self._state.groups[group.id] = group
            self._changed()
            return shapes.group(group)

    def get_group(self, group_id: str) -> Json:
        with self._lock:
            return shapes.group(self._group(group_id))

    def rename_group(self, group_id: str, *, name: str) -> Json:
        with self._lock:
            group = replace(self._writable_group(group_id), name=name)
            self._state.groups[group_id] = group
            self._changed()
            return shapes.group_updated(group)

    def delete_group(self, group_id: str) -> Json:
        with self._lock:
            self._writable_group(group_id)
            del self._state.groups[group_id]
            # The group's users, project grants and their roles go with it.
            for table in (self._state.group_users, self._state.project_groups, self._state.group_assignments):
                for key in [k for k in table if group_id in k]:
                    del table[key]
            self._changed()
            return shapes.group_deleted(group_id)

    # --- a group's users -----------------------------------------------------------------------
    def list_group_users(self, group_id: str, *, after: str | None, limit: int, order: str) -> Json:
        with self._lock:
            self._group(group_id)
            members = [m for m in self._state.group_users.values() if m.group_id == group_id]
            page, has_more, nxt = next_cursor_page(members, after=after, limit=limit, order=order, seq_of=_seq)
            return shapes.cursor_list([shapes.group_user(self._state.users[m.user_id]) for m in page], has_more, nxt)

    def add_group_user(self, group_id: str, *, user_id: str) -> Json:
        with self._lock:
            self._writable_group(group_id)
            self._user(user_id)
            if (group_id, user_id) in self._state.group_users:
                raise ApiError(behaviour.ALREADY_IN_GROUP_STATUS,
                               behaviour.ALREADY_IN_GROUP_MESSAGE.format(user_id=user_id, group_id=group_id),
                               param="user_id")
            self._state.group_users[(group_id, user_id)] = GroupUser(group_id, user_id, seq=self._state.next_seq())
            self._changed()
            return shapes.group_user_added(group_id, user_id)

    def _group_user(self, group_id: str, user_id: str) -> User:
        self._group(group_id)
        if (group_id, user_id) not in self._state.group_users:
            raise ApiError(behaviour.NOT_IN_GROUP_STATUS,
                           behaviour.NOT_IN_GROUP_MESSAGE.format(user_id=user_id, group_id=group_id))
        return self._state.users[user_id]

    def get_group_user(self, group_id: str, user_id: str) -> Json:
        with self._lock:
            return shapes.group_user_details(self._group_user(group_id, user_id))

    def remove_group_user(self, group_id: str, user_id: str) -> Json:
        with self._lock:
            self._writable_group(group_id)
            self._group_user(group_id, user_id)
            del self._state.group_users[(group_id, user_id)]
            self._changed()
            return shapes.group_user_deleted()

    # --- project grants ------------------------------------------------------------------------
    def list_project_groups(self, project_id: str, *, after: str | None, limit: int, order: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            grants = [g for g in self._state.project_groups.values() if g.project_id == project_id]
            page, has_more, nxt = next_cursor_page(grants, after=after, limit=limit, order=order, seq_of=_seq)
            data = [shapes.project_group(g, self._state.groups[g.group_id]) for g in page]
            return shapes.cursor_list(data, has_more, nxt)

    def add_project_group(self, project_id: str, *, group_id: str, role_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            group = self._group(group_id)
            self._assignable_role(project_id, role_id)
            if (project_id, group_id) in self._state.project_groups:
                raise ApiError(behaviour.ALREADY_MEMBER_STATUS,
                               behaviour.PROJECT_GROUP_EXISTS_MESSAGE.format(group_id=group_id, project_id=project_id))
            now = _now()
            grant = ProjectGroup(project_id, group_id, now, seq=self._state.next_seq())
            self._state.project_groups[(project_id, group_id)] = grant
            # The grant's role is the group's first role assignment in the project (behaviour.py).
            self._state.group_assignments[(project_id, group_id, role_id)] = GroupAssignment(
                project_id, group_id, role_id, now, seq=self._state.next_seq())
            self._changed()
            return shapes.project_group(grant, group)

    def get_project_group(self, project_id: str, group_id: str) -> Json:
        with self._lock:
            return shapes.project_group(self._grant(project_id, group_id), self._state.groups[group_id])

    def remove_project_group(self, project_id: str, group_id: str) -> Json:
        with self._lock:
            self._grant(project_id, group_id)
            del self._state.project_groups[(project_id, group_id)]
            for key in [k for k in self._state.group_assignments if k[:2] == (project_id, group_id)]:
                del self._state.group_assignments[key]
            self._changed()
            return shapes.project_group_deleted()

    # --- a project grant's roles ---------------------------------------------------------------
    def list_group_assignments(self, project_id: str, group_id: str, *, after: str | None, limit: int,
                               order: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            self._group(group_id)
            mine = [a for a in self._state.group_assignments.values() if (a.project_id, a.group_id) == (project_id, group_id)]
            page, has_more, nxt = next_cursor_page(mine, after=after, limit=limit, order=order, seq_of=_seq)
            data = [shapes.assigned_role(self._assignable_role(project_id, a.role_id), a) for a in page]
            return shapes.cursor_list(data, has_more, nxt)

    def assign_group_role(self, project_id: str, group_id: str, *, role_id: str) -> Json:
        with self._lock:
            self._active_project(project_id)
            group = self._group(group_id)
            role = self._assignable_role(project_id, role_id)
            if (project_id, group_id) not in self._state.project_groups:
                raise ApiError(behaviour.GROUP_NOT_IN_PROJECT_STATUS,
                               behaviour.GROUP_NOT_IN_PROJECT_MESSAGE.format(group_id=group_id, project_id=project_id))
            if (project_id, group_id, role_id) in self._state.group_assignments:
                raise ApiError(behaviour.ALREADY_ASSIGNED_STATUS,
                               behaviour.GROUP_ALREADY_ASSIGNED_MESSAGE.format(
                                   role_id=role_id, group_id=group_id, project_id=project_id),
                               param="role_id")
            self._state.group_assignments[(project_id, group_id, role_id)] = GroupAssignment(
                project_id, group_id, role_id, _now(), seq=self._state.next_seq())
            self._changed()
            return shapes.group_role_assignment(group, role)

    def _group_assignment(self, project_id: str, group_id: str, role_id: str) -> tuple[GroupAssignment, Role]:
        self._active_project(project_id)
        self._group(group_id)
        role = self._assignable_role(project_id, role_id)
        assignment = self._state.group_assignments.get((project_id, group_id, role_id))
        if assignment is None:
            raise ApiError(behaviour.NOT_ASSIGNED_STATUS, behaviour.GROUP_NOT_ASSIGNED_MESSAGE.format(
                role_id=role_id, group_id=group_id, project_id=project_id))
        return assignment, role

    def get_group_assignment(self, project_id: str, group_id: str, role_id: str) -> Json:
        with self._lock:
            assignment, role = self._group_assignment(project_id, group_id, role_id)
            return shapes.assigned_role(role, assignment)

    def unassign_group_role(self, project_id: str, group_id: str, role_id: str) -> Json:
        with self._lock:
            self._group_assignment(project_id, group_id, role_id)
            del self._state.group_assignments[(project_id, group_id, role_id)]
            self._changed()
            return shapes.group_role_deleted()
