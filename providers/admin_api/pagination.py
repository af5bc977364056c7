"""Lazy iteration over the Admin API's two list styles.

* legacy lists (organization users, project users, projects) answer ``first_id``/``last_id``/
  ``has_more`` and take ``after=<last_id>``, at most 100 items a page;
* RBAC lists (roles, role assignments) answer ``has_more``/``next`` and take ``after=<next>``,
  at most 1000 items a page.

A page is fetched only when the previous one has been consumed. If the server says there is
more but gives no cursor, or a cursor already used, iteration stops with ``PaginationError``
rather than looping forever.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from pydantic import BaseModel, ConfigDict

from . import behaviour
from .errors import PaginationError
from .models import M, parse
from .transport import ApiRequest


@dataclass(frozen=True)
class PageStyle:
    cursor_field: str  # the response field whose value is the next request's `after`
    page_size: int


LEGACY = PageStyle(cursor_field="last_id", page_size=behaviour.LEGACY_PAGE_MAX)
NEXT_CURSOR = PageStyle(cursor_field="next", page_size=behaviour.RBAC_PAGE_MAX)


class _Page(BaseModel):
    model_config = ConfigDict(extra="allow")

    data: list[dict[str, Any]]
    has_more: bool = False
    last_id: str | None = None
    next: str | None = None


def paginate(
    call: Callable[[ApiRequest], Any], request: ApiRequest, style: PageStyle, model: type[M]
) -> Iterator[M]:
    """Every item of the list ``request`` names, parsed as ``model``, one page at a time."""
    after: str | None = None
    used: set[str] = set()
    while True:
        query = {**(request.query or {}), "limit": style.page_size}
        if after is not None:
            query["after"] = after
        page_request = dataclasses.replace(request, query=query)
        page = parse(_Page, call(page_request), page_request.method, page_request.path)
        for item in page.data:
            yield parse(model, item, page_request.method, page_request.path)
        if not page.has_more:
            return
        cursor = getattr(page, style.cursor_field)
        if not cursor or cursor in used:
            problem = "no cursor" if not cursor else f"a cursor already used ({cursor!r})"
            raise PaginationError(
                f"the list says has_more=true but gives {problem} in `{style.cursor_field}`; "
                "stopping instead of looping forever",
                method=page_request.method, path=page_request.path,
            )
        used.add(cursor)
        after = cursor

