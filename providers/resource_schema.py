"""Each resource's properties, declared once; everything else derived from the declaration.

A resource module lists its inputs (with the rule ``check`` applies, and whether a change
replaces or updates in place), the rules over several inputs together, its output-only
properties, each with a type and a one-line doc, and which outputs an API record fills. From
that one list come: the names the resource registers, ``check``, ``diff``, the outputs the
provider returns and the record rebuilt from them, the inputs that ``read`` reports back, the
``…Args`` class and the typed, documented output properties of the resource class. The access
spec judges its fields by the same rules (``Input.rule``, ``ResourceSchema.constraint_problems``).
Adding a property is one line in one place.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

import pulumi
from pulumi.dynamic import CheckResult, DiffResult

from pydantic import SecretStr

from .input_checks import InputChecker, Rule, is_given, is_unknown
from .input_diff import Comparator, same_user, same_value
from .user_reference import user_inputs


class Change(enum.Enum):
    """What a new value of an input does to the resource."""

    REPLACE = "replace"
    UPDATE = "update"


@dataclass(frozen=True)
class Output:
    """A property the resource reports; ``type`` is what a program sees inside the Output."""

    name: str
    type: Any
    doc: str


class InputDeclaration(Protocol):
    """One input, or a group of inputs checked and compared together (the user reference)."""

    def outputs(self) -> tuple[Output, ...]: ...
    def args_fields(self) -> list[tuple[str, Any, bool]]: ...
    def check(self, checker: InputChecker) -> None: ...
    def checked(self, news: Mapping[str, Any]) -> dict[str, Any]: ...
    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]: ...
    def from_outputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]: ...


def _changed(same: Comparator, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    # A value not known yet (a preview of a dependent resource) counts as changed, as the engine would.
    return is_unknown(news.get(name)) or not same(olds, news)


@dataclass(frozen=True)
class Input:
    """One input property. ``rule`` judges a given value; ``normalize`` shapes what ``check``
    passes on (and ``default`` stands in for a value not given, when not None)."""

    name: str
    type: Any
    doc: str
    rule: Rule | None = None
    required: bool = False
    on_change: Change = Change.UPDATE
    same: Comparator | None = None
    normalize: Callable[[Any], Any] | None = None
    default: Any = None

    def outputs(self) -> tuple[Output, ...]:
        return (Output(self.name, self.type, self.doc),)

    def args_fields(self) -> list[tuple[str, Any, bool]]:
        return [(self.name, self.type, self.required)]

    def check(self, checker: InputChecker) -> None:
        if self.rule is not None:
            checker.judge(self.name, self.rule, required=self.required)
        elif self.required and not is_given(checker.value(self.name)):
            checker.fail(self.name, f"{self.name} is required")

    def checked(self, news: Mapping[str, Any]) -> dict[str, Any]:
        value = news.get(self.name)
        if value is None:
            value = self.default
        if value is None:
            return {}
        if self.normalize is not None and not is_unknown(value):
            value = self.normalize(value)
        return {self.name: value}

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        if not _changed(self.same or same_value(self.name), self.name, olds, news):
            return [], []
        return ([self.name], []) if self.on_change is Change.REPLACE else ([], [self.name])

    def from_outputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]:
        value = outputs.get(self.name)
        return {} if value is None else {self.name: value}


@dataclass(frozen=True)
class UserInputs:
    """``user_id`` or ``email``: exactly one names the user, each in the shape its rule says.
    Naming the same person the other way, or an email in another letter case, is no change."""

    user_id: Rule
    email: Rule
    user_id_doc: str = "The user's OpenAI id, `user-…`. Give this or `email`."
    email_doc: str = "The user's email address, matched case-insensitively. Give this or `user_id`."

    def outputs(self) -> tuple[Output, ...]:
        return (Output("user_id", str, self.user_id_doc), Output("email", str | None, self.email_doc))

    def args_fields(self) -> list[tuple[str, Any, bool]]:
        return [("user_id", str | None, False), ("email", str | None, False)]

    def check(self, checker: InputChecker) -> None:
        chosen = checker.exactly_one_of("user_id", "email")
        if chosen is not None:
            checker.judge(chosen, self.user_id if chosen == "user_id" else self.email, required=True)

    def checked(self, news: Mapping[str, Any]) -> dict[str, Any]:
        prop = "user_id" if is_given(news.get("user_id")) else "email"
        return {prop: news[prop]} if is_given(news.get(prop)) else {}

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        prop = "user_id" if news.get("user_id") else "email"
        return ([prop], []) if _changed(same_user, prop, olds, news) else ([], [])

    def from_outputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]:
        return user_inputs(outputs)


@dataclass(frozen=True)
class Constraint:
    """A rule over several inputs together, reported on ``prop``. ``problem`` looks at the
    inputs and says what is wrong, naming the inputs it concerns; it is not asked while one of
    ``reads`` is unknown or has failed its own rule."""

    prop: str
    reads: tuple[str, ...]
    problem: Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class RecordOutputs:
    """Outputs that one API record fills: output name → the record's field. Read both ways:
    a record's values become outputs, and the record is rebuilt from stored outputs (``update``
    is handed the previous outputs, not a record)."""

    record: type[Any]
    fields: Mapping[str, str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.fields)

    def outputs(self, record: Any | None) -> dict[str, Any]:
        """The record's values under their output names (None for a field it lacks); all None
        without a record. A secret is handed on as its value: the resource class makes the
        engine store that output encrypted."""
        if record is None:
            return dict.fromkeys(self.fields)
        return {name: _plain(getattr(record, field, None)) for name, field in self.fields.items()}

    def record_from(self, outputs: Mapping[str, Any], **known: Any) -> Any:
        """The record as the outputs hold it (a field they leave empty takes the record's
        default); ``known``: fields the outputs do not hold, such as the resource's id."""
        stored = {field: outputs.get(name) for name, field in self.fields.items() if outputs.get(name) is not None}
        return self.record.model_validate({**stored, **known})


