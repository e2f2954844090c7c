"""Field types shared by the API schemas.

PostgreSQL refuses NUL characters in text and integers beyond 32/64 bits; catching both in the
schema turns what would be a database error (a 500) into a per-field 422.
"""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from .i18n.messages import N_

INT32_MAX = 2**31 - 1
# C0 control characters (below U+0020) other than tab, line feed and carriage return.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _no_control_characters(value: str) -> None:
    if CONTROL_CHARACTER.search(value):
        raise ValidationError(N_("Contains characters that are not allowed."))


class Text(fields.String):
    """A string without NUL or other control characters (line breaks and tabs allowed)."""

    def __init__(self, *args, **kwargs):
        validators = kwargs.pop("validate", None)
        validators = [validators] if callable(validators) else list(validators or [])
        super().__init__(*args, validate=[_no_control_characters, *validators], **kwargs)


class Id(fields.Integer):
    """A database id: a whole number that fits the column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=1, max=INT32_MAX, error=N_("Unknown id.")))
        super().__init__(*args, **kwargs)
