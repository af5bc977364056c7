"""Merging teams' grants into exactly one grant per (project, member).

Teams overlap: one person in two (per-person) teams that both reach a project must still have
exactly one membership there, or two resources would fight over it. The highest role wins
(owner over member), extra roles are the union, and the teams are kept for the summary.

Access with an ``expires`` (a team's, a member entry's or a grant's: the earliest of those
that apply) is merged only while it lasts: from its end on it is not declared, and what a
permanent grant gives the same person in the same project stays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterator

from . import expiry
from .access_spec import AccessSpec, AccessSpecError, Member

ROLE_RANK = {"member": 0, "owner": 1}


@dataclass(frozen=True)
class Contribution:
    """What one team's grant gives one member in one project, and until when."""

    project_id: str
    member: Member  # identified: email and user id linked across teams, no expiry
    team: str
    role: str
    extra_roles: tuple[str, ...]
    ends: dt.datetime | None  # None: until the spec says otherwise

    def active(self, now: dt.datetime) -> bool:
        return self.ends is None or self.ends > now


@dataclass(frozen=True)
class Ending:
    """A part of a membership that ends before the membership does (or the membership itself)."""

    what: str  # "membership", "role owner", "extra role role-…"
    ends: dt.datetime


@dataclass(frozen=True)
class MemberAccess:
    """What one member gets in one project, merged over every team that grants it."""

    project_id: str
    member: Member
    role: str
    extra_roles: tuple[str, ...]
    teams: tuple[str, ...]
    ends: dt.datetime | None = None  # when the membership stops being declared; None: never
    endings: tuple[Ending, ...] = ()  # what ends, the membership included, soonest first


def merge_grants(spec: AccessSpec, now: dt.datetime | None = None) -> list[MemberAccess]:
    """The access declared at ``now`` (default: ``expiry.now()``), one per (project, member)."""
    at = expiry.now() if now is None else now
    return _merged(c for c in contributions(spec) if c.active(at))


def expired_grants(spec: AccessSpec, now: dt.datetime | None = None) -> list[MemberAccess]:
    """The access the spec declared until before ``now``, merged the same way."""
    at = expiry.now() if now is None else now
    return _merged(c for c in contributions(spec) if not c.active(at))


def contributions(spec: AccessSpec) -> Iterator[Contribution]:
    """Every (team, member, project) grant of the spec, with its end."""
    identify = member_identities(spec)
    for team_name, team in spec.teams.items():
        if team.group_reference is not None:
            continue  # a group-team's access is its group's (see group_teams)
        for listed in team.members:
            member = identify(listed)
            for project_id, grant in team.grants.items():
                yield Contribution(project_id, member, team_name, grant.role, tuple(sorted(grant.roles)),
                                   expiry.earliest(team.expires, listed.expires, grant.expires))


def _merged(found: Iterator[Contribution]) -> list[MemberAccess]:
    by_membership: dict[tuple[str, str], list[Contribution]] = {}
    for contribution in found:
        by_membership.setdefault((contribution.project_id, contribution.member.key), []).append(contribution)
    return [_merge_one(by_membership[key]) for key in sorted(by_membership)]


def _merge_one(parts: list[Contribution]) -> MemberAccess:
    role = max((part.role for part in parts), key=ROLE_RANK.__getitem__)
    extra_roles = tuple(sorted({role_id for part in parts for role_id in part.extra_roles}))
    ends = expiry.latest([part.ends for part in parts])
    endings = [Ending("membership", ends)] if ends is not None else []
    if role == "owner":
        owner_ends = expiry.latest([part.ends for part in parts if part.role == "owner"])
        if owner_ends is not None and (ends is None or owner_ends < ends):
            endings.append(Ending("role owner (member after that)", owner_ends))
    for role_id in extra_roles:
        role_ends = expiry.latest([part.ends for part in parts if role_id in part.extra_roles])
        if role_ends is not None and (ends is None or role_ends < ends):
            endings.append(Ending(f"extra role {role_id}", role_ends))
    first = parts[0]
    return MemberAccess(
        first.project_id, first.member, role, extra_roles, tuple(sorted({part.team for part in parts})),
        ends, tuple(sorted(endings, key=lambda ending: (ending.ends, ending.what))),
    )


def ending_within(grants: list[MemberAccess], now: dt.datetime, days: int = expiry.ENDING_SOON_DAYS) -> list[dict[str, str]]:
    """Declared access that ends within ``days`` of ``now``, soonest first, for people to read."""
    horizon = now + dt.timedelta(days=days)
    soon = [
        {"project_id": grant.project_id, "member": grant.member.key, "what": ending.what,
         "ends": expiry.rfc3339(ending.ends)}
        for grant in grants for ending in grant.endings if ending.ends <= horizon
    ]
    return sorted(soon, key=lambda item: (item["ends"], item["project_id"], item["member"], item["what"]))


def member_identities(spec: AccessSpec) -> Callable[[Member], Member]:
    """One identity per person across all teams.

    A member listed with both email and user id links the two, so that the same person
    named by email in one team and by id in another is recognised. One email with two ids
    (or the reverse), or a member listed twice in one team, is an error.
    """
    id_by_email: dict[str, str] = {}
    email_by_id: dict[str, str] = {}
    problems: list[str] = []
    for team_name, team in spec.teams.items():
        listed: set[str] = set()
        for index, member in enumerate(team.members):
            where = f"teams.{team_name}.members.{index}"
            if member.key in listed:
                problems.append(f"{where}: {member} is listed twice in team {team_name!r}")
            listed.add(member.key)
            if member.email and member.user_id:
                email = member.email.casefold()
                known_id = id_by_email.setdefault(email, member.user_id)
                known_email = email_by_id.setdefault(member.user_id, email)
                if known_id != member.user_id or known_email != email:
                    problems.append(
                        f"{where}: {member.email} / {member.user_id} conflicts with {email} / {known_id} "
                        f"or {known_email} / {member.user_id} elsewhere: one person has one email and one user id"
                    )
    if problems:
        raise AccessSpecError(problems)

    def identify(member: Member) -> Member:
        email = member.email.casefold() if member.email else email_by_id.get(member.user_id or "")
        return Member(email=email, user_id=member.user_id or id_by_email.get(email or ""))

    return identify
