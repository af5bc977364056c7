"""``openai-access report``: the access map as one self-contained HTML page.

Everything is in the page (styles, the script of the filters, the data): it opens from a
file or an attachment with no network. Filters (person, team, project) can be given in the
address, ``report.html#person=ada&project=proj_…``, so that a link shows what it is about.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Mapping

import jinja2

from ..components import expiry
from .access_map import STATUS_TEXT, AccessMap


def render_report(access: AccessMap, *, title: str, role_names: Mapping[str, str],
                  generated: dt.datetime | None = None) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pulumi_openai_access.cli", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters["until"] = _until
    rows = {}
    for person in access.people:
        cells = [cell for (key, _), cell in access.cells.items() if key == person.key]
        rows[person.key] = {
            "search": " ".join(filter(None, (person.key, person.name))).casefold(),
            "teams": "|".join(sorted({source for cell in cells for source in cell.via})),
        }
    return environment.get_template("access_report.html").render(
        access=access, rows=rows, title=title, role_names=role_names, statuses=STATUS_TEXT,
        soon_days=expiry.ENDING_SOON_DAYS, summary=_summary(access, generated or expiry.now()),
    )


def _summary(access: AccessMap, generated: dt.datetime) -> str:
    counts = Counter(cell.status for cell in access.cells.values())
    soon = sum(cell.ending_soon for cell in access.cells.values())
    found = ", ".join(f"{counts[status]} {text}" for status, text in STATUS_TEXT.items() if counts[status])
    ending = f"; {soon} ending within {expiry.ENDING_SOON_DAYS} days" if soon else ""
    return (f"{len(access.people)} people, {len(access.projects)} projects, {access.memberships} memberships: "
            f"{found or 'none'}{ending}. As of {generated.strftime('%Y-%m-%d %H:%M UTC')}.")


def _until(ends: dt.datetime) -> str:
    """The last moment of access as people say it: an end at midnight UTC is the day before's
    end, as a date-only ``expires`` writes it."""
    ends = ends.astimezone(dt.timezone.utc)
    if ends.time() == dt.time():
        return f"until {(ends - dt.timedelta(days=1)).date().isoformat()}"
    return f"until {ends.strftime('%Y-%m-%d %H:%M')} UTC"
