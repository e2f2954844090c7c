"""The savings of a period, summed in SQL on both databases.

A measure installed on a day is valued with the figure version of its measure and the price of
each carrier valid on that day. The period is cut at the days where a version starts (a handful);
one pass over the period's measures sums the quantities per street, code and piece, and counts
the homes in the same pass (models.InstalledMeasure.home_prev_day); the few hundred sums are
valued afterwards. So the savings cost about what the bare sum of quantities over the period
costs, whatever its length.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, case, func, literal_column, select
from sqlalchemy.orm import Session

from ..records.schemas import EARLIEST
from ..streets.models import Street
from ..timeutil import day_number, local_date
from .defaults import CALIBRATION
from .models import CARRIERS, LEVELS, InstalledMeasure, Price, SavingFigure

M = InstalledMeasure.__table__
F = SavingFigure.__table__
P = Price.__table__
S = Street.__table__
EARLIEST_DAY = day_number(local_date(EARLIEST))
QUANTITIES = ("kwh", "gas_m3", "water_m3")
TOTALS = (*QUANTITIES, "euros")


def _period(first: date | None, last: date | None) -> list:
    conditions = []
    if first is not None:
        conditions.append(M.c.day >= day_number(first))
    if last is not None:
        conditions.append(M.c.day <= day_number(last))
    return conditions


def _street_ids(session: Session, neighbourhood_ids, street_id: int | None) -> tuple[list[int], bool]:
    """(the streets asked for, whether they are every street stored), from one read of the
    streets' ids. Read first: a list of ids in the statement lets PostgreSQL filter the rows in
    parallel workers without joining the streets."""
    asked = S.c.neighbourhood_id.in_(list(neighbourhood_ids))
    if street_id is not None:
        asked = asked & (S.c.id == street_id)
    rows = session.execute(select(S.c.id, asked).order_by(S.c.id)).all()
    ids = [sid for sid, is_asked in rows if is_asked]
    return ids, len(ids) == len(rows)


def _empty() -> dict:
    return {**{name: {level: 0.0 for level in LEVELS} for name in TOTALS}, "homes": 0}


def _versions(session: Session) -> tuple[dict, dict]:
    """Every figure version by measure and every price by carrier, each as [(from_day, values)]
    oldest first: a few rows, read whole."""
    figures: dict[str, list] = {}
    for row in session.execute(select(F).order_by(F.c.measure, F.c.from_day)).mappings():
        figures.setdefault(row["measure"], []).append(
            (row["from_day"], {q: {level: row[f"{q}_{level}"] for level in LEVELS} for q in QUANTITIES}))
    prices: dict[str, list] = {}
    for carrier, from_day, euro in session.execute(select(P.c.carrier, P.c.from_day, P.c.euro_per_unit)
                                                   .order_by(P.c.carrier, P.c.from_day)):
        prices.setdefault(carrier, []).append((from_day, euro))
    return figures, prices


def _valid_on(versions: list, day: int):
    found = None
    for from_day, value in versions:
        if from_day > day:
            break
        found = value
    return found


def _per_unit(figures: dict, prices: dict, code: str, day: int) -> dict | None:
    """What one unit of `code` installed on `day` saves a year, per quantity and level, and in
    euros at that day's prices; None when the measure or a carrier has no version yet on that
    day (such a measure is counted as a home's, but not valued)."""
    figure = _valid_on(figures.get(code, ()), day)
    euro = {carrier: _valid_on(prices.get(carrier, ()), day) for carrier in CARRIERS}
    if figure is None or None in euro.values():
        return None
    return {**figure, "euros": {level: figure["kwh"][level] * euro["electricity"] + figure["gas_m3"][level] * euro["gas"]
                                + figure["water_m3"][level] * euro["water"] for level in LEVELS}}


def savings_per_street(session: Session, neighbourhood_ids, first: date | None, last: date | None,
                       street_id: int | None = None) -> dict[int, dict]:
    """{street_id: {kwh|gas_m3|water_m3|euros: {low, default, high}, homes}} for the streets with
    installed measures in the period (Europe/Amsterdam days, both included; None: open)."""
    streets, every_street = _street_ids(session, neighbourhood_ids, street_id)
    if not streets:
        return {}
    figures, prices = _versions(session)
    # No record lies before EARLIEST_DAY, nor does any version start before it: an open period
    # starts there, and a version starting that day cuts nothing.
    low = max(day_number(first), EARLIEST_DAY) if first is not None else EARLIEST_DAY
    # The period is cut where any figure or price changes: inside each piece every measure code
    # has one value, so the measures need only be summed per street, code and piece, one pass
    # over the period's rows like the bare sum, and valued afterwards (a few hundred rows).
    cuts = sorted({day for versions in (*figures.values(), *prices.values()) for day, _value in versions
                   if day > low and (last is None or day <= day_number(last))})
    grouping = [M.c.street_id, M.c.code]
    if cuts:
        grouping.append(case(*[(M.c.day < _number(cut), _number(i)) for i, cut in enumerate(cuts)],
                             else_=_number(len(cuts))))
    piece = grouping[2] if cuts else _number(0)
    # The home's row inside the period whose previous day lies before it: each home once.
    homes = func.count().filter(M.c.home_prev_day < _number(low))
    where = _period(first, last)
    # The streets are named only when some are left out: with every street stored in them (one
    # neighbourhood, as most installations have), the list would only be tested on every row.
    if not every_street:
        where.append(M.c.street_id.in_(streets))
    if (first is not None or last is not None) and session.get_bind().dialect.name == "sqlite":
        # Naming the codes lets SQLite read one range of days per street and code, already in
        # the grouping's order, instead of sorting the period's rows; the codes stored are found
        # by skipping along the index that leads with them. All time reads each street's rows
        # in that order anyway.
        where.append(M.c.code.in_(select(M.c.code).distinct()))
    rows = session.execute(select(M.c.street_id, M.c.code, piece, func.sum(M.c.quantity), homes)
                           .where(*where).group_by(*grouping))
    starts = [low, *cuts]
    names = [(name, level) for name in TOTALS for level in LEVELS]
    units: dict[tuple, tuple | None] = {}
    nothing = [0.0] * len(names)  # never changed: every sum below is a new list
    sums: dict[int, list] = {}
    homes_of: dict[int, int] = {}
    for street, code, part, quantity, home_count in rows:
        homes_of[street] = homes_of.get(street, 0) + home_count
        key = (code, part)
        if key not in units:
            unit = _per_unit(figures, prices, code, starts[part])
            units[key] = None if unit is None else tuple(unit[name][level] for name, level in names)
        unit, street_sums = units[key], sums.get(street, nothing)
        sums[street] = street_sums if unit is None else [total + quantity * value
                                                         for total, value in zip(street_sums, unit)]
    result: dict[int, dict] = {}
    for street, street_sums in sums.items():
        figures_of_street = _empty()
        for (name, level), value in zip(names, street_sums):
            figures_of_street[name][level] = value
        figures_of_street["homes"] = homes_of[street]
        result[street] = figures_of_street
    return result


def _number(value: int):
    """A day number or piece written into the statement: a handful of our own integers."""
    return literal_column(str(int(value)), Integer)


def add_up(per_street: dict[int, dict]) -> dict:
    total = _empty()
    for figures in per_street.values():
        for name in TOTALS:
            for level in LEVELS:
                total[name][level] += figures[name][level]
        total["homes"] += figures["homes"]
    return total


def per_home(figures: dict) -> dict | None:
    """The average per home that got measures; None when no home did."""
    homes = figures["homes"]
    if not homes:
        return None
    return {name: {level: figures[name][level] / homes for level in LEVELS} for name in TOTALS}


def neighbourhood_savings(session: Session, neighbourhood_ids, first: date | None, last: date | None) -> dict:
    """The savings of these neighbourhoods for the period (None: open on that side), as
    {kwh|gas_m3|water_m3|euros: {low, default, high}, homes}: homes is the number of homes that
    got installed measures. A range, always: show low to high, never one of them alone."""
    return add_up(savings_per_street(session, neighbourhood_ids, first, last))


def public_savings(session: Session, neighbourhood_ids, first: date | None, last: date | None, **_facts) -> dict | None:
    """hooks.NEIGHBOURHOOD_SAVINGS: the yearly euros as a range for the neighbourhood page; None
    before any measure was installed."""
    found = neighbourhood_savings(session, neighbourhood_ids, first, last)
    return found["euros"] if found["homes"] else None


def savings_report(session: Session, neighbourhood_ids, first: date | None, last: date | None) -> dict:
    """The dashboard's section: per street and in total, the average per home and the
    calibration line."""
    per_street = savings_per_street(session, neighbourhood_ids, first, last)
    names = dict(session.execute(select(S.c.id, S.c.name).where(S.c.id.in_(list(per_street)))).all()) \
        if per_street else {}
    streets = [{"street_id": sid, "name": names.get(sid, ""), **figures, "per_home": per_home(figures)}
               for sid, figures in sorted(per_street.items(), key=lambda item: names.get(item[0], ""))]
    total = add_up(per_street)
    return {"streets": streets, "total": {**total, "per_home": per_home(total)},
            "calibration": list(CALIBRATION)}
