"""API shapes of the dashboard, map, referral answers and exports (also the OpenAPI document)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..codes import CHANNELS, OWNERSHIP, TENURES
from ..i18n.messages import N_
from ..validation import PeriodQuery


METRICS = ("coverage", "trust_index", "savings_per_home")


class MapQuery(PeriodQuery):
    metric = fields.String(
        load_default="coverage",
        validate=validate.OneOf(METRICS, error=N_("Choose coverage, trust_index or savings_per_home.")),
        metadata={"description": "savings_per_home: the default estimate of euros a year per home that got "
                                 "measures in the period"},
    )


class PeriodOut(Schema):
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    today = fields.Date(metadata={"description": "today in Europe/Amsterdam: referrals due before it are overdue"})


class ChannelFigures(Schema):
    records = fields.Integer()
    addresses = fields.Integer(metadata={"description": "distinct register addresses"})


class TenureFigures(Schema):
    households = fields.Integer(metadata={"description": "register addresses with this tenure"})
    reached = fields.Integer()


class OwnershipFigures(Schema):
    addresses = fields.Integer(metadata={"description": "distinct register addresses with a record carrying the code"})
    anonymous_records = fields.Integer(metadata={"description": "records carrying the code without a known register address"})


def _by_code(code_list, nested):
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(code_list.codes)),
        values=fields.Nested(nested),
        metadata={"description": "keys: " + ", ".join(code_list.codes)},
    )


class Figures(Schema):
    households = fields.Integer()
    reached = fields.Integer(metadata={"description": "distinct register addresses with a record in the period"})
    coverage = fields.Float(allow_none=True, metadata={"description": "reached / households (0-1)"})
    anonymous_contacts = fields.Integer(metadata={"description": "records without a known register address"})
    records = fields.Integer()
    refusals = fields.Integer(metadata={"description": "records with outcome refused"})
    trust_index = fields.Float(allow_none=True, metadata={"description": "mean ladder step of reached addresses x 20"})
    ladder = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": 'addresses per step "0".."5"; "0" = households not reached'})
    channels = _by_code(CHANNELS, ChannelFigures)
    languages = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "records per language spoken"})
    taalcoach_records = fields.Integer()
    tenure = _by_code(TENURES, TenureFigures)
    koppelkansen = fields.Integer(metadata={"description": "records made by two or more partners"})
    ownership = _by_code(OWNERSHIP, OwnershipFigures)
    referrals_open = fields.Integer()
    referrals_overdue = fields.Integer()
    median_response_days = fields.Float(allow_none=True)


class StreetFigures(Figures):
    street_id = fields.Integer()
    name = fields.String()


class LanguageReach(Schema):
    language = fields.String(metadata={"description": "ISO 639 code"})
    records = fields.Integer(metadata={"description": "records in this conversation language"})
    head_count = fields.Integer(metadata={"description": "people counted at meetings in this language"})
    reach = fields.Integer(metadata={"description": "records + head_count"})


class MeetingReach(Schema):
    languages = fields.List(fields.Nested(LanguageReach))
    head_count = fields.Integer(metadata={"description": "people counted at the period's reported meetings"})
    head_count_language_unknown = fields.Integer(metadata={"description": "the part of head_count whose language was not told"})
    meetings = fields.Integer(metadata={"description": "meetings that started in the period"})
    reported = fields.Integer(metadata={"description": "of which reported (with a head count)"})


class MeetingFollowUp(Schema):
    meeting_id = fields.UUID()
    type = fields.String()
    starts_at = fields.AwareDateTime()
    head_count = fields.Integer(allow_none=True)
    loket_walk_ins = fields.Integer(metadata={
        "description": "loket walk-ins that heard via `event`, on the meeting's target streets, from its start up to "
                       "and including the 14th Amsterdam calendar day after it"})


class MeetingFigures(Schema):
    """Beside coverage, never in it: head counts are people at meetings, not households."""

    reach = fields.Nested(MeetingReach)
    followed_by_loket = fields.List(fields.Nested(MeetingFollowUp))
    follow_days = fields.Integer()


class StreetDashboard(Schema):
    period = fields.Nested(PeriodOut)
    streets = fields.List(fields.Nested(StreetFigures))
    totals = fields.Nested(Figures)
    meetings = fields.Nested(MeetingFigures, metadata={"description": "reach per language community and meetings "
                                                                      "followed by loket walk-ins (not in coverage)"})


class FollowupFigures(Schema):
    """DOMAIN.md part two, "Counting, exactly": consented referrals whose record lies in the period."""

    referrals = fields.Integer(metadata={"description": "consented referrals on the desk"})
    open = fields.Integer(metadata={"description": "status open: not contacted, not closed"})
    overdue = fields.Integer(metadata={"description": "not closed (open, contacted or scheduled), due date before today"})
    contacted = fields.Integer(metadata={"description": "with a first contact"})
    median_working_days_to_contact = fields.Float(
        allow_none=True, metadata={"description": "record to first contact, working days (Mon-Fri, no Dutch public holidays)"})
    contacted_within_target = fields.Integer(metadata={"description": "first contacted within 5 working days"})
    target_base = fields.Integer(
        metadata={"description": "contacted, or whose record is more than 5 working days old: the share's denominator"})
    share_contacted_within_target = fields.Float(allow_none=True, metadata={"description": "0-1"})
    closed = fields.Integer(metadata={"description": "closed, with or without a contact"})
    median_working_days_to_close = fields.Float(allow_none=True, metadata={"description": "record to closing"})
    language_gap = fields.Integer(metadata={"description": "no user of the routed partner speaks the record's language"})
    share_language_gap = fields.Float(allow_none=True, metadata={"description": "0-1"})


class LanguageFollowup(FollowupFigures):
    language = fields.String(metadata={"description": "the record's conversation language (ISO 639-1)"})


class PartnerFollowup(FollowupFigures):
    partner = fields.String(allow_none=True, metadata={"description": "partner code; null: no route names a partner"})
    organisation = fields.String(allow_none=True, metadata={"description": "the partner's full name"})
    languages = fields.List(fields.Nested(LanguageFollowup))


class RevisitConversion(Schema):
    language = fields.String()
    queued = fields.Integer()
    converted = fields.Integer()
    share = fields.Float(allow_none=True)


class WorkingDays(Schema):
    target = fields.Integer(metadata={"description": "working days within which a first contact counts as on time"})
    holidays = fields.String(metadata={"description": "whose public holidays are not working days"})


class FollowupDashboard(Schema):
    period = fields.Nested(PeriodOut)
    working_days = fields.Nested(WorkingDays)
    partners = fields.List(fields.Nested(PartnerFollowup))
    languages = fields.List(fields.Nested(LanguageFollowup))
    total = fields.Nested(FollowupFigures)
    revisit_conversion = fields.List(fields.Nested(RevisitConversion),
                                     metadata={"description": "the revisit queue's second knocks that led to a talk, per language"})
