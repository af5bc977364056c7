"""``AdminClient``'s group endpoints: groups, their users, their project grants and the roles
those grants carry (a mixin of ``AdminClient``, through the same transport, retries and throttle).

Every create is sent once: an attempt whose outcome is unknown is read back before it is sent
again, as for memberships (see ``AdminClient.add_project_user``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from . import behaviour
from .errors import AlreadyAssignedError, AlreadyInGroupError, AlreadyMemberError
from .models import M, AssignedRole, GroupRecord, GroupUserRecord, ProjectGroupRecord
from .pagination import NEXT_CURSOR, PageStyle
from .transport import ApiRequest, Reconciliation, the_one_new

GROUPS = "/organization/groups"
GROUP = "/organization/groups/{group_id}"
GROUP_USERS = "/organization/groups/{group_id}/users"
GROUP_USER = "/organization/groups/{group_id}/users/{user_id}"
PROJECT_GROUPS = "/organization/projects/{project_id}/groups"
PROJECT_GROUP = "/organization/projects/{project_id}/groups/{group_id}"
PROJECT_GROUP_ROLES = "/projects/{project_id}/groups/{group_id}/roles"
PROJECT_GROUP_ROLE = "/projects/{project_id}/groups/{group_id}/roles/{role_id}"

# A project's groups list takes at most 100 a page (the other group lists 1000).
PROJECT_GROUP_PAGES = PageStyle(cursor_field="next", page_size=behaviour.PROJECT_GROUP_PAGE_MAX)


class GroupEndpoints:
    # Provided by AdminClient.
    _call: Callable[[ApiRequest], Any]
    _parse: Callable[[type[M], Any, str, str], M]
    _get: Callable[[type[M], str, dict[str, str]], M]
    _get_or_none: Callable[[str, dict[str, str]], Any | None]
    _delete: Callable[[str, dict[str, str]], None]
    _list: Callable[..., Iterator[Any]]

    # --- groups ------------------------------------------------------------------------------
    def list_groups(self) -> Iterator[GroupRecord]:
        return self._list(GROUPS, {}, NEXT_CURSOR, GroupRecord)

    def create_group(self, name: str, *, known: Sequence[GroupRecord] | None = None) -> GroupRecord:
        """Create a group. Names are not unique, so the ids of the groups with this name are
        taken first (from ``known``, the caller's listing made just before, or a listing); if
        an attempt's outcome is unknown, a group with this name and a new id is ours."""
        listed = self.list_groups() if known is None else known
        before = {group.id for group in listed if group.name == name}

        def read_back() -> Any | None:
            new = [g for g in self.list_groups() if g.name == name and g.id not in before]
            found = the_one_new(new, f"group named {name!r}", "POST", GROUPS)
            return None if found is None else found.model_dump()

        raw = self._call(ApiRequest("POST", GROUPS, {}, body={"name": name}, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back)))
        return self._parse(GroupRecord, raw, "POST", GROUPS)

    def get_group(self, group_id: str) -> GroupRecord:
        return self._get(GroupRecord, GROUP, {"group_id": group_id})

    def rename_group(self, group_id: str, name: str) -> GroupRecord:
        # Setting a name is idempotent: simply retried.
        raw = self._call(ApiRequest("POST", GROUP, {"group_id": group_id}, body={"name": name}))
        return self._parse(GroupRecord, raw, "POST", GROUP)

    def delete_group(self, group_id: str) -> None:
        """Delete a group, and with it its users, project grants and their roles."""
        self._delete(GROUP, {"group_id": group_id})

    # --- a group's users -----------------------------------------------------------------------
    def list_group_users(self, group_id: str) -> Iterator[GroupUserRecord]:
        return self._list(GROUP_USERS, {"group_id": group_id}, NEXT_CURSOR, GroupUserRecord)

    def add_group_user(self, group_id: str, user_id: str) -> None:
        ids = {"group_id": group_id, "user_id": user_id}
        self._call(ApiRequest(
            "POST", GROUP_USERS, {"group_id": group_id}, body={"user_id": user_id}, idempotent=False,
            reconcile=Reconciliation(read_back=lambda: self._get_or_none(GROUP_USER, ids),
                                     done_errors=(AlreadyInGroupError,)),
        ))

    def remove_group_user(self, group_id: str, user_id: str) -> None:
        self._delete(GROUP_USER, {"group_id": group_id, "user_id": user_id})

    # --- project grants ------------------------------------------------------------------------
    def list_project_groups(self, project_id: str) -> Iterator[ProjectGroupRecord]:
        return self._list(PROJECT_GROUPS, {"project_id": project_id}, PROJECT_GROUP_PAGES, ProjectGroupRecord)

    def add_project_group(self, project_id: str, group_id: str, role_id: str) -> ProjectGroupRecord:
        """Grant a group a project with a project role (by id). An existing grant is returned
        as it is, whatever its roles: the caller decides what to do about that."""
        ids = {"project_id": project_id, "group_id": group_id}
        raw = self._call(ApiRequest(
            "POST", PROJECT_GROUPS, {"project_id": project_id}, body={"group_id": group_id, "role": role_id},
            idempotent=False,
            reconcile=Reconciliation(read_back=lambda: self._get_or_none(PROJECT_GROUP, ids),
                                     done_errors=(AlreadyMemberError,)),
        ))
        return self._parse(ProjectGroupRecord, raw, "POST", PROJECT_GROUPS)

    def get_project_group(self, project_id: str, group_id: str) -> ProjectGroupRecord:
        return self._get(ProjectGroupRecord, PROJECT_GROUP, {"project_id": project_id, "group_id": group_id})

    def remove_project_group(self, project_id: str, group_id: str) -> None:
        """Remove a group's access to a project, and with it its roles there."""
        self._delete(PROJECT_GROUP, {"project_id": project_id, "group_id": group_id})

    # --- a project grant's roles ---------------------------------------------------------------
    def list_project_group_roles(self, project_id: str, group_id: str) -> Iterator[AssignedRole]:
        return self._list(PROJECT_GROUP_ROLES, {"project_id": project_id, "group_id": group_id},
                          NEXT_CURSOR, AssignedRole)

    def assign_project_group_role(self, project_id: str, group_id: str, role_id: str) -> None:
        ids = {"project_id": project_id, "group_id": group_id, "role_id": role_id}
        self._call(ApiRequest(
            "POST", PROJECT_GROUP_ROLES, {"project_id": project_id, "group_id": group_id},
            body={"role_id": role_id}, idempotent=False,
            reconcile=Reconciliation(read_back=lambda: self._get_or_none(PROJECT_GROUP_ROLE, ids),
                                     done_errors=(AlreadyAssignedError,)),
        ))

    def get_project_group_role(self, project_id: str, group_id: str, role_id: str) -> AssignedRole:
        return self._get(AssignedRole, PROJECT_GROUP_ROLE,
                         {"project_id": project_id, "group_id": group_id, "role_id": role_id})

    def unassign_project_group_role(self, project_id: str, group_id: str, role_id: str) -> None:
        self._delete(PROJECT_GROUP_ROLE, {"project_id": project_id, "group_id": group_id, "role_id": role_id})
