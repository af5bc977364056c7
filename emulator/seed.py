"""Seed files: the emulated organization as JSON, loaded with clear errors, and dumped back.

Seed format (every key optional unless marked *required*; unknown keys are errors)::

    {
      "organization": {"id": "org-...", "name": "..."},          # default org-emulator
      "users": [{"id"?: "user-...", "email"*: "...", "name"*: "...",
                 "role"*: "owner" | "reader", "added_at"?: <unix s>,
                 "is_service_account"?: false, "is_scim_managed"?: false}],
      "projects": [{"id"?: "proj_...", "name"*: "...",
                    "status"?: "active" | "archived", "created_at"?, "archived_at"?,
                    "external_key_id"?, "residency"?: "GLOBAL" | "EU_STORAGE_PROCESSING" | ...}],
      "roles": [{"id"?: "role_...", "project_id"*: "<project id>" | null,
                 "name"*: "...", "permissions"*: ["..."], "description"?: "...",
                 "created_at"?, "updated_at"?}],
      "memberships": [{"project_id"*, "user_id" | "email" (exactly one)*,
                       "role"*: "owner" | "member", "added_at"?}],
      "role_assignments": [{"project_id"*, "user_id" | "email" (exactly one)*,
                            "role_id"*, "created_at"?}],
      "service_accounts": [{"id"?: "svc_acct_...", "project_id"*, "name"*,
                            "role"?: "member" | "owner" | "none", "created_at"?}],
      "api_keys": [{"id"?: "key_...", "project_id"*, "service_account_id"*, "name"?,
                    "value_sha256"*: "<hex digest of the key>", "redacted_value"*,
                    "created_at"?, "expires_at"?, "scopes"?: [...], "last_used_at"?}],
      "invites": [{"id"?: "invite-...", "email"*, "role"*: "owner" | "reader",
                   "projects"?: [{"id", "role": "member" | "owner"}],
                   "status"?: "pending" | "accepted" | "expired", "expires_at"?,
                   "created_at"?, "accepted_at"?}],
      "groups": [...], "project_groups": [...], "group_role_assignments": [...]  # see seed_groups
    }

* Omitted ids are generated: users ``user-`` + 24 alphanumerics, projects ``proj_`` + 24
  alphanumerics, custom roles ``role_`` + a 26-character ULID. Omitted timestamps are the
  load time.
* ``roles`` are custom roles: ``project_id`` null makes an organization role
  (``resource_type`` api.organization), otherwise a role of that project. The predefined
  project roles (``role-api-project-owner|member|viewer``) always exist and are not listed.
* Memberships and assignments name users by ``user_id`` or by ``email`` (case-insensitive).
  Archived projects have no members. A role can be assigned only to a member of the
  project, and only if it is predefined, the project's own role or an organization role.
* API keys are seeded by the SHA-256 digest of their value: the emulator never holds or
  dumps a key's value (a key works with the value its create answered once).
* Invites: ``status`` defaults to pending. A pending invite's ``expires_at`` defaults to
  ``created_at`` + 7 days and must be in the future; an expired one's defaults to the load
  time; an accepted one gets ``accepted_at`` (default: the load time) and creates nobody:
  list the person among ``users`` too. Only one pending invite per email, and none for an
  email of a user.
* ``GET /_emulator/state`` and the ``--state`` file use this same format, with every id and
  timestamp filled in, so a dump can be fed back as a seed.
"""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path
from typing import Any

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids
from .model import ApiKey, Assignment, Invite, Membership, Organization, Project, Role, ServiceAccount, State, User
from .seed_groups import GROUP_KEYS, GroupSeedLoader, dump_groups

DEFAULT_ORGANIZATION = {"id": "org-emulator", "name": "Emulator Organization"}
SAMPLE_FILE = "sample_org.json"
_TOP_KEYS = ("organization", "users", "projects", "roles", "memberships", "role_assignments",
             "service_accounts", "api_keys", "invites", *GROUP_KEYS)
_SERVICE_ACCOUNT_ROLES = (*behaviour.SERVICE_ACCOUNT_ROLES, behaviour.SERVICE_ACCOUNT_ROLE_WITHOUT_ACCESS)


