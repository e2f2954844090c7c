"""DOMAIN.md's default savings figures and prices, valid from 2000-01-01, seeded by migration
0011. Never edit a row here to change a figure: a coordinator adds a newer version, so past
periods keep the figures they were computed with."""
from __future__ import annotations

from datetime import date

VALID_FROM = date(2000, 1, 1)

# measure: ((kWh low, default, high), (m³ gas ...), (m³ water ...), source)
FIGURES = {
    "led_bulb": ((10, 19, 50), (0, 0, 0), (0, 0, 0),
                 "Milieu Centraal (via NRC, 2019: EUR 4.10/yr a bulb at 550 burning hours); high at 4 h/day"),
    "shower_head": ((0, 0, 0), (20, 44, 60), (3.4, 7.5, 10),
                    "Milieu Centraal (household of 2.2 persons); low/high scaled to 1 and 3 persons"),
    "radiator_foil": ((0, 0, 0), (3, 8, 15), (0, 0, 0),
                      "UK field measurements and a Dutch pre-1979 home case; low confidence"),
    "draught_strip": ((0, 0, 0), (3, 7, 10), (0, 0, 0),
                      "'up to EUR 45 a year' for a full home set (about 5 openings); low confidence"),
    "pipe_insulation": ((0, 0, 0), (3, 10, 12), (0, 0, 0), "Test-Aankoop; Dutch home case"),
    "thermostat_setting": ((0, 0, 0), (20, 44, 60), (0, 0, 0),
                           "~6 % of heating per degree C (Hanze); CBS 2025 average household 987 m3"),
    "door_closer": ((0, 0, 0), (0, 0, 0), (0, 0, 0), "no published figure: counted, not valued"),
    "boiler_setting": ((0, 0, 0), (0, 0, 0), (0, 0, 0), "no published figure: counted, not valued"),
    "other": ((0, 0, 0), (0, 0, 0), (0, 0, 0), "no published figure: counted, not valued"),
}

PRICES = {
    "gas": (1.20, "Milieu Centraal, long-term price"),
    "electricity": (0.25, "Milieu Centraal, long-term price"),
    "water": (1.24, "Milieu Centraal, long-term price"),
}

# Published whole-programme averages per home, shown beside ours for calibration (DOMAIN.md).
CALIBRATION = (
    {"programme": "Goirle", "gas_m3": 64, "kwh": 101},
    {"programme": "FIXbrigade 2023", "gas_m3": 141, "kwh": 345},
)


def figure_rows(now) -> list[dict]:
    """The rows of saving_figures as migration 0011 seeds them."""
    from ..timeutil import day_number

    rows = []
    for measure, (*amounts, source) in FIGURES.items():
        row = {"measure": measure, "valid_from": VALID_FROM, "from_day": day_number(VALID_FROM), "source": source,
               "created_at": now}
        for quantity, levels in zip(("kwh", "gas_m3", "water_m3"), amounts):
            row.update({f"{quantity}_{level}": float(value) for level, value in zip(("low", "default", "high"), levels)})
        rows.append(row)
    return rows


def price_rows(now) -> list[dict]:
    """The rows of energy_prices as migration 0011 seeds them."""
    from ..timeutil import day_number

    return [{"carrier": carrier, "euro_per_unit": euro, "valid_from": VALID_FROM, "from_day": day_number(VALID_FROM),
             "source": source, "created_at": now} for carrier, (euro, source) in PRICES.items()]
