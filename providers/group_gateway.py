"""The providers' gateway to groups inside a provider process (``AccessGateway.groups``).

Reads come from listings shared by every resource of the process: one of the organization's
groups, one per group for its users, one per project for its group grants and one per grant
for its roles. A write whose effect is known (a group created, renamed or deleted, a user
added or removed) amends the loaded listing, so that adding 500 users costs one listing, not
500; any other write, or one that fails, invalidates the listings it touches. As behaviour.py decides, group
access shows only on these routes, never among a project's users or a user's roles.
"""

from __future__ import annotations

from .admin_api.behaviour import PROJECT_ROLE_ID_BY_MEMBER_ROLE
from .admin_api.client import AdminClient
from .admin_api.errors import AlreadyAssignedError, AlreadyInGroupError, NotFoundError, ProjectArchivedError
from .admin_api.models import AssignedRole, GroupRecord, GroupUserRecord, ProjectGroupRecord
from .role_ids import role_id_matches
from .shared_listings import SharedListings, gone_is_empty, invalidating, invalidating_on_error

_ALL = "all"


class GroupGateway:
    def __init__(self, client: AdminClient, listing_ttl: float) -> None:
        self.client = client
        self._groups: SharedListings[str, dict[str, GroupRecord]] = SharedListings(listing_ttl)
        self._users: SharedListings[str, dict[str, GroupUserRecord]] = SharedListings(listing_ttl)
        self._grants: SharedListings[str, dict[str, ProjectGroupRecord]] = SharedListings(listing_ttl)
        self._roles: SharedListings[tuple[str, str], list[AssignedRole]] = SharedListings(listing_ttl)

    # --- reads ------------------------------------------------------------------------------
    def groups(self) -> dict[str, GroupRecord]:
        """Every group of the organization by id."""
        return self._groups.get(_ALL, lambda: {group.id: group for group in self.client.list_groups()})

    def find(self, group_id: str) -> GroupRecord | None:
        return self.groups().get(group_id)

    def named(self, name: str) -> list[GroupRecord]:
        """The groups of exactly this name (names are not unique)."""
        return [group for group in self.groups().values() if group.name == name]

    def users(self, group_id: str) -> dict[str, GroupUserRecord]:
        """The group's users by id, paged through to the end (none if the group is gone)."""
        return self._users.get(group_id, lambda: {
            user.id: user for user in gone_is_empty(lambda: self.client.list_group_users(group_id))
        })

    def grants(self, project_id: str) -> dict[str, ProjectGroupRecord]:
        """The project's group grants by group id (none if the project is gone or archived)."""
        return self._grants.get(project_id, lambda: {
            grant.group_id: grant for grant in gone_is_empty(lambda: self.client.list_project_groups(project_id))
        })

    def grant_roles(self, project_id: str, group_id: str) -> list[AssignedRole]:
        """The roles a group holds in a project, its grant's own role among them (behaviour.py)."""
        return self._roles.get((project_id, group_id), lambda: list(
            gone_is_empty(lambda: self.client.list_project_group_roles(project_id, group_id))
        ))

    def grant_role(self, project_id: str, group_id: str) -> str | None:
        """The grant's ``owner``/``member`` role: the predefined one it holds (owner first)."""
        held = [role.id for role in self.grant_roles(project_id, group_id)]
        for member_role, role_id in PROJECT_ROLE_ID_BY_MEMBER_ROLE.items():
            if any(role_id_matches(role_id, live) for live in held):
                return member_role
        return None

    def forget_users(self) -> None:
        """After someone left the organization (and so every group): read the users anew."""
        self._users.invalidate_all()

    # --- writes -----------------------------------------------------------------------------
    def create(self, name: str) -> GroupRecord:
        known = list(self.groups().values())
        with invalidating_on_error(self._groups, _ALL):
            group = self.client.create_group(name, known=known)
        self._groups.amend(_ALL, lambda groups: {**groups, group.id: group})
        return group

    def rename(self, group_id: str, name: str) -> GroupRecord:
        with invalidating_on_error(self._groups, _ALL):
            renamed = self.client.rename_group(group_id, name)
        self._groups.amend(_ALL, lambda groups: {**groups, group_id: groups[group_id].model_copy(
            update={"name": renamed.name})} if group_id in groups else groups)
        return renamed

    def delete(self, group_id: str) -> bool:
        """False when it was gone already. Its users, grants and their roles go with it."""
        with invalidating(self._users, group_id):
            try:
                with invalidating_on_error(self._groups, _ALL):
                    self.client.delete_group(group_id)
                gone = True
            except NotFoundError:
                gone = False
        self._groups.amend(_ALL, lambda groups: {gid: g for gid, g in groups.items() if gid != group_id})
        return gone

    def add_user(self, group_id: str, user: GroupUserRecord) -> bool:
        """False when the user was in the group already (the state wanted, all the same)."""
        try:
            with invalidating_on_error(self._users, group_id):
                self.client.add_group_user(group_id, user.id)
            added = True
        except AlreadyInGroupError:
            added = False
        self._users.amend(group_id, lambda users: {**users, user.id: users.get(user.id, user)})
        return added

    def remove_user(self, group_id: str, user_id: str) -> bool:
        try:
            with invalidating_on_error(self._users, group_id):
                self.client.remove_group_user(group_id, user_id)
            removed = True
        except NotFoundError:
            removed = False
        self._users.amend(group_id, lambda users: {uid: u for uid, u in users.items() if uid != user_id})
        return removed

    def grant(self, project_id: str, group_id: str, role_id: str) -> ProjectGroupRecord:
        with invalidating(self._grants, project_id), invalidating(self._roles, (project_id, group_id)):
            return self.client.add_project_group(project_id, group_id, role_id)

    def revoke(self, project_id: str, group_id: str) -> bool:
        """False when there was nothing to remove. The grant's roles go with it."""
        with invalidating(self._grants, project_id), invalidating(self._roles, (project_id, group_id)):
            try:
                self.client.remove_project_group(project_id, group_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False

    def assign(self, project_id: str, group_id: str, role_id: str) -> None:
        with invalidating(self._roles, (project_id, group_id)):
            try:
                self.client.assign_project_group_role(project_id, group_id, role_id)
            except AlreadyAssignedError:
                pass  # held already: the state wanted

    def unassign(self, project_id: str, group_id: str, role_id: str) -> bool:
        with invalidating(self._roles, (project_id, group_id)):
            try:
                self.client.unassign_project_group_role(project_id, group_id, role_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False
