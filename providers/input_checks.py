"""Validation of resource inputs for ``check``: local, no API call, one failure per property.

``pulumi preview`` shows these failures before anything is sent, so each one names the
property and says what is allowed. Values that are still unknown during a preview (outputs
of resources not yet created) are not judged: they are checked again when known.
"""

from __future__ import annotations

import difflib
import re
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


def role_id_problem(role: Any) -> str | None:
    """What is wrong with a project role id, or None. The predefined ids are known offline, so
    a typo in one fails here, naming the allowed ids and the closest of them; a custom id
    (`role_…`) can only be judged by the API (``openai-access check``)."""
    if not isinstance(role, str) or not ROLE_ID_PATTERN.match(role):
        return f"{role!r} is not a project role id such as {ROLE_ID_EXAMPLES}"
    if role.startswith(PREDEFINED_ROLE_ID_PREFIX) and role not in PREDEFINED_PROJECT_ROLE_IDS:
        closest = difflib.get_close_matches(role, PREDEFINED_PROJECT_ROLE_IDS, n=1)
        hint = f"did you mean {closest[0]!r}? " if closest else ""
        return (f"{role!r} is not a predefined project role: {hint}the predefined ones are "
                f"{', '.join(PREDEFINED_PROJECT_ROLE_IDS)}; custom role ids look like 'role_01J1F8PROJ'")
    return None

# Judges one input by name; told whether the input is required, so that the "required"
# message can say what is allowed too.
Rule = Callable[["InputChecker", str, bool], None]


