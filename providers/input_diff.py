"""Local diffs over inputs only: no API call, and never ``__provider``.

The engine hands ``diff`` the previous *outputs* and the new checked inputs. Comparing the
properties the user writes (and only those) keeps a provider code change, an email's letter
case or an int/float round trip from showing up as a change.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

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


def same_role_set(prop: str) -> Comparator:
    """Lists of role ids compared as sets; ``None`` (not managed) differs from ``[]``."""

    def compare(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        old, new = olds.get(prop), news.get(prop)
        if old is None or new is None:
            return old is None and new is None
        return set(old) == set(new)

    return compare


def same_when_declared(prop: str) -> Comparator:
    """An optional input that, left out (None), is not managed: whatever the API holds is no change."""

    def compare(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return news.get(prop) is None or olds.get(prop) == news.get(prop)

    return compare


def same_text_set(prop: str) -> Comparator:
    """Lists compared as sets (order and repeats are not meaningful)."""

    def compare(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        return set(olds.get(prop) or ()) == set(news.get(prop) or ())

    return compare
