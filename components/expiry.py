"""When declared access ends: the ``expires`` of a team, a member entry or a grant.

Nothing in the OpenAI API expires by itself. The spec says until when access is declared;
from that instant on the stack program no longer declares it, so the next preview shows its
removal and the next ``up`` removes it.

Which instant a value means:

* a date, ``2026-12-24``: the **end of that day in UTC**. The access lasts through 24 December
  (UTC) and is no longer declared from ``2026-12-25T00:00:00Z`` on;
* an RFC 3339 time with its offset, ``2026-12-24T17:00:00+01:00``: exactly that instant. A time
  without an offset is refused: the same spec must mean the same instant on every runner.

"Now" is the clock of the machine that runs the program, unless ``$OPENAI_ACCESS_NOW`` (an
RFC 3339 time) sets it: for tests, and for a preview of the stack as it will be on a date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

NOW_ENV = "OPENAI_ACCESS_NOW"
# The stack output and the preview name access that ends within this many days.
ENDING_SOON_DAYS = 14

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
ALLOWED = "a date (YYYY-MM-DD, the end of that day in UTC) or an RFC 3339 time with its offset " \
          "(2026-12-24T17:00:00Z)"


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The instant a date-only ``expires`` means: the first instant after that day, UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc)


def parse_expiry(value: Any) -> dt.datetime:
    """The instant ``value`` means, in UTC; a ``ValueError`` that says what is allowed.

    YAML hands over dates and times already parsed (``2026-12-24`` is a ``date``), JSON and
    inline config as strings: both are accepted."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no offset: write it as {ALLOWED}")
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.date):
        return end_of_day_utc(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.match(text):
                return end_of_day_utc(dt.date.fromisoformat(text))
            if _RFC3339.match(text):
                return dt.datetime.fromisoformat(text.replace("z", "Z")).astimezone(dt.timezone.utc)
        except ValueError:
            pass  # the right shape, an impossible value (2026-02-30): the message below
    raise ValueError(f"{value!r} is not {ALLOWED}")


def rfc3339(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


# The spec's field type: any accepted form in, the instant (UTC) kept, RFC 3339 out.
Expiry = Annotated[dt.datetime, BeforeValidator(parse_expiry), PlainSerializer(rfc3339, when_used="json")]


def now(environ: Any = os.environ) -> dt.datetime:
    """The current instant, or ``$OPENAI_ACCESS_NOW`` when set."""
    override = environ.get(NOW_ENV)
    if override:
        try:
            return parse_expiry(override)
        except ValueError as error:
            raise ValueError(f"${NOW_ENV}: {error}") from None
    return dt.datetime.now(dt.timezone.utc)


def earliest(*instants: dt.datetime | None) -> dt.datetime | None:
    """When access granted under all of these ends: the earliest given (None: never)."""
    given = [instant for instant in instants if instant is not None]
    return min(given) if given else None


def latest(instants: list[dt.datetime | None]) -> dt.datetime | None:
    """When access that any of these grants ends: None (never) if one of them is permanent."""
    if not instants or any(instant is None for instant in instants):
        return None
    return max(instant for instant in instants if instant is not None)
