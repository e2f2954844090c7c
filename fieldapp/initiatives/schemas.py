"""The initiatives' API shapes: the one source of their OpenAPI document and their checks."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..codes import INITIATIVE_STATUSES
from ..i18n.messages import N_
from ..validation import EARLIEST_DAY, LATEST_DAY, Id, Text

STATUS_ENUM = list(INITIATIVE_STATUSES.codes)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
DAY_RANGE = validate.Range(min=EARLIEST_DAY, max=LATEST_DAY, error=N_("Give a date between 1900 and 9998."))


def _status(**kwargs):
    return Text(validate=validate.OneOf(STATUS_ENUM, error=N_("Unknown status.")), metadata={"enum": STATUS_ENUM},
                **kwargs)


def _code():
    return Text(validate=validate.Length(min=1, max=40, error=N_("Unknown partner.")))


def _blank_to_none(data, names):
    if isinstance(data, dict):
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        for name in names:
            if data.get(name) == "":
                data[name] = None
    return data


class InitiativeIn(Schema):
    class Meta:
        unknown = RAISE

    title = Text(required=True, validate=validate.Length(min=1, max=120, error=N_("Give a title of 1 to 120 characters.")))
    description = Text(load_default="", validate=validate.Length(max=1000, error=N_("At most 1000 characters.")),
                       metadata={"description": "short; no names of residents"})
    neighbourhood_id = Id(load_default=None, allow_none=True,
                          metadata={"description": "default: my neighbourhood when I have only one"})
    partners = fields.List(_code(), required=True,
                           validate=validate.Length(max=20, error=N_("Too many items.")),
                           metadata={"description": "partner codes, two or more; the owning partner among them"})
    owner_partner = Text(required=True, validate=validate.Length(min=1, max=40, error=N_("Unknown partner.")))
    owner = Text(required=True, validate=validate.Length(min=1, max=80), metadata={"description": "username"})
    status = _status(load_default="idea")
    start_date = fields.Date(required=True, validate=DAY_RANGE)
    next_step = Text(load_default=None, allow_none=True,
                     validate=validate.Length(max=300, error=N_("At most 300 characters.")))
    next_step_due = fields.Date(load_default=None, allow_none=True, validate=DAY_RANGE)

    @pre_load
    def strip(self, data, **_kwargs):
        return _blank_to_none(data, ("next_step", "next_step_due"))

    @validates_schema
    def check(self, data, **_kwargs):
        errors = {}
        partners = set(data.get("partners") or [])
        if "partners" in data and len(partners) < 2:
            errors["partners"] = [N_("An initiative has at least two partners.")]
        if data.get("owner_partner") and "partners" in data and data["owner_partner"] not in partners:
            errors["owner_partner"] = [N_("The owning partner must be one of the partners.")]
        if data.get("next_step_due") and not data.get("next_step"):
            errors["next_step_due"] = [N_("A due date needs a next step.")]
        if data.get("status") in ("done", "dropped"):
            errors["status"] = [N_("A new initiative starts as an idea or running.")]
        if errors:
            raise ValidationError(errors)


class NoteIn(Schema):
    """A progress note; `status`, `next_step` and `next_step_due` only when the note changes them."""

    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True, metadata={"description": "when (not in the future)"})
    text = Text(required=True, validate=validate.Length(min=1, max=1000, error=N_("Write 1 to 1000 characters.")),
                metadata={"description": "what happened; no names of residents"})
    status = _status()
    next_step = Text(allow_none=True, validate=validate.Length(max=300, error=N_("At most 300 characters.")),
                     metadata={"description": "the new next step; null clears it"})
    next_step_due = fields.Date(allow_none=True, validate=DAY_RANGE)

    @pre_load
    def strip(self, data, **_kwargs):
        return _blank_to_none(data, ("next_step", "next_step_due"))

    @validates_schema
    def check(self, data, **_kwargs):
        if data.get("next_step_due") and not data.get("next_step"):
            raise ValidationError({"next_step_due": [N_("A due date needs a next step.")]})
        at = data.get("at")
        if at is not None and at < EARLIEST:
            raise ValidationError({"at": [N_("This date lies too far in the past.")]})


class InitiativeQuery(Schema):
    status = _status()
    mine = fields.Boolean(load_default=False,
                          metadata={"description": "true: only those my partner takes part in (the form's list)"})


class FiguresOut(Schema):
    records = fields.Integer()
    reached_addresses = fields.Integer(metadata={"description": "distinct registered addresses"})
    referrals = fields.Integer(metadata={"description": "consented referrals"})
    open_referrals = fields.Integer(metadata={"description": "consented, not yet contacted or closed"})
    meetings = fields.Integer(metadata={"description": "meetings that name the initiative"})
    meeting_head_count = fields.Integer(metadata={"description": "the heads those meetings counted, reported ones"})


class NoteOut(Schema):
    id = fields.UUID()
    at = fields.AwareDateTime()
    text = fields.String()
    status_before = fields.String(allow_none=True)
    status_after = fields.String(allow_none=True)
    next_step_changed = fields.Boolean()
    next_step_before = fields.String(allow_none=True)
    next_step_due_before = fields.Date(allow_none=True)
    next_step_after = fields.String(allow_none=True)
    next_step_due_after = fields.Date(allow_none=True)
    sent_by = fields.Function(lambda n: n.sent_by.username)


class InitiativeOut(Schema):
    id = fields.Integer()
    neighbourhood_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    partners = fields.List(fields.String(), attribute="partner_codes")
    owner_partner = fields.Function(lambda i: i.owner_partner.code)
    owner = fields.Function(lambda i: i.owner.username)
    status = fields.String(metadata={"enum": STATUS_ENUM})
    start_date = fields.Date()
    next_step = fields.String(allow_none=True)
    next_step_due = fields.Date(allow_none=True)
    stalled = fields.Boolean()
    last_progress = fields.Date(metadata={"description": "day of the latest note (or of creation)"})


class InitiativeDetail(InitiativeOut):
    figures = fields.Nested(FiguresOut)
    notes = fields.List(fields.Nested(NoteOut))


class InitiativeList(Schema):
    initiatives = fields.List(fields.Nested(InitiativeOut))

