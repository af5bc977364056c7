"""Local diffs over inputs only: no API call, and never ``__provider``.

The engine hands ``diff`` the previous *outputs* and the new checked inputs. Comparing the
properties the user writes (and only those) keeps a provider code change, an email's letter
case or an int/float round trip from showing up as a change.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from pulumi.dynamic import DiffResult

from .input_checks import is_unknown

Comparator = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]


def same_value(prop: str) -> Comparator:
    def compare(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return olds.get(prop) == news.get(prop)

    return compare


def same_flag(prop: str) -> Comparator:
    """Booleans whose absence means false."""

    def compare(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return bool(olds.get(prop)) == bool(news.get(prop))

    return compare


def same_user(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """The new inputs name the same user, whether they give the id or the email.

    Switching a resource from ``email`` to the same person's ``user_id`` (or back) is not a
    change; emails compare without regard to letter case, as the API matches them.
    """
    if news.get("user_id"):
        return news["user_id"] == olds.get("user_id")
    new_email = str(news.get("email") or "").casefold()
    known_emails = {str(olds.get(key) or "").casefold() for key in ("email", "requested_email")}
    return bool(new_email) and new_email in known_emails


def diff_user_in_project(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    replace_on: Mapping[str, Comparator],
    update_on: Mapping[str, Comparator],
) -> DiffResult:
    """Changes, stated explicitly (never "unknown"): both resources replace on a new project
    or user, and update ``adopt`` in place, besides their own properties.

    A property whose new value is not known yet counts as changed, as the engine would.
    """
    user_prop = "user_id" if news.get("user_id") else "email"
    replace_on = {"project_id": same_value("project_id"), user_prop: same_user, **replace_on}
    update_on = {**update_on, "adopt": same_flag("adopt")}

    def changed(prop: str, same: Comparator) -> bool:
        return is_unknown(news.get(prop)) or not same(olds, news)

    replaces = [prop for prop, same in replace_on.items() if changed(prop, same)]
    updates = [prop for prop, same in update_on.items() if changed(prop, same)]
    return DiffResult(changes=bool(replaces or updates), replaces=replaces, stables=[], delete_before_replace=False)


def split_resource_id(id_: str, parts: int) -> list[str]:
    """``proj/user[/role]`` ids; the last part keeps any further slashes."""
    pieces = id_.split("/", parts - 1)
    if len(pieces) != parts or not all(pieces):
        raise ValueError(f"resource id {id_!r} is not of the form {'/'.join(['…'] * parts)}")
    return pieces
