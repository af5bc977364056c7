"""What an input may be: each rule declared once, with the input, and judged alike by the
providers' ``check``, the access spec and the command that reads a spec.

A ``Rule`` judges one value and says what is wrong in words that follow the input's name or
path: a provider fails the property with "role must be 'owner' or 'member', got 'admin'", the
spec reports "teams.web.grants.proj_….role: must be 'owner' or 'member', got 'admin'". The
same words wherever the value comes from. Everything here is local, no API call, so that
``pulumi preview`` shows a failure before anything is sent. Values still unknown during a
preview (outputs of resources not created yet) are not judged: they are checked when known.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from pulumi.dynamic import CheckFailure
from pulumi.output import Unknown
from pulumi.runtime import rpc

from .admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS, PREDEFINED_ROLE_ID_PREFIX

PROJECT_ID_PATTERN = re.compile(r"^proj_[A-Za-z0-9]+$")
# Real user ids look like "user-AbC…"; the published examples also use "user_abc".
USER_ID_PATTERN = re.compile(r"^user[-_][A-Za-z0-9]+$")
# Predefined roles are "role-api-project-viewer"; custom roles "role_01J1F8PROJ".
ROLE_ID_PATTERN = re.compile(r"^role[-_][A-Za-z0-9_-]+$")
ROLE_ID_EXAMPLES = "'role-api-project-viewer' or 'role_01J1F8PROJ'"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (a preview of a dependent resource): the
    SDK hands the provider an ``Unknown`` object in a preview, the wire marker elsewhere."""
    return isinstance(value, Unknown) or value == rpc.UNKNOWN


def is_given(value: Any) -> bool:
    return value is not None and value != ""


@dataclass(frozen=True)
class Rule:
    """What one input's value may be. ``judge`` looks at a given, known value and returns
    what is wrong with it, or None; ``allowed`` says what a value must be, for the message
    when a required input is missing."""

    judge: Callable[[Any], str | None]
    allowed: str

    def problem(self, value: Any, *, required: bool = False) -> str | None:
        """What is wrong with ``value``, in words that follow the input's name or path."""
        if is_unknown(value):
            return None
        if value is None or (required and value == ""):
            return f"is required: {self.allowed}" if required else None
        return self.judge(value)


class InputChecker:
    """Collects the failures of one ``check`` call over the new inputs."""

    def __init__(self, news: Mapping[str, Any]) -> None:
        self._news = news
        self.failures: list[CheckFailure] = []

    def fail(self, prop: str, reason: str) -> None:
        self.failures.append(CheckFailure(prop, reason))

    def value(self, prop: str) -> Any:
        return self._news.get(prop)

    def failed(self, *props: str) -> bool:
        return any(failure.property in props for failure in self.failures)

    def judge(self, prop: str, rule: Rule, *, required: bool = False) -> None:
        problem = rule.problem(self.value(prop), required=required)
        if problem is not None:
            self.fail(prop, f"{prop} {problem}")

    def exactly_one_of(self, first: str, second: str) -> str | None:
        """Returns the property that is given, or None after recording a failure."""
        given = [prop for prop in (first, second) if is_given(self.value(prop))]
        if len(given) == 1:
            return given[0]
        if given:
            self.fail(second, f"give exactly one of {first} or {second}, not both")
        else:
            self.fail(first, f"one of {first} or {second} is required")
        return None

    def unknown_properties(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for prop in sorted(set(self._news) - allowed - {"__provider"}):
            if self._news[prop] is not None:
                self.fail(prop, f"{prop} is not an input of this resource; inputs are {', '.join(sorted(allowed))}")


# --- rules ------------------------------------------------------------------------------------
def matching(pattern: re.Pattern[str], allowed: str) -> Rule:
    """A string in the shape of ``pattern``; ``allowed`` names it ("a project id such as …")."""
    return Rule(lambda value: None if isinstance(value, str) and pattern.match(value) else f"{value!r} is not {allowed}",
                allowed)


def one_of(options: Iterable[str]) -> Rule:
    options = tuple(options)
    quoted = [repr(option) for option in options]
    allowed = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
    return Rule(lambda value: None if value in options else f"must be {allowed}, got {value!r}", allowed)


true_or_false = Rule(lambda value: None if isinstance(value, bool) else f"must be true or false, got {value!r}",
                     "true or false")

any_text = Rule(lambda value: None if isinstance(value, str) else f"must be a string, got {value!r}", "a string")


def _role_id_problem(role: Any) -> str | None:
    """The predefined ids are known offline, so a typo in one fails here, naming the allowed ids
    and the closest of them; a custom id (`role_…`) can only be judged by the API
    (``openai-access check``)."""
    if not isinstance(role, str) or not ROLE_ID_PATTERN.match(role):
        return f"{role!r} is not a project role id such as {ROLE_ID_EXAMPLES}"
    if role.startswith(PREDEFINED_ROLE_ID_PREFIX) and role not in PREDEFINED_PROJECT_ROLE_IDS:
        closest = difflib.get_close_matches(role, PREDEFINED_PROJECT_ROLE_IDS, n=1)
        hint = f"did you mean {closest[0]!r}? " if closest else ""
        return (f"{role!r} is not a predefined project role: {hint}the predefined ones are "
                f"{', '.join(PREDEFINED_PROJECT_ROLE_IDS)}; custom role ids look like 'role_01J1F8PROJ'")
    return None


def _role_ids(value: Any) -> str | None:
    if not isinstance(value, (list, tuple)):
        return f"must be a list of project role ids such as {ROLE_ID_EXAMPLES}, got {value!r}"
    problems = [problem for role in value if not is_unknown(role) and (problem := _role_id_problem(role))]
    return "; ".join(problems) if problems else None


role_id = Rule(_role_id_problem, f"a project role id such as {ROLE_ID_EXAMPLES}")
role_id_list = Rule(_role_ids, f"a list of project role ids such as {ROLE_ID_EXAMPLES}")


def _whole(value: Any) -> bool:
    """An int, or a float with nothing after the point (the engine sends numbers as floats,
    pulumi/pulumi#13830)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
            and value == int(value))


def whole_number(*, at_least: int, unit: str = "") -> Rule:
    """A whole number of at least ``at_least`` (``unit``: "seconds", said in the message)."""
    allowed = (f"a whole number of {unit} above zero" if unit and at_least == 1
               else f"a whole number of at least {at_least}")
    return Rule(lambda value: None if _whole(value) and value >= at_least else f"must be {allowed}, got {value!r}",
                allowed)


positive_seconds = whole_number(at_least=1, unit="seconds")


def text_list(what: str, *, at_least_one: bool = False) -> Rule:
    """A list of non-empty strings (``at_least_one``: and not empty); ``what`` names them."""
    allowed = f"a {'non-empty ' if at_least_one else ''}list of {what}"

    def judge(value: Any) -> str | None:
        if not isinstance(value, (list, tuple)) or (at_least_one and not value):
            return f"must be {allowed}, got {value!r}"
        bad = [item for item in value if not is_unknown(item) and not (isinstance(item, str) and item.strip())]
        return f"must be {allowed} (non-empty strings), got {bad!r} in it" if bad else None

    return Rule(judge, allowed)


def name(what: str, *, max_length: int) -> Rule:
    """A name: a string with something besides spaces, of at most ``max_length`` characters;
    ``what`` names it ("a project name such as 'Checkout service'")."""

    def judge(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return f"must be {what} with something besides spaces, got {value!r}"
        if len(value) > max_length:
            return f"must be at most {max_length} characters, got {len(value)}"
        return None

    return Rule(judge, what)
