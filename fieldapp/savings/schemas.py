"""The savings API's shapes: the one source for validation and the OpenAPI document."""
from __future__ import annotations

from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..codes import MEASURES
from ..i18n.messages import N_
from ..validation import PeriodQuery, Text
from .models import CARRIERS, LEVELS

QUANTITIES = ("kwh", "gas_m3", "water_m3")
EARLIEST = date(2000, 1, 1)
LATEST = date(9998, 12, 31)
AMOUNT = validate.Range(min=0, max=100_000, error=N_("Give a number from 0 to 100000."))


def _valid_from():
    return fields.Date(
        required=True,
        validate=validate.Range(min=EARLIEST, max=LATEST, error=N_("Give a day from 2000-01-01 on.")),
        error_messages={"invalid": N_("Give a day like 2025-01-01.")},
        metadata={"description": "the first day (Europe/Amsterdam) this version counts for"},
    )


def _amount():
    """Per unit per year; 0 when left out (a measure saving no water has no water figure)."""
    return fields.Float(load_default=0.0, allow_nan=False, validate=AMOUNT)


def _source():
    return Text(required=True, validate=validate.Length(min=1, max=300, error=N_("Give the source, at most 300 characters.")),
                metadata={"description": "where the figure comes from"})


class FigureIn(Schema):
    """A new version of one measure's saving per unit per year, from `valid_from` on."""

    class Meta:
        unknown = RAISE

    measure = Text(required=True, validate=validate.OneOf(MEASURES.codes, error=N_("Unknown measure.")))
    valid_from = _valid_from()
    source = _source()
    kwh_low = _amount()
    kwh_default = _amount()
    kwh_high = _amount()
    gas_m3_low = _amount()
    gas_m3_default = _amount()
    gas_m3_high = _amount()
    water_m3_low = _amount()
    water_m3_default = _amount()
    water_m3_high = _amount()

    @validates_schema
    def check_order(self, data, **_kwargs):
        errors = {}
        for q in QUANTITIES:
            low, default, high = (data.get(f"{q}_{level}", 0.0) for level in LEVELS)
            if not low <= default <= high:
                errors[f"{q}_default"] = [N_("Low, default and high must go up.")]
        if errors:
            raise ValidationError(errors)


class FigureQuery(Schema):
    measure = Text(validate=validate.OneOf(MEASURES.codes, error=N_("Unknown measure.")),
                   metadata={"description": "only this measure's versions"})


class PriceQuery(Schema):
    carrier = Text(validate=validate.OneOf(CARRIERS, error=N_("Unknown energy carrier.")),
                   metadata={"description": "only this carrier's versions"})


class FigureOut(Schema):
    id = fields.Integer()
    measure = fields.String()
    valid_from = fields.Date()
    source = fields.String()
    kwh_low = fields.Float()
    kwh_default = fields.Float()
    kwh_high = fields.Float()
    gas_m3_low = fields.Float()
    gas_m3_default = fields.Float()
    gas_m3_high = fields.Float()
    water_m3_low = fields.Float()
    water_m3_default = fields.Float()
    water_m3_high = fields.Float()
    created_at = fields.AwareDateTime()


class FigureList(Schema):
    figures = fields.List(fields.Nested(FigureOut))


class PriceIn(Schema):
    """A new price of one carrier from `valid_from` on (per kWh, per m³ gas, per m³ water)."""

    class Meta:
        unknown = RAISE

    carrier = Text(required=True, validate=validate.OneOf(CARRIERS, error=N_("Unknown energy carrier.")))
    euro_per_unit = fields.Float(
        required=True, allow_nan=False,
        validate=validate.Range(min=0, max=100, error=N_("Give a price from 0 to 100 euros.")))
    valid_from = _valid_from()
    source = _source()


class PriceOut(Schema):
    id = fields.Integer()
    carrier = fields.String()
    euro_per_unit = fields.Float()
    valid_from = fields.Date()
    source = fields.String()
    created_at = fields.AwareDateTime()


class PriceList(Schema):
    prices = fields.List(fields.Nested(PriceOut))


class Range(Schema):
    low = fields.Float()
    default = fields.Float()
    high = fields.Float()


class Savings(Schema):
    kwh = fields.Nested(Range)
    gas_m3 = fields.Nested(Range)
    water_m3 = fields.Nested(Range)
    euros = fields.Nested(Range, metadata={"description": "a year"})


class SavingsWithHomes(Savings):
    homes = fields.Integer(metadata={"description": "homes that got installed measures"})
    per_home = fields.Nested(Savings, allow_none=True)


class StreetSavings(SavingsWithHomes):
    street_id = fields.Integer()
    name = fields.String()


class Calibration(Schema):
    programme = fields.String(metadata={"description": "the published programme the averages come from"})
    gas_m3 = fields.Float()
    kwh = fields.Float()


class SavingsReport(Schema):
    streets = fields.List(fields.Nested(StreetSavings))
    total = fields.Nested(SavingsWithHomes)
    calibration = fields.List(fields.Nested(Calibration),
                              metadata={"description": "published whole-programme averages per home"})


SavingsQuery = PeriodQuery
