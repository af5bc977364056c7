"""The two pagination styles of the Admin API.

* first/last-id (users, project users, projects): ``after`` is the id of the last item
  seen; the envelope carries ``first_id``/``last_id``/``has_more``.
* next-cursor (every ``/roles`` list): ``after`` is the opaque ``next`` of the previous
  page; ``order`` is asc|desc.

Both are keyset pagination over ``seq`` (creation order), so deleting items between pages
neither skips nor repeats the others.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from .errors import ApiError

T = TypeVar("T")


def _bad_after(detail: str) -> ApiError:
    return ApiError(400, f"Invalid 'after': {detail}", param="after")


def after_id_page(
    items: Sequence[T],
    *,
    after: str | None,
    limit: int,
    id_of: Callable[[T], str],
    seq_of: Callable[[T], int],
    former_seqs: Mapping[str, int] | None = None,
) -> tuple[list[T], bool]:
    """One page after the item with id ``after``; returns (page, has_more).

    ``former_seqs`` maps ids of items deleted since (they are still valid cursors). An id
    that was never in the list is a 400, so a client bug does not look like an empty list.
    """
    ordered = sorted(items, key=seq_of)
    if after:
        bound = next((seq_of(i) for i in ordered if id_of(i) == after), None)
        if bound is None and former_seqs is not None:
            bound = former_seqs.get(after)
        if bound is None:
            raise _bad_after(f"no object with id '{after}' in this list.")
        ordered = [i for i in ordered if seq_of(i) > bound]
    return ordered[:limit], len(ordered) > limit


# A cursor is base64url("<order>:<seq>"); an empty seq means "from the start". Binding the
# order catches a cursor reused with the other order.
def encode_cursor(order: str, seq: int | None) -> str:
    raw = f"{order}:{'' if seq is None else seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, order: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        token_order, _, seq = raw.partition(":")
        if token_order != order:
            raise ValueError(token_order)
        return int(seq) if seq else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_after("not a cursor from a previous page of this list in this order.") from None


def next_cursor_page(
    items: Sequence[T],
    *,
    after: str | None,
    limit: int,
    order: str,
    seq_of: Callable[[T], int],
) -> tuple[list[T], bool, str | None]:
    """One page in ``order`` after the cursor; returns (page, has_more, next)."""
    descending = order == "desc"
    ordered = sorted(items, key=seq_of, reverse=descending)
    bound = decode_cursor(after, order) if after else None
    if bound is not None:
        ordered = [i for i in ordered if (seq_of(i) < bound if descending else seq_of(i) > bound)]
    page, has_more = ordered[:limit], len(ordered) > limit
    if not has_more:
        return page, False, None
    # limit=0 returns no items; its cursor then stays where this page started.
    return page, True, encode_cursor(order, seq_of(page[-1]) if page else bound)