def is_unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (a preview of a dependent resource): the
    SDK hands the provider an ``Unknown`` object in a preview, the wire marker elsewhere."""
    return isinstance(value, Unknown) or value == rpc.UNKNOWN


def is_given(value: Any) -> bool:
    return value is not None and value != ""


class InputChecker:
    """Collects the failures of one ``check`` call over the new inputs."""

    def __init__(self, news: Mapping[str, Any]) -> None:
        self._news = news
        self.failures: list[CheckFailure] = []

    def fail(self, prop: str, reason: str) -> None:
        self.failures.append(CheckFailure(prop, reason))

    def value(self, prop: str) -> Any:
        return self._news.get(prop)

    def text(self, prop: str, pattern: re.Pattern[str], allowed: str, *, required: bool = True) -> None:
        """A string matching ``pattern``; ``allowed`` describes it for the failure message."""
        value = self.value(prop)
        if is_unknown(value):
            return
        if not is_given(value):
            if required:
                self.fail(prop, f"{prop} is required: {allowed}")
            return
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(prop, f"{prop} {value!r} is not valid: expected {allowed}")

    def choice(self, prop: str, allowed: Iterable[str], *, required: bool = True) -> None:
        value = self.value(prop)
        if is_unknown(value) or (value is None and not required):
            return
        options = ", ".join(repr(option) for option in allowed)
        if value not in tuple(allowed):
            self.fail(prop, f"{prop} must be one of {options}, got {value!r}")

    def boolean(self, prop: str) -> None:
        value = self.value(prop)
        if value is None or is_unknown(value) or isinstance(value, bool):
            return
        self.fail(prop, f"{prop} must be true or false, got {value!r}")

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

    def user_reference(self) -> str | None:
        """``user_id`` or ``email``, exactly one, each in its own shape."""
        chosen = self.exactly_one_of("user_id", "email")
        if chosen == "user_id":
            self.text("user_id", USER_ID_PATTERN, "an OpenAI user id such as 'user-abc123'")
        elif chosen == "email":
            self.text("email", EMAIL_PATTERN, "an email address such as 'ada@example.com'")
        return chosen

    def unknown_properties(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for prop in sorted(set(self._news) - allowed - {"__provider"}):
            if self._news[prop] is not None:
                self.fail(prop, f"{prop} is not an input of this resource; inputs are {', '.join(sorted(allowed))}")


def matching(pattern: re.Pattern[str], allowed: str) -> Rule:
    """A string in the shape of ``pattern``; ``allowed`` describes it to the user."""
    return lambda checker, prop, required: checker.text(prop, pattern, allowed, required=required)


def one_of(options: Iterable[str]) -> Rule:
    options = tuple(options)
    return lambda checker, prop, required: checker.choice(prop, options, required=required)


def true_or_false(checker: InputChecker, prop: str, _required: bool) -> None:
    checker.boolean(prop)


def role_id_list(checker: InputChecker, prop: str, _required: bool) -> None:
    """A list of project role ids (values not known yet in a preview are not judged)."""
    value = checker.value(prop)
    if value is None or is_unknown(value):
        return
    if not isinstance(value, (list, tuple)):
        checker.fail(prop, f"{prop} must be a list of project role ids, got {value!r}")
        return
    problems = [problem for role in value if not is_unknown(role) and (problem := role_id_problem(role))]
    if problems:
        checker.fail(prop, f"{prop}: {'; '.join(problems)}")


def role_id(checker: InputChecker, prop: str, required: bool) -> None:
    """One project role id (see ``role_id_problem``)."""
    value = checker.value(prop)
    if is_unknown(value):
        return
    if not is_given(value):
        if required:
            checker.fail(prop, f"{prop} is required: a project role id such as {ROLE_ID_EXAMPLES}")
        return
    problem = role_id_problem(value)
    if problem:
        checker.fail(prop, f"{prop}: {problem}")


def positive_seconds(checker: InputChecker, prop: str, _required: bool) -> None:
    """An optional whole number of seconds above zero (the engine sends numbers as floats)."""
    value = checker.value(prop)
    if value is None or is_unknown(value):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value <= 0:
        checker.fail(prop, f"{prop} must be a whole number of seconds above zero, got {value!r}")


def text_list(allowed: str) -> Rule:
    """An optional list of non-empty strings; ``allowed`` describes them to the user."""

    def rule(checker: InputChecker, prop: str, _required: bool) -> None:
        value = checker.value(prop)
        if value is None or is_unknown(value):
            return
        if not isinstance(value, (list, tuple)) or not all(
                is_unknown(item) or (isinstance(item, str) and item) for item in value):
            checker.fail(prop, f"{prop} must be a list of {allowed}, got {value!r}")

    return rule


def free_text(allowed: str, *, max_length: int) -> Rule:
    """A string with something besides spaces, of at most ``max_length`` characters."""

    def rule(checker: InputChecker, prop: str, required: bool) -> None:
        value = checker.value(prop)
        if is_unknown(value) or (value is None and not required):
            return
        if not isinstance(value, str) or not value.strip():
            checker.fail(prop, f"{prop} is required: {allowed}" if required else f"{prop} must be {allowed}")
        elif len(value) > max_length:
            checker.fail(prop, f"{prop} must be at most {max_length} characters, got {len(value)}")

    return rule


def any_text(checker: InputChecker, prop: str, _required: bool) -> None:
    value = checker.value(prop)
    if value is not None and not is_unknown(value) and not isinstance(value, str):
        checker.fail(prop, f"{prop} must be a string, got {value!r}")


# A rule written once as "what is wrong with this value" (None: nothing), so that the
# resource's ``check`` and the access spec judge a value with the same words.
Problem = Callable[[Any], "str | None"]


def judged_by(problem: Problem, allowed: str) -> Rule:
    """A ``Rule`` from a ``Problem``; ``allowed`` describes the value when it is missing."""

    def rule(checker: InputChecker, prop: str, required: bool) -> None:
        value = checker.value(prop)
        if is_unknown(value):
            return
        if value is None:
            if required:
                checker.fail(prop, f"{prop} is required: {allowed}")
            return
        found = problem(value)
        if found is not None:
            checker.fail(prop, f"{prop} {found}")

    return rule


def name_problem(what: str, max_length: int) -> Problem:
    """A name with something besides spaces, of at most ``max_length`` characters."""

    def problem(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return f"must be {what} with something besides spaces, got {value!r}"
        if len(value) > max_length:
            return f"must be at most {max_length} characters, got {len(value)}"
        return None

    return problem


def non_empty_text_list(what: str) -> Problem:
    """A list of at least one non-empty string (items not known yet are not judged)."""

    def problem(value: Any) -> str | None:
        if not isinstance(value, (list, tuple)) or not value:
            return f"must be a non-empty list of {what}, got {value!r}"
        bad = [item for item in value if not is_unknown(item) and not (isinstance(item, str) and item.strip())]
        if bad:
            return f"must be a list of {what} (non-empty strings), got {bad!r} in it"
        return None

    return problem