def _plain(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


@dataclass(frozen=True)
class ResourceSchema:
    """A resource's inputs (each also an output), the rules over several inputs together, its
    output-only properties, and which of its outputs API records fill."""

    inputs: tuple[InputDeclaration, ...]
    outputs: tuple[Output, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    records: tuple[RecordOutputs, ...] = ()

    def __post_init__(self) -> None:
        undeclared = [name for record in self.records for name in record.names if name not in self.output_names]
        if undeclared:
            raise ValueError(f"record outputs {undeclared} are not declared outputs of the resource")

    def input(self, name: str) -> Input:
        """The input declared as ``name`` (whose rule the access spec applies too)."""
        return next(d for d in self.inputs if isinstance(d, Input) and d.name == name)

    @property
    def all_outputs(self) -> tuple[Output, ...]:
        declared = [output for declaration in self.inputs for output in declaration.outputs()]
        return (*declared, *self.outputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(output.name for output in self.all_outputs)

    def check(self, news: Mapping[str, Any]) -> CheckResult:
        """Every failure at once, one per property; the inputs as the provider will use them."""
        checker = InputChecker(news)
        checker.unknown_properties(self.output_names)
        checked: dict[str, Any] = {}
        for declaration in self.inputs:
            declaration.check(checker)
            checked.update(declaration.checked(news))
        for constraint in self.constraints:
            if not checker.failed(*constraint.reads) and not any(is_unknown(news.get(p)) for p in constraint.reads):
                problem = constraint.problem(news)
                if problem is not None:
                    checker.fail(constraint.prop, problem)
        return CheckResult(checked, checker.failures)

    def constraint_problems(self, values: Mapping[str, Any]) -> list[str]:
        """What the rules over several inputs find wrong with ``values`` (inputs each valid)."""
        return [problem for constraint in self.constraints if (problem := constraint.problem(values)) is not None]

    def output_values(self, inputs: Mapping[str, Any], *parts: Mapping[str, Any]) -> dict[str, Any]:
        """Every declared output: the inputs as given, then each of ``parts`` over them (what
        an API record says, what the provider worked out). A name the schema does not declare
        is refused: every output is declared here first."""
        undeclared = sorted({name for part in parts for name in part} - set(self.output_names))
        if undeclared:
            raise KeyError(f"outputs {undeclared} are not declared in the schema")
        values = {name: inputs.get(name) for declaration in self.inputs for name in _names(declaration)}
        for part in parts:
            values.update(part)
        return {name: values.get(name) for name in self.output_names}

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """Changes stated explicitly (never "unknown"), comparing inputs only: never
        ``__provider``, so a provider code change is no change to a resource."""
        replaces, updates = self._changes(olds, news)
        return DiffResult(changes=bool(replaces or updates), replaces=replaces, stables=[], delete_before_replace=False)

    def updated_inputs(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """The inputs that differ and change in place, compared as ``diff`` compares them."""
        return self._changes(olds, news)[1]

    def _changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        replaces: list[str] = []
        updates: list[str] = []
        for declaration in self.inputs:
            replaced, updated = declaration.changes(olds, news)
            replaces += replaced
            updates += updated
        return replaces, updates

    def inputs_from_outputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs as the program wrote them, rebuilt from outputs (what ``read`` reports,
        so that a refresh with nothing changed shows no change)."""
        inputs: dict[str, Any] = {}
        for declaration in self.inputs:
            inputs.update(declaration.from_outputs(outputs))
        return inputs

    def args_class(self, name: str, doc: str) -> type:
        """The ``…Args`` dataclass: the required inputs first, then the optional ones."""
        fields = [field for declaration in self.inputs for field in declaration.args_fields()]
        ordered = [f for f in fields if f[2]] + [f for f in fields if not f[2]]
        specs = [
            (field_name, pulumi.Input[field_type])
            if required
            else (field_name, pulumi.Input[field_type] | None, dataclasses.field(default=None))
            for field_name, field_type, required in ordered
        ]
        docs = {output.name: output.doc for output in self.all_outputs}
        lines = [doc, "", *(f"- ``{field[0]}``: {docs[field[0]]}" for field in ordered)]
        args = dataclasses.make_dataclass(name, specs)
        args.__doc__ = "\n".join(lines)
        return args

    def registered_props(self, args: Any) -> dict[str, Any]:
        """The args' fields, plus every output seeded as None: the engine only hands back
        properties that the resource registered (pulumi/pulumi#6678)."""
        # Not dataclasses.asdict: it deep-copies values, and Outputs must pass through untouched.
        props = {field.name: getattr(args, field.name) for field in dataclasses.fields(args)}
        for output_name in self.output_names:
            props.setdefault(output_name, None)
        return props


def _names(declaration: InputDeclaration) -> list[str]:
    return [output.name for output in declaration.outputs()]


def output_properties(schema: ResourceSchema) -> dict[str, property]:
    """A typed, documented property per output, as Pulumi's generated SDKs have them. The SDK
    stores each output in the instance ``__dict__``; the property reads it from there."""

    def reader(output: Output) -> property:
        def get(self: pulumi.Resource) -> Any:
            return self.__dict__[output.name]

        get.__annotations__ = {"return": pulumi.Output[output.type]}
        get.__name__ = output.name
        return property(get, doc=output.doc)

    return {output.name: reader(output) for output in schema.all_outputs}

