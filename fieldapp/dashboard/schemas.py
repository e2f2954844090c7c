"""API shapes of the dashboard, map, referral answers and exports (also the OpenAPI document)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..codes import CHANNELS, TENURES
from ..i18n.messages import N_
from ..validation import PeriodQuery


class MapQuery(PeriodQuery):
    metric = fields.String(
        load_default="coverage",
        validate=validate.OneOf(("coverage", "trust_index"), error=N_("Choose coverage or trust_index.")),
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
    referrals_open = fields.Integer()
    referrals_overdue = fields.Integer()
    median_response_days = fields.Float(allow_none=True)


class StreetFigures(Figures):
    street_id = fields.Integer()
    name = fields.String()


class StreetDashboard(Schema):
    period = fields.Nested(PeriodOut)
    streets = fields.List(fields.Nested(StreetFigures))
    totals = fields.Nested(Figures)


