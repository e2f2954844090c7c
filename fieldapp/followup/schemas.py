"""The follow-up desk's API shapes: the one source of its OpenAPI document."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..codes import APPOINTMENT_PLACES, CLOSING_OUTCOMES, FOLLOWUP_STATUSES, REFERRALS
from ..i18n.messages import N_
from ..validation import LANGUAGES, Text, is_language
from .models import EVENT_TYPES

# Which optional fields each event type carries; the rest must be left out.
EVENT_FIELDS = {
    "contacted": {"required": (), "optional": ("note",)},
    "scheduled": {"required": ("appointment_at", "place"), "optional": ("note", "with_partner")},
    "closed": {"required": ("outcome",), "optional": ("note",)},
    "assigned": {"required": ("assignee",), "optional": ("note",)},
}
OPTIONAL = ("note", "appointment_at", "place", "with_partner", "outcome", "assignee")
# `withdrawn` is the erasure's own closing (operations.withdraw): nobody sends it by hand.
OUTCOMES_BY_HAND = tuple(code for code in CLOSING_OUTCOMES.codes if code != "withdrawn")


class EventIn(Schema):
    class Meta:
        unknown = RAISE

    type = Text(required=True, validate=validate.OneOf(EVENT_TYPES, error=N_("Unknown event type.")),
                metadata={"enum": list(EVENT_TYPES)})
    at = fields.AwareDateTime(required=True, metadata={"description": "when it happened (not in the future)"})
    note = Text(validate=validate.Length(max=500, error=N_("At most 500 characters.")), allow_none=True,
                metadata={"description": "short, no names"})
    appointment_at = fields.AwareDateTime(allow_none=True, metadata={"description": "scheduled: the appointment"})
    place = Text(allow_none=True, validate=validate.OneOf(APPOINTMENT_PLACES.codes, error=N_("Unknown place.")),
                 metadata={"enum": list(APPOINTMENT_PLACES.codes)})
    with_partner = Text(allow_none=True, validate=validate.Length(max=40),
                        metadata={"description": "scheduled: a second partner going along (a joint visit)"})
    outcome = Text(allow_none=True, validate=validate.OneOf(OUTCOMES_BY_HAND, error=N_("Unknown outcome.")),
                   metadata={"enum": list(OUTCOMES_BY_HAND)})
    assignee = Text(allow_none=True, validate=validate.Length(min=1, max=80), metadata={"description": "username"})

    @validates_schema
    def check_fields_of_type(self, data, **_kwargs):
        rules = EVENT_FIELDS.get(data.get("type"))
        if rules is None:
            return
        errors = {}
        for name in rules["required"]:
            if data.get(name) in (None, ""):
                errors[name] = [N_("Required for this kind of event.")]
        for name in OPTIONAL:
            if name not in rules["required"] and name not in rules["optional"] and data.get(name) not in (None, ""):
                errors[name] = [N_("Not used for this kind of event.")]
        if errors:
            raise ValidationError(errors)


class AnswerIn(Schema):
    class Meta:
        unknown = RAISE

    answered_at = fields.AwareDateTime(
        load_default=None, metadata={"description": "when the resident was answered; default now"}
    )


class AnsweredReferral(Schema):
    id = fields.Integer()
    record_id = fields.UUID()
    code = fields.String()
    consent = fields.Boolean()
    due_date = fields.Date(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    answered_by = fields.String(allow_none=True)


class EventOut(Schema):
    id = fields.UUID()
    type = fields.String()
    at = fields.AwareDateTime()
    note = fields.String(allow_none=True)
    appointment_at = fields.AwareDateTime(allow_none=True)
    place = fields.String(allow_none=True)
    with_partner = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    assignee = fields.Function(lambda e: e.assignee.username if e.assignee else None)
    sent_by = fields.Function(lambda e: e.sent_by.username if e.sent_by else None)


class ReferralCard(Schema):
    """A referral on the desk. house_number/house_addition are null unless the reader may see the
    address (the assignee and the coordinators; each view is audited)."""

    id = fields.Integer(attribute="referral_id")
    record_id = fields.UUID(attribute="referral.record_id")
    code = fields.String(attribute="referral.code")
    status = fields.String(metadata={"enum": list(FOLLOWUP_STATUSES.codes)})
    partner = fields.Function(lambda f: f.partner.code if f.partner else None)
    assignee = fields.Function(lambda f: f.assignee.username if f.assignee else None)
    language = fields.String()
    street_id = fields.Integer(attribute="referral.street_id")
    street = fields.String(attribute="street_name")
    house_number = fields.Integer(allow_none=True)
    house_addition = fields.String(allow_none=True)
    occurred_at = fields.AwareDateTime(attribute="referral.occurred_at")
    due_date = fields.Date(attribute="referral.due_date", allow_none=True)
    overdue = fields.Boolean()
    first_contact_at = fields.AwareDateTime(attribute="referral.answered_at", allow_none=True)
    closed_at = fields.AwareDateTime(attribute="referral.closed_at", allow_none=True)
    events = fields.List(fields.Nested(EventOut))


class UserRef(Schema):
    username = fields.String()
    partner = fields.Function(lambda u: u.partner.code)
    languages = fields.List(fields.String(), attribute="spoken_languages")


class ReferralDetail(ReferralCard):
    suggested_assignees = fields.List(fields.Nested(UserRef))
    language_gap = fields.Boolean()
    suggested_taalcoaches = fields.List(fields.Nested(UserRef))


class ReferralQuery(Schema):
    status = Text(validate=validate.OneOf(FOLLOWUP_STATUSES.codes, error=N_("Unknown status.")),
                  metadata={"enum": list(FOLLOWUP_STATUSES.codes)})
    partner = Text(validate=validate.Length(max=40))
    assignee = Text(validate=validate.Length(max=80),
                    metadata={"description": "a username, `me`, or `none` for unassigned ones"})
    language = Text(validate=is_language,
                    metadata={"description": "ISO 639 code (upper case accepted)", "enum": sorted(LANGUAGES)})
    cursor = Text(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=100,
                           validate=validate.Range(min=1, max=500, error=N_("Must be between 1 and 500.")))


class ReferralPage(Schema):
    referrals = fields.List(fields.Nested(ReferralCard))
    next_cursor = fields.String(allow_none=True)


class RouteOut(Schema):
    code = fields.String(metadata={"enum": list(REFERRALS.codes)})
    partner = fields.String(allow_none=True)
    default = fields.Boolean(metadata={"description": "true: DOMAIN.md's default, no override stored"})


class RoutingOut(Schema):
    neighbourhood_id = fields.Integer()
    routes = fields.List(fields.Nested(RouteOut))


class RouteIn(Schema):
    class Meta:
        unknown = RAISE

    partner = Text(required=True, validate=validate.Length(min=1, max=40))
