"""An accept-only shortcut through a marshmallow schema, for the well-formed common case.

`accept_only(schema)` returns a function that loads plain, valid input exactly as
`schema.load` would, or returns None for anything else: a value of another type than the plain
JSON one (a number for a boolean, a string for a number), a failing validator, a missing
required field, an unknown key. The caller then loads that input with marshmallow itself,
which produces the error messages.

The schema stays the one source of truth: the shortcut reads its fields, their validators and
the schema's own hooks (pre_load, validates_schema, post_load) and calls them; it only skips
marshmallow's general machinery (error collection, partial loading, type coercion), which is
most of the cost of a load. A schema using anything not handled here gets no shortcut at all
(`accept_only` returns None). tests/test_records_fastload.py checks with hypothesis, for every
schema the app loads through `load_fast_or_full`, that whenever the shortcut returns a value,
marshmallow accepts the same input and returns an equal value.

It reads marshmallow internals (`Schema._hooks`, `Field._deserialize`, `Integer._validated`), so
it is written for one major version, the one pyproject.toml pins. It earns that on the batch
endpoint, where marshmallow's general machinery is a material share of a whole request.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from importlib.metadata import version
from typing import Any, Callable

from marshmallow import RAISE, Schema, ValidationError, fields, missing
from marshmallow.utils import is_aware


class _Decline(Exception):
    """Not one of the plain cases: leave this input to marshmallow."""


class _Unsupported(Exception):
    """A schema feature the shortcut does not reproduce."""


Loader = Callable[[Any], Any]


def accept_only(schema: Schema) -> Callable[[Any], dict | None] | None:
    """The shortcut for this schema instance, or None when it uses unsupported features.

    Written against marshmallow 4's fields and hooks (marshmallow 3 parses dates differently):
    other versions get no shortcut.
    """
    if int(version("marshmallow").split(".")[0]) != 4:
        return None
    try:
        load = _schema_loader(schema)
    except _Unsupported:
        return None

    def load_or_none(data: Any) -> dict | None:
        try:
            return load(data)
        except (_Decline, ValidationError):
            return None

    return load_or_none


def load_fast_or_full(schema: Schema) -> Callable[[Any], Any]:
    """schema.load, through the shortcut when the schema has one: plain input the shortcut's
    way, anything it declines by marshmallow itself, which raises with the messages."""
    shortcut = accept_only(schema)
    if shortcut is None:
        return schema.load

    def load(data: Any) -> Any:
        loaded = shortcut(data)
        return schema.load(data) if loaded is None else loaded

    return load


def _as_is(value):
    return value


def _uuid(value):
    if type(value) is not str:
        raise _Decline
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _Decline from None


def _aware_datetime(value):
    if type(value) is not str:
        raise _Decline
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Decline from None
    if not is_aware(parsed):
        raise _Decline
    return parsed


def _date(value):
    if type(value) is not str:
        raise _Decline
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Decline from None


def _of_type(kind: type) -> Loader:
    def load(value):
        if type(value) is not kind:  # exactly: bool is an int to isinstance
            raise _Decline
        return value

    return load


def _typed_loader(field: fields.Field) -> Loader:
    """Turns the JSON value into the field's type, before the field's validators."""
    kind = type(field)
    if isinstance(field, fields.String) and kind._deserialize is fields.String._deserialize:
        return _of_type(str)
    if isinstance(field, fields.Integer) and kind._validated is fields.Integer._validated:
        return _of_type(int)
    if isinstance(field, fields.Boolean) and kind._deserialize is fields.Boolean._deserialize:
        if True not in field.truthy or False not in field.falsy:
            raise _Unsupported
        return _of_type(bool)
    if kind is fields.Raw:
        return _as_is
    if kind is fields.UUID:
        return _uuid
    if kind is fields.AwareDateTime and field.format in ("iso", "iso8601") and field.default_timezone is None:
        return _aware_datetime
    if kind is fields.Date and field.format in ("iso", "iso8601"):
        return _date
    if kind is fields.List:
        inner = _field_loader(field.inner)

        def load_list(value):
            if type(value) is not list:
                raise _Decline
            return [inner(item) for item in value]

        return load_list
    if kind is fields.Nested and isinstance(field.nested, type):
        return _schema_loader(field.schema, field.unknown)
    raise _Unsupported(f"{field!r}")


def _field_loader(field: fields.Field) -> Loader:
    """What Field.deserialize does for a value that is present."""
    if field.pre_load or field.post_load:
        raise _Unsupported
    typed, validators, allow_none = _typed_loader(field), tuple(field.validators), field.allow_none

    def load(value):
        if value is None:
            if allow_none:
                return None
            raise _Decline
        value = typed(value)
        for validator in validators:
            validator(value)
        return value

    return load


def _hooks(schema: Schema, tag: str, supported: tuple[str, ...] = ()) -> list[Callable]:
    hooks = []
    for name, pass_collection, options in schema._hooks[tag]:
        if pass_collection or set(options) - {"pass_original", *supported} or options.get("pass_original"):
            raise _Unsupported
        hooks.append(getattr(schema, name))
    return hooks


def _schema_loader(schema: Schema, unknown: str | None = None) -> Loader:
    """What Schema.load does for one object, calling the schema's own hooks."""
    if schema.many or schema.partial or schema._hooks["validates"] or (unknown or schema.unknown) != RAISE:
        raise _Unsupported
    pre_load, post_load = _hooks(schema, "pre_load"), _hooks(schema, "post_load")
    validators = _hooks(schema, "validates_schema", ("skip_on_field_errors",))
    plan = []  # (key, loader, required, load_default)
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise _Unsupported
        plan.append((name, _field_loader(field), field.required, field.load_default))
    known = frozenset(name for name, *_ in plan)

    def load(data):
        for hook in pre_load:
            data = hook(data, many=False, partial=None, unknown=RAISE)
        if type(data) is not dict or not known.issuperset(data):
            raise _Decline
        result = {}
        for name, load_field, required, default in plan:
            if name in data:
                result[name] = load_field(data[name])
            elif required:
                raise _Decline
            elif default is not missing:
                result[name] = default() if callable(default) else default
        for validator in validators:
            validator(result, many=False, partial=None, unknown=RAISE)
        for hook in post_load:
            result = hook(result, many=False, partial=None, unknown=RAISE)
        return result

    return load
