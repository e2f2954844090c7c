"""The energieloket's place and hours as a coordinator sends them (the office form)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..i18n.messages import N_
from ..validation import Text

TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class OpeningIn(Schema):
    class Meta:
        unknown = RAISE

    weekday = fields.Integer(required=True, validate=validate.Range(0, 6), metadata={"description": "Monday 0"})
    opens = Text(required=True, validate=validate.Regexp(TIME, error=N_("Use hours and minutes, like 09:30.")))
    closes = Text(required=True, validate=validate.Regexp(TIME, error=N_("Use hours and minutes, like 09:30.")))

    @validates_schema
    def check_order(self, data, **_kwargs):
        if data.get("opens") and data.get("closes") and data["opens"] >= data["closes"]:
            raise ValidationError({"closes": [N_("Closes after it opens.")]})


class LoketIn(Schema):
    class Meta:
        unknown = RAISE

    place = Text(required=True, validate=validate.Length(min=1, max=120, error=N_("Between 1 and 120 characters.")),
                 metadata={"description": "where the desk is; a public place, never a resident's home"})
    hours = fields.List(fields.Nested(OpeningIn), load_default=list)