class SeedError(ValueError):
    """A seed that cannot be loaded; ``problems`` lists every issue found, with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid seed:\n  - " + "\n  - ".join(problems))


class _Reader:
    """Reads untrusted JSON values, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def obj(self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return None
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            self.fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(required + optional)}")
        for key in required:
            if key not in value:
                self.fail(where, f"missing required key '{key}'")
        return value

    def items(self, seed: dict, key: str) -> list[tuple[str, Any]]:
        value = seed.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "must be a list")
            return []
        return [(f"{key}[{i}]", item) for i, item in enumerate(value)]

    def text(self, d: dict, key: str, where: str, *, choices: tuple[str, ...] | None = None,
             nullable: bool = False, default: Any = None) -> Any:
        if key not in d:
            return default
        value = d[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}", "must be a non-empty string" + (" or null" if nullable else ""))
            return default
        if choices is not None and value not in choices:
            self.fail(f"{where}.{key}", f"must be one of {', '.join(choices)} (got {value!r})")
            return default
        return value

    def boolean(self, d: dict, key: str, where: str) -> bool:
        value = d.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", "must be true or false")
            return False
        return value

    def ident(self, d: dict, key: str, where: str, make: Any) -> str:
        value = self.text(d, key, where)
        if value is None:
            return make()
        if "/" in value or value != value.strip():
            self.fail(f"{where}.{key}", "must not contain '/' or surrounding spaces")
        return value

    def stamp(self, d: dict, key: str, where: str, default: int) -> int:
        value = self.optional_stamp(d, key, where)
        return default if value is None else value

    def optional_stamp(self, d: dict, key: str, where: str) -> int | None:
        value = d.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            self.fail(f"{where}.{key}", "must be a unix timestamp in seconds (a non-negative integer)")
            return None
        return value


def build_state(seed: Any, *, now: int | None = None) -> State:
    """Validate a seed and build the state it describes. Raises SeedError listing every problem."""
    return _Loader(int(time.time()) if now is None else now).load(seed)


