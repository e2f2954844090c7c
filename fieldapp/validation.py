"""Field types shared by the API schemas.

PostgreSQL refuses NUL characters in text and integers beyond 32/64 bits; catching both in the
schema turns what would be a database error (a 500) into a per-field 422.
"""
from __future__ import annotations

from datetime import date

from babel import Locale
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .i18n.messages import N_

INT32_MAX = 2**31 - 1
# ISO 639-1 and -3 codes Babel (CLDR) knows, e.g. nl, tr, ti, so, ar, en, prs.
LANGUAGES = frozenset(
    code for code in Locale("en").languages if code.isalpha() and code.islower() and len(code) in (2, 3)
)
# C0 control characters (below U+0020) other than tab, line feed and carriage return. As a
# Regexp validator the rule also reaches the OpenAPI document as a `pattern`, so a client
# reading the document knows it.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class Text(fields.String):
    """A string without NUL or other control characters (line breaks and tabs allowed)."""

    def __init__(self, *args, **kwargs):
        validators = kwargs.pop("validate", None)
        validators = [validators] if callable(validators) else list(validators or [])
        no_controls = validate.Regexp(NO_CONTROL_CHARACTERS, error=N_("Contains characters that are not allowed."))
        super().__init__(*args, validate=[no_controls, *validators], **kwargs)


class Id(fields.Integer):
    """A database id: a whole number that fits the column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=1, max=INT32_MAX, error=N_("Unknown id.")))
        super().__init__(*args, **kwargs)


# Days that still convert between Amsterdam and UTC without overflowing.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9998, 12, 31)


class Day(fields.Date):
    """A calendar day of a period filter. Any real date is a valid bound: one before 1900 or
    after 9998 asks for everything on that side, so it is moved to the nearest day that
    converts to UTC without overflowing (no record lies outside them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        return min(max(day, EARLIEST_DAY), LATEST_DAY)


class PeriodQuery(Schema):
    """`from` and `to`: a range of calendar days in Europe/Amsterdam, both included."""

    # "from" is a Python keyword: the attribute is date_from, the query parameter `from`.
    date_from = Day(data_key="from", metadata={"description": "first day (Europe/Amsterdam), included"})
    date_to = Day(data_key="to", metadata={"description": "last day (Europe/Amsterdam), included"})

    @validates_schema
    def check_period(self, data, **_kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError({"to": [N_("The end date lies before the start date.")]})


def is_language(value: str) -> None:
    if value.lower() not in LANGUAGES:
        raise ValidationError(N_("Unknown language code."))
