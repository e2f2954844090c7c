"""The meetings' API shapes: the one source of validation and of the OpenAPI document."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from ..codes import HEARD_VIA, MEETING_TYPES
from ..i18n.messages import N_
from ..validation import LANGUAGES, Id, PeriodQuery, Text, is_language

MAX_PEOPLE = 100_000
COUNT = validate.Range(min=0, max=MAX_PEOPLE, error=N_("Give a number from 0 to 100000."))


def _language_key(value: str) -> None:
    is_language(value)


def _heard_via_key(value: str) -> None:
    if value not in HEARD_VIA:
        raise ValidationError(N_("Unknown answer."))


class MeetingIn(Schema):
    """A meeting as planned."""

    class Meta:
        unknown = RAISE

    type = Text(required=True, validate=validate.OneOf(MEETING_TYPES.codes, error=N_("Unknown kind of meeting.")),
                metadata={"enum": list(MEETING_TYPES.codes)})
    starts_at = fields.AwareDateTime(
        required=True,
        error_messages={
            "invalid": N_("Give a date and time like 2024-05-01T14:30:00+02:00."),
            "invalid_awareness": N_("Give the time with its UTC offset, like +02:00."),
        },
    )
    place = Text(required=True, validate=validate.Length(min=1, max=120, error=N_("Give a place of at most 120 characters.")),
                 metadata={"description": "where: a short text, e.g. Smitshof community room. No home addresses."})
    neighbourhood_id = Id(required=True)
    streets = fields.List(Id(), required=True,
                          validate=validate.Length(min=1, max=60, error=N_("Choose 1 to 60 streets.")),
                          metadata={"description": "the streets whose residents were invited"})
    languages = fields.List(Text(validate=is_language, metadata={"enum": sorted(LANGUAGES)}), load_default=list,
                            validate=validate.Length(max=10, error=N_("Too many items.")),
                            metadata={"description": "ISO 639 codes of the languages spoken"})
    partners = fields.List(Text(validate=validate.Length(min=1, max=40, error=N_("Unknown partner."))),
                           load_default=list, validate=validate.Length(max=20, error=N_("Too many items.")),
                           metadata={"description": "codes of the partners present"})
    # No load_default: a plan sent without it keeps the fingerprint it had before this field.
    initiative = Id(allow_none=True, metadata={
        "description": "the joint initiative the meeting belongs to: a running one of its neighbourhood"})

    @pre_load
    def strip(self, data, **_kwargs):
        if isinstance(data, dict) and isinstance(data.get("place"), str):
            data = {**data, "place": data["place"].strip()}
        return data

    @post_load
    def normalise(self, data, **_kwargs):
        data["streets"] = sorted(set(data["streets"]))
        data["languages"] = sorted({code.lower() for code in data.get("languages") or []})
        data["partners"] = sorted(set(data.get("partners") or []))
        if data.get("initiative") is None:
            data.pop("initiative", None)  # none named: the fingerprint of a plan sent without it
        return data


class ReportIn(Schema):
    """What a meeting drew, told once afterwards."""

    class Meta:
        unknown = RAISE

    head_count = fields.Integer(required=True, strict=True, validate=COUNT,
                                metadata={"description": "everybody who came (not households)"})
    head_counts = fields.Dict(keys=Text(validate=_language_key), values=fields.Integer(strict=True, validate=COUNT),
                              load_default=dict,
                              metadata={"description": "per language (ISO 639 code), where known; at most head_count together"})
    heard_via = fields.Dict(keys=Text(validate=_heard_via_key), values=fields.Integer(strict=True, validate=COUNT),
                            load_default=dict,
                            metadata={"description": "heard_via code -> how many heard of it so; at most head_count together"})

    @validates_schema
    def check_sums(self, data, **_kwargs):
        total = data.get("head_count")
        if total is None:
            return
        errors = {}
        for name in ("head_counts", "heard_via"):
            counts = data.get(name) or {}
            if isinstance(counts, dict) and sum(counts.values()) > total:
                errors[name] = [N_("Together more than the head count.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def normalise(self, data, **_kwargs):
        # Zero counts say nothing a missing one does not: dropped, so they never make a conflict.
        data["head_counts"] = {k.lower(): v for k, v in sorted((data.get("head_counts") or {}).items()) if v}
        data["heard_via"] = {k: v for k, v in sorted((data.get("heard_via") or {}).items()) if v}
        return data


class MeetingOut(Schema):
    id = fields.UUID()
    type = fields.String(metadata={"enum": list(MEETING_TYPES.codes)})
    starts_at = fields.AwareDateTime()
    place = fields.String()
    neighbourhood_id = fields.Integer()
    streets = fields.Function(lambda m: [s.street_id for s in m.streets])
    languages = fields.List(fields.String())
    partners = fields.List(fields.String())
    recorded_by = fields.Function(lambda m: m.recorded_by.username)
    reported = fields.Function(lambda m: m.head_count is not None)
    head_count = fields.Integer(allow_none=True)
    head_counts = fields.Function(lambda m: m.counts_of("language"))
    heard_via = fields.Function(lambda m: m.counts_of("heard_via"))
    initiative = fields.Integer(attribute="initiative_id", allow_none=True)
    sign_ups = fields.Integer(metadata={"description": "event records linked to the meeting"})


class MeetingQuery(PeriodQuery):
    """Meetings starting on these Amsterdam calendar days (both included)."""


class MeetingList(Schema):
    meetings = fields.List(fields.Nested(MeetingOut))
