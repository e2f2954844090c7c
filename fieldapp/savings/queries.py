"""The savings of a period, in SQL on both databases.

A measure installed on a day is valued with the figure version of its measure and the price of
each carrier valid on that day. The versions are cut into segments (a measure and a span of days
over which its figure and all three prices stay the same), a handful of rows; each segment then
reads the period's measures of its code from one index range, so the sum costs about what the
bare sum of quantities over the period costs.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, distinct, func, select, true
from sqlalchemy.orm import Session

from ..sqlfuncs import greatest, least
from ..streets.models import Street
from ..timeutil import day_number
from .defaults import CALIBRATION
from .models import LEVELS, InstalledMeasure, Price, SavingFigure

M = InstalledMeasure.__table__
F = SavingFigure.__table__
P = Price.__table__
S = Street.__table__
FAR = 10**7  # a day number beyond any record: "until a newer version"
QUANTITIES = ("kwh", "gas_m3", "water_m3")
TOTALS = (*QUANTITIES, "euros")


def _figure_spans():
    later = F.alias("later")
    end = select(func.min(later.c.from_day)).where(later.c.measure == F.c.measure,
                                                   later.c.from_day > F.c.from_day).scalar_subquery()
    columns = [F.c[f"{q}_{level}"] for q in QUANTITIES for level in LEVELS]
    return select(F.c.measure, F.c.from_day.label("start"), func.coalesce(end, FAR).label("end"), *columns).subquery()


def _price_spans(carrier: str):
    own, later = P.alias(f"p_{carrier}"), P.alias(f"later_{carrier}")
    end = select(func.min(later.c.from_day)).where(later.c.carrier == carrier,
                                                   later.c.from_day > own.c.from_day).scalar_subquery()
    return (select(own.c.from_day.label("start"), func.coalesce(end, FAR).label("end"),
                   own.c.euro_per_unit.label("euro"))
            .where(own.c.carrier == carrier).subquery(f"price_{carrier}"))


def segments():
    """(measure, start, end, per-unit kWh, m³ gas, m³ water and euros per level) with one
    figure version and one price per carrier valid over [start, end): a handful of rows, made
    once per query (MATERIALIZED) so the measures are read by code and day range per segment
    instead of looking their versions up row by row."""
    f = _figure_spans()
    e, g, w = _price_spans("electricity"), _price_spans("gas"), _price_spans("water")
    start = greatest(f.c.start, e.c.start, g.c.start, w.c.start)
    end = least(f.c.end, e.c.end, g.c.end, w.c.end)
    per_unit = [f.c[f"{q}_{level}"].label(f"{q}_{level}") for q in QUANTITIES for level in LEVELS]
    euros = [(f.c[f"kwh_{level}"] * e.c.euro + f.c[f"gas_m3_{level}"] * g.c.euro
              + f.c[f"water_m3_{level}"] * w.c.euro).label(f"euros_{level}") for level in LEVELS]
    return (select(f.c.measure, start.label("start"), end.label("end"), *per_unit, *euros)
            .select_from(f).join(e, true()).join(g, true()).join(w, true())
            .where(start < end).cte("segments").prefix_with("MATERIALIZED"))


def _in_segment(seg, first: date | None, last: date | None):
    """A measure of the segment's code on one of its days inside the period: the period's bounds
    folded into the segment's, so each segment reads one exact index range."""
    low, high = seg.c.start, seg.c.end
    if first is not None:
        low = greatest(low, day_number(first))
    if last is not None:
        high = least(high, day_number(last) + 1)
    return and_(M.c.code == seg.c.measure, M.c.day >= low, M.c.day < high)


def _period(first: date | None, last: date | None) -> list:
    conditions = []
    if first is not None:
        conditions.append(M.c.day >= day_number(first))
    if last is not None:
        conditions.append(M.c.day <= day_number(last))
    return conditions


def _streets(neighbourhood_ids, street_id: int | None) -> list:
    mine = M.c.street_id.in_(select(S.c.id).where(S.c.neighbourhood_id.in_(list(neighbourhood_ids))))
    return [mine] if street_id is None else [M.c.street_id == street_id, mine]


def _empty() -> dict:
    return {**{name: {level: 0.0 for level in LEVELS} for name in TOTALS}, "homes": 0}


def savings_per_street(session: Session, neighbourhood_ids, first: date | None, last: date | None,
                       street_id: int | None = None) -> dict[int, dict]:
    """{street_id: {kwh|gas_m3|water_m3|euros: {low, default, high}, homes}} for the streets with
    installed measures in the period (Europe/Amsterdam days, both included; None: open)."""
    seg = segments()
    # Quantities per street and segment first, valued after: one sum per measure row, as in the
    # bare sum, instead of twelve.
    counted = (select(M.c.street_id, seg.c.measure, seg.c.start, func.sum(M.c.quantity).label("quantity"))
               .select_from(seg.join(M, _in_segment(seg, first, last)))
               .where(*_streets(neighbourhood_ids, street_id))
               .group_by(M.c.street_id, seg.c.measure, seg.c.start).subquery("counted"))
    sums = [func.sum(counted.c.quantity * seg.c[f"{name}_{level}"]).label(f"{name}_{level}")
            for name in TOTALS for level in LEVELS]
    rows = session.execute(
        select(counted.c.street_id, *sums)
        .select_from(counted.join(seg, and_(seg.c.measure == counted.c.measure, seg.c.start == counted.c.start)))
        .group_by(counted.c.street_id)).mappings()
    where = [*_streets(neighbourhood_ids, street_id), *_period(first, last)]
    result: dict[int, dict] = {}
    for row in rows:
        figures = result.setdefault(row["street_id"], _empty())
        for name in TOTALS:
            figures[name] = {level: float(row[f"{name}_{level}"] or 0) for level in LEVELS}
    # A home is a registered address, or a record at none (each its own home, unknown which).
    homes = session.execute(
        select(M.c.street_id, (func.count(distinct(M.c.address_id))
                               + func.count(distinct(case((M.c.address_id.is_(None), M.c.record_id))))))
        .where(*where).group_by(M.c.street_id))
    for street, count in homes:
        result.setdefault(street, _empty())["homes"] = count
    return result


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
