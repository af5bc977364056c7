"""Which users a managed group loses: the pure decision, with no API call.

A ``Group`` with ``members`` holds exactly those users. Everyone else the group's listing
shows is undeclared and goes at the next ``up``. A declared member is never among them,
however the stack names them: by user id, or by email in any letter case (matched against
the email the listing shows, else against the organization's user of that email).
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from .admin_api.models import GroupUserRecord


def is_email(reference: str) -> bool:
    return "@" in reference


def normalize_references(references: Iterable[str]) -> list[str]:
    """Emails in lower case (a change of letter case is no change), unique, sorted."""
    return sorted({reference.casefold() if is_email(reference) else reference for reference in references})


def undeclared_users(
    declared: Iterable[str],
    live: Mapping[str, GroupUserRecord],
    user_id_for_email: Callable[[str], str | None],
) -> list[GroupUserRecord]:
    """The users of ``live`` (by id) that no reference of ``declared`` names, by email then id.
    ``user_id_for_email`` is asked only for declared emails that no listed user shows, and only
    when some listed user is not matched otherwise (it may cost a request)."""
    declared = list(declared)
    ids = {reference for reference in declared if not is_email(reference)}
    emails = {reference.casefold() for reference in declared if is_email(reference)}
    unmatched = [user for user in live.values() if user.id not in ids and (user.email or "").casefold() not in emails]
    listed_emails = {(user.email or "").casefold() for user in live.values()}
    if unmatched and emails - listed_emails:
        ids |= {user_id for email in sorted(emails - listed_emails) if (user_id := user_id_for_email(email))}
        unmatched = [user for user in unmatched if user.id not in ids]
    return sorted(unmatched, key=lambda user: ((user.email or "").casefold(), user.id))
