"""The record's API shape: the one source of truth for validation and the OpenAPI document.

Messages are lazy msgids: they are rendered in the request's language when the error is sent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..i18n.messages import N_
from marshmallow import (
    RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema,
)

from ..codes import (
    CHANNELS, HANDED_OUT, HEARD_VIA, MEASURES, NOT_POSSIBLE, OUTCOMES, OWNERSHIP, REFERRALS, TOPICS,
)
from ..streets.operations import normalise_addition
from ..timeutil import utcnow
from ..validation import LANGUAGES, Id, PeriodQuery, Text, is_language

FUTURE_TOLERANCE = timedelta(minutes=5)
# Paper forms get typed in late, but not from before the app's time: this also keeps far-off
# years (0001, 9999) from overflowing when converted to UTC.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


def given(value) -> bool:
    """Whether a field was answered: a value, not None, "" or an empty list (as on the phone)."""
    return bool(value)


@dataclass(frozen=True)
class FieldRule:
    """Where a rule holds, `field` is "required" (must be given) or "forbidden" (must be left out).

    It holds on the channels `on`, on every channel but `off`, or where the field `without` is
    left empty; the conditions given must all be met.
    """

    field: str
    need: str
    message: str  # msgid
    on: tuple[str, ...] = ()
    off: tuple[str, ...] = ()
    without: str | None = None

    def holds_for(self, data: dict) -> bool:
        channel = data.get("channel")
        return ((not self.on or channel in self.on) and (not self.off or channel not in self.off)
                and not (self.without and given(data.get(self.without))))

    def broken_by(self, data: dict) -> bool:
        return self.holds_for(data) and given(data.get(self.field)) == (self.need == "forbidden")


# The rules between a record's fields, as data: check_channel_rules applies them here and the
# field form applies the same table on the phone before sending (served in /field/codes.json),
# so each rule and its message are written once. A later rule for the same field wins.
FIELD_RULES = (
    FieldRule("measures", "forbidden", N_("Measures are only recorded on a klusactie visit."), off=("klus",)),
    FieldRule("handed_out", "forbidden", N_("Only recorded at a rally or the energieloket."), off=("rally", "loket")),
    FieldRule("heard_via", "required", N_("Ask how the visitor heard of the energieloket."), on=("loket",)),
    FieldRule("heard_via", "forbidden", N_("Only asked at the energieloket."), off=("loket",)),
    FieldRule("outcome", "required", N_("Choose how the door went."), on=("rally",)),
    FieldRule("outcome", "forbidden", N_("A sign-up at a meeting has no door outcome."), on=("event",)),
    FieldRule("meeting", "forbidden", N_("Only a sign-up at a meeting names a meeting."), off=("event",)),
    FieldRule("house_addition", "forbidden", N_("An addition needs a house number."), without="house_number"),
)
IN_THE_FUTURE = N_("This time lies in the future.")  # beyond FUTURE_TOLERANCE; the phone checks it too


def one_of(code_list, message):
    return validate.OneOf(code_list.codes, error=message)


QUANTITY = validate.Range(min=1, max=999, error=N_("Give a quantity from 1 to 999."))


class MeasureIn(Schema):
    """Installed (`quantity`, 1 when left out, as before) or not possible (`not_possible`: why,
    and no quantity). An installed measure loads as it did before not_possible existed, so the
    fingerprint of a record sent then is unchanged."""

    code = Text(required=True, validate=one_of(MEASURES, N_("Unknown measure.")))
    quantity = fields.Integer(strict=True, validate=QUANTITY)
    not_possible = Text(
        validate=one_of(NOT_POSSIBLE, N_("Unknown reason.")),
        metadata={"description": "the measure could not be installed, and why; leave out quantity"},
    )

    @validates_schema
    def check_quantity(self, data, **_kwargs):
        if "not_possible" in data and "quantity" in data:
            raise ValidationError({"quantity": [N_("A measure that could not be installed has no quantity.")]})

    @post_load
    def default_quantity(self, data, **_kwargs):
        if "not_possible" not in data:
            data.setdefault("quantity", 1)
        return data


class HandedOutIn(Schema):
    code = Text(required=True, validate=one_of(HANDED_OUT, N_("Unknown item.")))
    quantity = fields.Integer(load_default=1, strict=True, validate=QUANTITY)


class ReferralIn(Schema):
    code = Text(required=True, validate=one_of(REFERRALS, N_("Unknown referral.")))
    consent = fields.Boolean(
        required=True,
        metadata={"description": "true: the resident wants this follow-up; false: offered and declined"},
    )
    due_date = fields.Date(allow_none=True, load_default=None)
    # No load_default: a record sent without it keeps the fingerprint it had before this field.
    consent_text_version = Text(
        allow_none=True, validate=[validate.Length(max=40, error=N_("At most 40 characters."))],
        metadata={"description": "version and language of the consent text shown to the resident, e.g. 2024-05/tr"},
    )


class RecordIn(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID(metadata={"description": "client-made UUID; in a PUT it must match the URL"})
    channel = Text(required=True, validate=one_of(CHANNELS, N_("Unknown channel.")))
    street_id = Id(required=True)
    house_number = fields.Integer(
        allow_none=True, load_default=None, strict=True,
        validate=validate.Range(min=1, max=99999, error=N_("Give a house number from 1 to 99999.")),
    )
    house_addition = Text(
        allow_none=True, load_default=None,
        validate=[validate.Length(max=10, error=N_("At most 10 characters."))],
    )
    occurred_at = fields.AwareDateTime(
        required=True,
        error_messages={
            "invalid": N_("Give a date and time like 2024-05-01T14:30:00+02:00."),
            "invalid_awareness": N_("Give the time with its UTC offset, like +02:00."),
        },
    )
    language = Text(required=True, validate=is_language,
                    metadata={"description": "ISO 639 code (upper case accepted)", "enum": sorted(LANGUAGES)})
    taalcoach_present = fields.Boolean(load_default=False)
    outcome = Text(allow_none=True, load_default=None, validate=one_of(OUTCOMES, N_("Unknown door outcome.")))
    topics = fields.List(
        Text(validate=one_of(TOPICS, N_("Unknown topic."))), load_default=list,
        validate=validate.Length(max=len(TOPICS.codes), error=N_("Too many items.")),
    )
    measures = fields.List(
        fields.Nested(MeasureIn), load_default=list,
        validate=validate.Length(max=len(MEASURES.codes), error=N_("Too many items.")),
    )
    # No load_default: a record sent without it keeps the fingerprint it had before this field.
    handed_out = fields.List(
        fields.Nested(HandedOutIn),
        validate=validate.Length(max=len(HANDED_OUT.codes), error=N_("Too many items.")),
        metadata={"description": "rally and loket: what the resident was given (never counted as saved)"},
    )
    heard_via = Text(allow_none=True, load_default=None, validate=one_of(HEARD_VIA, N_("Unknown answer.")))
    referrals = fields.List(
        fields.Nested(ReferralIn), load_default=list,
        validate=validate.Length(max=len(REFERRALS.codes), error=N_("Too many items.")),
    )
    partners = fields.List(
        Text(validate=validate.Length(min=1, max=40, error=N_("Unknown partner."))), load_default=list,
        validate=validate.Length(max=20, error=N_("Too many items.")),
    )
    ownership = fields.List(
        Text(validate=one_of(OWNERSHIP, N_("Unknown ownership code."))), load_default=list,
        validate=validate.Length(max=len(OWNERSHIP.codes), error=N_("Too many items.")),
        metadata={"description": "what the resident did to carry the project (any code: trust step 5)"},
    )
    ambassador = fields.Boolean(
        load_default=False,
        metadata={"deprecated": True,
                  "description": "the app's older form of the ownership code ambassador: true adds it"},
    )
    # No load_default for these two: a record sent without them keeps the fingerprint it had
    # before they were fields.
    meeting = fields.UUID(allow_none=True, metadata={"description": "an `event` record: the meeting's id"})
    initiative = Id(allow_none=True, metadata={
        "description": "the joint initiative this contact was part of: a running one my partner takes part in"})
    notes = Text(
        allow_none=True, load_default=None,
        validate=[validate.Length(max=500, error=N_("At most 500 characters."))],
        metadata={"description": "Free text for the follow-up. Do not write names or health details."},
    )

    @pre_load
    def strip_strings(self, data, **_kwargs):
        if isinstance(data, dict):
            data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
            for optional in ("house_addition", "notes", "outcome", "heard_via"):
                if data.get(optional) == "":
                    data[optional] = None
        return data

    @validates_schema
    def check_channel_rules(self, data, **_kwargs):
        errors: dict[str, list] = {}
        for rule in FIELD_RULES:
            if rule.broken_by(data):
                errors[rule.field] = [rule.message]
        codes = [m["code"] for m in data.get("measures") or []]
        if len(codes) != len(set(codes)):
            errors["measures"] = [N_("Give each measure once, with its quantity.")]
        handed = [m["code"] for m in data.get("handed_out") or []]
        if len(handed) != len(set(handed)):
            errors["handed_out"] = [N_("Give each item once, with its quantity.")]
        occurred_at = data.get("occurred_at")
        if occurred_at is not None and occurred_at > utcnow() + FUTURE_TOLERANCE:
            errors["occurred_at"] = [IN_THE_FUTURE]
        elif occurred_at is not None and occurred_at < EARLIEST:
            errors["occurred_at"] = [N_("This date lies too far in the past.")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def normalise(self, data, **_kwargs):
        if data.get("channel") == "loket" and not data.get("outcome"):
            data["outcome"] = "talked"
        data["language"] = data["language"].lower()
        data["house_addition"] = normalise_addition(data.get("house_addition")) or None
        data["topics"] = sorted(set(data.get("topics") or []))
        data["partners"] = sorted(set(data.get("partners") or []))
        data["measures"] = sorted(data.get("measures") or [], key=lambda m: m["code"])
        # Phones with an older app still hold `ambassador: true` in their outbox: it is that code.
        ownership = set(data.get("ownership") or [])
        if data.pop("ambassador", False):
            ownership.add("ambassador")
        data["ownership"] = sorted(ownership)
        if data.get("handed_out"):
            data["handed_out"] = sorted(data["handed_out"], key=lambda m: m["code"])
        else:
            data.pop("handed_out", None)  # nothing handed out: the fingerprint of a record sent before the field
        if data.get("initiative") is None:
            data.pop("initiative", None)  # none named: the fingerprint of a record sent without it
        return data


class BatchRecordIn(RecordIn):
    id = fields.UUID(required=True)


BATCH_SIZE = validate.Length(min=1, max=500, error=N_("Send 1 to 500 records at a time."))


class BatchIn(Schema):
    """The batch as the OpenAPI document describes it."""

    records = fields.List(fields.Nested(BatchRecordIn), required=True, validate=BATCH_SIZE)


class BatchEnvelope(Schema):
    """What is checked of a batch as a whole; each record is then loaded on its own."""

    records = fields.List(fields.Raw(), required=True, validate=BATCH_SIZE)


class BatchItemResult(Schema):
    id = fields.String()
    status = fields.String(metadata={"enum": ["created", "duplicate", "conflict", "invalid"]})
    errors = fields.Dict()


class BatchOut(Schema):
    results = fields.List(fields.Nested(BatchItemResult))


class MeasureOut(Schema):
    code = fields.String()
    quantity = fields.Integer(metadata={"description": "installed; absent when not possible"})
    not_possible = fields.String(metadata={"description": "why it could not be installed"})


class HandedOutOut(Schema):
    code = fields.String()
    quantity = fields.Integer()


class ReferralOut(Schema):
    id = fields.Integer()
    code = fields.String()
    consent = fields.Boolean()
    due_date = fields.Date(allow_none=True)
    consent_text_version = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)


class RecordOut(Schema):
    id = fields.UUID()
    channel = fields.String()
    street_id = fields.Integer()
    house_number = fields.Integer(allow_none=True)
    house_addition = fields.String(allow_none=True)
    address_registered = fields.Function(
        lambda r: r.address_id is not None,
        metadata={"description": "false: no house number, or one the address register does not know"},
    )
    occurred_at = fields.AwareDateTime()
    language = fields.String()
    taalcoach_present = fields.Boolean()
    outcome = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    measures = fields.List(fields.Nested(MeasureOut))
    handed_out = fields.List(fields.Nested(HandedOutOut))
    heard_via = fields.String(allow_none=True)
    referrals = fields.List(fields.Nested(ReferralOut))
    partners = fields.List(fields.String())
    ownership = fields.List(fields.String())
    ambassador = fields.Function(
        lambda r: "ambassador" in r.ownership,
        metadata={"deprecated": True, "description": "whether ownership holds the code ambassador (for older apps)"},
    )
    meeting = fields.UUID(attribute="meeting_id", allow_none=True)
    initiative = fields.Integer(attribute="initiative_id", allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.Function(lambda r: r.recorded_by.username)
    recorded_by_partner = fields.Function(lambda r: r.recorded_by.partner.code)
    received_at = fields.AwareDateTime()


class RecordQuery(PeriodQuery):
    # A query string carries text: "5" is the id 5 here, unlike in a JSON body.
    street_id = Id(strict=False)
    channel = Text(validate=one_of(CHANNELS, N_("Unknown channel.")))
    cursor = Text(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500, error=N_("Must be between 1 and 500.")))


class RecordPage(Schema):
    records = fields.List(fields.Nested(RecordOut))
    next_cursor = fields.String(allow_none=True)