class _Loader(GroupSeedLoader):
    """Builds a State section by section; later sections refer to earlier ones."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.r = _Reader()
        self.emails: dict[str, str] = {}  # casefolded email -> user id

    def load(self, seed: Any) -> State:
        r = self.r
        seed = r.obj(seed, "seed", (), _TOP_KEYS)
        if seed is None:
            raise SeedError(r.problems)
        org = r.obj(seed.get("organization", DEFAULT_ORGANIZATION), "organization", ("id", "name"), ()) or {}
        self.state = State(Organization(r.text(org, "id", "organization", default=""),
                                        r.text(org, "name", "organization", default="")))
        for key, load_one in (("users", self.user), ("projects", self.project), ("roles", self.role),
                              ("memberships", self.membership), ("role_assignments", self.assignment),
                              ("service_accounts", self.service_account), ("api_keys", self.api_key),
                              ("invites", self.invite), ("groups", self.group),
                              ("project_groups", self.project_group),
                              ("group_role_assignments", self.group_assignment)):
            for where, item in r.items(seed, key):
                load_one(where, item)
        if r.problems:
            raise SeedError(r.problems)
        return self.state

    def user(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("email", "name", "role"), ("id", "added_at", "is_service_account", "is_scim_managed"))
        if d is None:
            return
        for flag in ("is_service_account", "is_scim_managed"):
            if not isinstance(d.get(flag, False), bool):
                r.fail(f"{where}.{flag}", "must be true or false")
        user = User(
            id=r.ident(d, "id", where, ids.user_id),
            email=r.text(d, "email", where, default=""),
            name=r.text(d, "name", where, default=""),
            role=r.text(d, "role", where, choices=("owner", "reader"), default="reader"),
            added_at=r.stamp(d, "added_at", where, self.now),
            seq=state.next_seq(),
            is_service_account=d.get("is_service_account") is True,
            is_scim_managed=d.get("is_scim_managed") is True,
        )
        if user.id in state.users:
            r.fail(f"{where}.id", f"duplicate user id {user.id!r}")
        folded = user.email.casefold()
        if user.email and "@" not in user.email:
            r.fail(f"{where}.email", f"not an email address: {user.email!r}")
        elif folded in self.emails:
            r.fail(f"{where}.email", f"{user.email!r} is already used by {self.emails[folded]}")
        elif user.email:
            self.emails[folded] = user.id
        state.users[user.id] = user

    def project(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("name",), ("id", "status", "created_at", "archived_at", "external_key_id", "residency"))
        if d is None:
            return
        status = r.text(d, "status", where, choices=("active", "archived"), default="active")
        created_at = r.stamp(d, "created_at", where, self.now)
        archived_at = r.optional_stamp(d, "archived_at", where)
        if status == "active" and archived_at is not None:
            r.fail(f"{where}.archived_at", "only an archived project has archived_at")
        if status == "archived" and archived_at is None:
            archived_at = created_at
        proj = Project(r.ident(d, "id", where, ids.project_id), r.text(d, "name", where, default=""),
                       status, created_at, archived_at, seq=state.next_seq(),
                       external_key_id=r.text(d, "external_key_id", where, nullable=True),
                       residency=r.text(d, "residency", where, nullable=True, choices=behaviour.PROJECT_RESIDENCIES))
        if proj.id in state.projects:
            r.fail(f"{where}.id", f"duplicate project id {proj.id!r}")
        state.projects[proj.id] = proj

    def role(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "name", "permissions"), ("id", "description", "created_at", "updated_at"))
        if d is None:
            return
        project_id = r.text(d, "project_id", where, nullable=True)
        if project_id is not None and project_id not in state.projects:
            r.fail(f"{where}.project_id", f"no project {project_id!r} in the seed")
        permissions = d.get("permissions", [])
        if not isinstance(permissions, list) or not all(isinstance(p, str) and p for p in permissions):
            r.fail(f"{where}.permissions", "must be a list of non-empty strings")
            permissions = []
        created_at = r.stamp(d, "created_at", where, self.now)
        role = Role(
            id=r.ident(d, "id", where, ids.role_id),
            project_id=project_id,
            name=r.text(d, "name", where, default=""),
            permissions=tuple(permissions),
            description=r.text(d, "description", where, nullable=True),
            predefined=False,
            created_at=created_at,
            updated_at=r.stamp(d, "updated_at", where, created_at),
            seq=state.next_seq(),
        )
        if state.role(role.id) is not None:
            r.fail(f"{where}.id", f"duplicate role id {role.id!r} (the predefined roles always exist)")
        state.roles[role.id] = role

    def subject(self, d: dict, where: str) -> tuple[Project | None, User | None]:
        """The project and the user (by user_id or email) an entry refers to."""
        r, state = self.r, self.state
        project_id = r.text(d, "project_id", where)
        proj = state.projects.get(project_id) if project_id else None
        if project_id and proj is None:
            r.fail(f"{where}.project_id", f"no project {project_id!r} in the seed")
        if ("user_id" in d) == ("email" in d):
            r.fail(where, "give exactly one of 'user_id' and 'email'")
            return proj, None
        key = "user_id" if "user_id" in d else "email"
        value = r.text(d, key, where)
        if not value:
            return proj, None
        user = state.users.get(value if key == "user_id" else self.emails.get(value.casefold(), ""))
        if user is None:
            r.fail(f"{where}.{key}", f"no user {value!r} in the seed")
        return proj, user

    def membership(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "role"), ("user_id", "email", "added_at"))
        if d is None:
            return
        proj, user = self.subject(d, where)
        role = r.text(d, "role", where, choices=behaviour.PROJECT_MEMBER_ROLES, default="member")
        added_at = r.stamp(d, "added_at", where, self.now)
        if proj is None or user is None:
            return
        if proj.archived:
            r.fail(where, f"project {proj.id} is archived, and archived projects have no users")
        elif (proj.id, user.id) in state.memberships:
            r.fail(where, f"user {user.id} is already a member of {proj.id}")
        else:
            state.memberships[(proj.id, user.id)] = Membership(proj.id, user.id, role, added_at, seq=state.next_seq())

    def assignment(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "role_id"), ("user_id", "email", "created_at"))
        if d is None:
            return
        proj, user = self.subject(d, where)
        role_id = r.text(d, "role_id", where, default="")
        created_at = r.stamp(d, "created_at", where, self.now)
        if proj is None or user is None or not role_id:
            return
        role = state.role(role_id)
        if role is None or not role.assignable_in(proj.id):
            r.fail(f"{where}.role_id", f"role {role_id!r} is not predefined, an organization role, "
                                       f"or a role of {proj.id}")
        elif (proj.id, user.id) not in state.memberships:
            r.fail(where, f"user {user.id} must be a member of {proj.id} (add a membership first)")
        elif (proj.id, user.id, role_id) in state.assignments:
            r.fail(where, f"role {role_id} is already assigned to {user.id} in {proj.id}")
        else:
            state.assignments[(proj.id, user.id, role_id)] = Assignment(
                proj.id, user.id, role_id, created_at, seq=state.next_seq())


    def _active_project(self, d: dict, where: str, what: str = "service accounts") -> Project | None:
        project_id = self.r.text(d, "project_id", where)
        proj = self.state.projects.get(project_id) if project_id else None
        if project_id and proj is None:
            self.r.fail(f"{where}.project_id", f"no project {project_id!r} in the seed")
        elif proj is not None and proj.archived:
            self.r.fail(where, f"project {proj.id} is archived, and archived projects have no {what}")
            return None
        return proj

    def service_account(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "name"), ("id", "role", "created_at"))
        if d is None:
            return
        proj = self._active_project(d, where)
        sa = ServiceAccount(
            id=r.ident(d, "id", where, ids.service_account_id),
            project_id=proj.id if proj else "",
            name=r.text(d, "name", where, default=""),
            role=r.text(d, "role", where, choices=_SERVICE_ACCOUNT_ROLES, default="member"),
            created_at=r.stamp(d, "created_at", where, self.now),
            seq=state.next_seq(),
        )
        if sa.id in state.service_accounts:
            r.fail(f"{where}.id", f"duplicate service account id {sa.id!r}")
        elif proj is not None:
            state.service_accounts[sa.id] = sa

    def api_key(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("project_id", "service_account_id", "value_sha256", "redacted_value"),
                  ("id", "name", "created_at", "expires_at", "scopes", "last_used_at"))
        if d is None:
            return
        proj = self._active_project(d, where)
        owner_id = r.text(d, "service_account_id", where, default="")
        owner = state.service_accounts.get(owner_id)
        if owner_id and (owner is None or proj is None or owner.project_id != proj.id):
            r.fail(f"{where}.service_account_id", f"no service account {owner_id!r} in that project in the seed")
        scopes = d.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
            r.fail(f"{where}.scopes", "must be a list of non-empty strings")
            scopes = []
        key = ApiKey(
            id=r.ident(d, "id", where, ids.api_key_id),
            project_id=proj.id if proj else "",
            service_account_id=owner_id,
            name=r.text(d, "name", where, default=behaviour.SERVICE_ACCOUNT_FIRST_KEY_NAME),
            value_sha256=r.text(d, "value_sha256", where, default=""),
            redacted_value=r.text(d, "redacted_value", where, default=""),
            created_at=r.stamp(d, "created_at", where, self.now),
            expires_at=r.optional_stamp(d, "expires_at", where),
            scopes=tuple(scopes),
            last_used_at=r.optional_stamp(d, "last_used_at", where),
            seq=state.next_seq(),
        )
        if key.id in state.api_keys:
            r.fail(f"{where}.id", f"duplicate API key id {key.id!r}")
        elif owner is not None:
            state.api_keys[key.id] = key


    def invite(self, where: str, item: Any) -> None:
        r, state = self.r, self.state
        d = r.obj(item, where, ("email", "role"),
                  ("id", "projects", "status", "expires_at", "created_at", "accepted_at"))
        if d is None:
            return
        email = r.text(d, "email", where, default="")
        status = r.text(d, "status", where, choices=behaviour.INVITE_STATUSES, default="pending")
        if email and "@" not in email:
            r.fail(f"{where}.email", f"not an email address: {email!r}")
        elif status == "pending" and email.casefold() in self.emails:
            r.fail(f"{where}.email", f"{email!r} is already a user ({self.emails[email.casefold()]}): "
                                     "their invite is accepted (status accepted), not pending")
        created_at = r.stamp(d, "created_at", where, self.now)
        expires_at = r.optional_stamp(d, "expires_at", where)
        if status == "pending" and expires_at is None:
            expires_at = created_at + behaviour.INVITE_LIFETIME_SECONDS
        elif status == "expired" and expires_at is None:
            expires_at = self.now
        # A pending invite whose expires_at has passed is simply expired (as a dump reloaded later).
        if status == "expired" and expires_at is not None and expires_at > self.now:
            r.fail(f"{where}.expires_at", "an expired invite's expires_at is in the past")
        accepted_at = r.optional_stamp(d, "accepted_at", where)
        if status == "accepted" and accepted_at is None:
            accepted_at = self.now
        elif status != "accepted" and accepted_at is not None:
            r.fail(f"{where}.accepted_at", "only an accepted invite has accepted_at")
        found = Invite(r.ident(d, "id", where, ids.invite_id), email, r.text(d, "role", where,
                       choices=behaviour.ORGANIZATION_ROLES, default="reader"),
                       self._invite_projects(d, where), created_at, expires_at, accepted_at, seq=state.next_seq())
        if found.id in state.invites:
            r.fail(f"{where}.id", f"duplicate invite id {found.id!r}")
        elif status == "pending" and any(other.email.casefold() == email.casefold() and other.status(self.now) == "pending"
                                         for other in state.invites.values()):
            r.fail(f"{where}.email", f"{email!r} has a pending invite already")
        else:
            state.invites[found.id] = found

    def _invite_projects(self, d: dict, where: str) -> tuple[tuple[str, str], ...]:
        projects = []
        for index, item in enumerate(d.get("projects") or []):
            at = f"{where}.projects[{index}]"
            entry = self.r.obj(item, at, ("id", "role"), ())
            if entry is None:
                continue
            project_id = self.r.text(entry, "id", at, default="")
            if project_id and project_id not in self.state.projects:
                self.r.fail(f"{at}.id", f"no project {project_id!r} in the seed")
            projects.append((project_id, self.r.text(entry, "role", at, choices=behaviour.INVITE_PROJECT_ROLES,
                                                     default="member")))
        if "projects" in d and not isinstance(d["projects"], list):
            self.r.fail(f"{where}.projects", "must be a list of {id, role}")
        return tuple(projects)


def dump_state(state: State) -> dict[str, Any]:
    """The state in seed format, every id and timestamp explicit, in creation order."""

    def ordered(records: Any) -> list[Any]:
        return sorted(records, key=lambda rec: rec.seq)

    now = int(time.time())
    return {
        "organization": {"id": state.organization.id, "name": state.organization.name},
        "users": [
            {"id": u.id, "email": u.email, "name": u.name, "role": u.role, "added_at": u.added_at,
             **{flag: True for flag in ("is_service_account", "is_scim_managed") if getattr(u, flag)}}
            for u in ordered(state.users.values())
        ],
        "projects": [
            {"id": p.id, "name": p.name, "status": p.status, "created_at": p.created_at,
             **({"archived_at": p.archived_at} if p.archived_at is not None else {}),
             **({"external_key_id": p.external_key_id} if p.external_key_id is not None else {}),
             **({"residency": p.residency} if p.residency is not None else {})}
            for p in ordered(state.projects.values())
        ],
        "roles": [
            {"id": ro.id, "project_id": ro.project_id, "name": ro.name, "permissions": list(ro.permissions),
             "description": ro.description, "created_at": ro.created_at, "updated_at": ro.updated_at}
            for ro in ordered(state.roles.values())
        ],
        "memberships": [
            {"project_id": m.project_id, "user_id": m.user_id, "role": m.role, "added_at": m.added_at}
            for m in ordered(state.memberships.values())
        ],
        "role_assignments": [
            {"project_id": a.project_id, "user_id": a.user_id, "role_id": a.role_id, "created_at": a.created_at}
            for a in ordered(state.assignments.values())
        ],
        "service_accounts": [
            {"id": sa.id, "project_id": sa.project_id, "name": sa.name, "role": sa.role, "created_at": sa.created_at}
            for sa in ordered(state.service_accounts.values())
        ],
        "api_keys": [
            {"id": k.id, "project_id": k.project_id, "service_account_id": k.service_account_id, "name": k.name,
             "value_sha256": k.value_sha256, "redacted_value": k.redacted_value, "created_at": k.created_at,
             "expires_at": k.expires_at, "scopes": list(k.scopes), "last_used_at": k.last_used_at}
            for k in ordered(state.api_keys.values())
        ],
        "invites": [
            {"id": inv.id, "email": inv.email, "role": inv.role,
             "projects": [{"id": project_id, "role": role} for project_id, role in inv.projects],
             "status": inv.status(now), "created_at": inv.created_at, "expires_at": inv.expires_at,
             **({"accepted_at": inv.accepted_at} if inv.accepted_at is not None else {})}
            for inv in ordered(state.invites.values())
        ],
        **dump_groups(state),
    }


def read_seed_file(path: str | Path) -> Any:
    """The JSON in ``path``; a missing or malformed file is a SeedError naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except json.JSONDecodeError as exc:
        raise SeedError([f"{path}: not valid JSON: {exc}"]) from None


def sample_seed() -> dict[str, Any]:
    """The sample organization shipped with the emulator (used when no seed is given)."""
    return json.loads(resources.files(__package__).joinpath(SAMPLE_FILE).read_text(encoding="utf-8"))
