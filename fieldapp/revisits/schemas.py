"""The revisit queue's API shapes: the one source of its OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields, post_load

from ..validation import LANGUAGES, Id, Text, is_language


class RevisitQuery(Schema):
    language = Text(validate=is_language,
                    metadata={"description": "ISO 639 code (upper case accepted)", "enum": sorted(LANGUAGES)})
    # A query string carries text: "5" is the id 5 here, unlike in a JSON body.
    street_id = Id(strict=False)

    @post_load
    def lower_language(self, data, **_kwargs):
        if "language" in data:
            data["language"] = data["language"].lower()
        return data


class RevisitEntry(Schema):
    house_number = fields.Integer()
    house_addition = fields.String(allow_none=True)
    language = fields.String(metadata={"description": "the language the volunteer thought they heard"})
    attempts = fields.Integer(metadata={"description": "knocks in a row without an answer: 1 or 2"})
    last_at = fields.AwareDateTime()
    last_outcome = fields.String(metadata={"enum": ["no_answer_language", "not_home"]})


class RevisitStreet(Schema):
    street_id = fields.Integer()
    street = fields.String()
    entries = fields.List(fields.Nested(RevisitEntry))


class RevisitList(Schema):
    streets = fields.List(fields.Nested(RevisitStreet))
    languages = fields.List(fields.String(), metadata={"description": "the languages the list was filtered to"})


class Conversion(Schema):
    queued = fields.Integer(metadata={"description": "addresses queued in the period"})
    converted = fields.Integer(metadata={"description": "of those, the next record within 30 days talked or let in"})
    share = fields.Float(allow_none=True, metadata={"description": "converted / queued, 0 to 1; null when none queued"})


class LanguageConversion(Conversion):
    language = fields.String()

    class Meta:
        fields = ("language", "queued", "converted", "share")


class ConversionOut(Schema):
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    languages = fields.List(fields.Nested(LanguageConversion))
    total = fields.Nested(Conversion, metadata={"description": "every language together"})
