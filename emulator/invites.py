"""The store's invite operations (a mixin of ``Store``), and what a person's acceptance does.

Same rules as the rest of the store: one lock, whole operations, statuses and messages for the
unconfirmed cases from ``behaviour`` (which also says what acceptance creates).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids, shapes
from .errors import ApiError
from .model import Invite, Membership, Project, State, User
from .pagination import after_id_page
from .shapes import Json


def _now() -> int:
    return int(time.time())


class InviteOperations:
    # Provided by Store.
    _lock: threading.RLock
    _state: State
    _changed: Callable[[], None]
    _active_project: Callable[[str], Project]
    _user_by_email: Callable[[str], User | None]

    def _invite(self, invite_id: str) -> Invite:
        found = self._state.invites.get(invite_id)
        if found is None:
            raise ApiError(behaviour.UNKNOWN_INVITE_STATUS,
                           behaviour.UNKNOWN_INVITE_MESSAGE.format(invite_id=invite_id))
        return found

    def list_invites(self, *, after: str | None, limit: int) -> Json:
        with self._lock:
            page, has_more = after_id_page(list(self._state.invites.values()), after=after, limit=limit,
                                           id_of=lambda inv: inv.id, seq_of=lambda inv: inv.seq,
                                           former_seqs=self._state.removed_ids)
            now = _now()
            return shapes.id_list([shapes.invite(inv, now) for inv in page], has_more)

    def create_invite(self, *, email: str, role: str, projects: Sequence[tuple[str, str]]) -> Json:
        with self._lock:
            now = _now()
            for project_id, _ in projects:
                self._active_project(project_id)
            if self._user_by_email(email) is not None:
                raise ApiError(behaviour.ALREADY_IN_ORGANIZATION_STATUS,
                               behaviour.ALREADY_IN_ORGANIZATION_MESSAGE.format(email=email), param="email")
            folded = email.casefold()
            if any(inv.email.casefold() == folded and inv.status(now) == "pending"
                   for inv in self._state.invites.values()):
                raise ApiError(behaviour.INVITE_PENDING_STATUS,
                               behaviour.INVITE_PENDING_MESSAGE.format(email=email), param="email")
            created = Invite(ids.invite_id(), email, role, tuple(projects), now,
                             now + behaviour.INVITE_LIFETIME_SECONDS, seq=self._state.next_seq())
            self._state.invites[created.id] = created
            self._changed()
            return shapes.invite(created, now)

    def get_invite(self, invite_id: str) -> Json:
        with self._lock:
            return shapes.invite(self._invite(invite_id), _now())

    def delete_invite(self, invite_id: str) -> Json:
        with self._lock:
            found = self._invite(invite_id)
            if found.accepted_at is not None:
                raise ApiError(behaviour.INVITE_ACCEPTED_STATUS,
                               behaviour.INVITE_ACCEPTED_MESSAGE.format(invite_id=invite_id))
            del self._state.invites[invite_id]
            self._state.removed_ids[invite_id] = found.seq
            self._changed()
            return shapes.invite_deleted(invite_id)

    def accept_invite(self, invite_id: str) -> Json:
        """What the person's acceptance does (see ``behaviour``): the organization user with
        the invite's role, and a membership of each project it names that is still active."""
        with self._lock:
            found = self._invite(invite_id)
            now = _now()
            if found.status(now) != "pending":
                raise ApiError(400, f"Invite {invite_id} is {found.status(now)}: only a pending invite can be accepted")
            if self._user_by_email(found.email) is not None:
                raise ApiError(400, f"{found.email} is already a member of the organization")
            user = User(ids.user_id(), found.email, found.email.partition("@")[0], found.role, now,
                        seq=self._state.next_seq())
            self._state.users[user.id] = user
            for project_id, role in found.projects:
                project = self._state.projects.get(project_id)
                if project is not None and not project.archived:
                    self._state.memberships[(project_id, user.id)] = Membership(
                        project_id, user.id, role, now, self._state.next_seq())
            accepted = replace(found, accepted_at=now)
            self._state.invites[invite_id] = accepted
            self._changed()
            return {"invite": shapes.invite(accepted, now), "user": shapes.org_user(user)}
