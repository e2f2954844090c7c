"""The trust/reach figures of DOMAIN.md ("What a coordinator must see"), computed in SQL.

Records are never loaded into Python: every figure comes out of grouped queries, and Python
only folds the grouped rows (a few per street) into the response. The same Core statements
run on SQLite and PostgreSQL.

The central piece is one pass over the period's records grouped by (street, address): the
NULL-address group of a street holds its anonymous contacts, every other group one reached
address with the flags that decide its trust-ladder step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, and_, case, cast, func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from ..codes import CHANNELS, OWNERSHIP, TENURES
from ..db import no_jit
from ..records.models import Record, Referral
from ..streets.models import Address, Street
from ..timeutil import period_bounds
from ..sqlfuncs import days_between, week_start
from .tallies import ANONYMOUS, L, T, W, record_columns

R = Record.__table__
F = Referral.__table__
A = Address.__table__
S = Street.__table__

STEPS = (0, 1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Scope:
    """Which records count: streets of these neighbourhoods, occurred in [start, end)."""

    neighbourhood_ids: tuple[int, ...]
    first: date | None = None
    last: date | None = None
    today: date | None = None  # Europe/Amsterdam; decides what is overdue
    street_id: int | None = None
    only_streets: tuple[int, ...] | None = None  # a subset of the neighbourhoods' streets

    @property
    def bounds(self) -> tuple[datetime | None, datetime | None]:
        return period_bounds(self.first, self.last)


def all_time(scope: Scope) -> bool:
    """No period chosen: the running tallies answer instead of the records."""
    return scope.first is None and scope.last is None


def street_ids(scope: Scope):
    stmt = select(S.c.id).where(S.c.neighbourhood_id.in_(scope.neighbourhood_ids))
    if scope.street_id is not None:
        stmt = stmt.where(S.c.id == scope.street_id)
    if scope.only_streets is not None:
        stmt = stmt.where(S.c.id.in_(scope.only_streets))
    return stmt


def record_conditions(scope: Scope, table=R) -> list:
    start, end = scope.bounds
    conditions = [table.c.street_id.in_(street_ids(scope))]
    if scope.street_id is not None:
        conditions.append(table.c.street_id == scope.street_id)
    if start is not None:
        conditions.append(table.c.occurred_at >= start)
    if end is not None:
        conditions.append(table.c.occurred_at < end)
    return conditions


def _flag(condition):
    return case((condition, 1), else_=0)


def _count_if(condition):
    return func.sum(_flag(condition))


def per_address(scope: Scope):
    """One row per (street, address) with records in the period; address NULL = anonymous."""
    return (
        select(R.c.street_id, R.c.address_id, *record_columns())
        .where(*record_conditions(scope))
        .group_by(R.c.street_id, R.c.address_id)
        .cte("per_address")
    )


def tallied_per_address(scope: Scope):
    """The same rows as per_address for all time, read from the running tallies (one row per
    address instead of a group over its records), with their consented-referral counts."""
    return (
        select(T.c.street_id, func.nullif(T.c.address_key, ANONYMOUS).label("address_id"),
               *[T.c[column.name] for column in record_columns()], T.c.consented_records)
        .where(*record_conditions(scope, T))
        .cte("per_address")
    )


def consented_refs(scope: Scope):
    """Consented referrals of the period's records (materialized: the ladder's step 3,
    open/overdue counts and the medians all read it). Referrals carry their record's street,
    time and address, all in their street index: no record is looked up."""
    columns = [F.c.street_id, F.c.address_id, F.c.answered_at, F.c.closed_at, F.c.due_date,
               days_between(F.c.occurred_at, F.c.answered_at).label("days")]
    stmt = select(*columns).where(F.c.consent == True, *record_conditions(scope, F))  # noqa: E712
    return stmt.cte("consented_refs").prefix_with("MATERIALIZED")  # SQLite >= 3.35, PostgreSQL >= 12


def consented_addresses(scope: Scope, refs=None):
    """Addresses with a record in the period that holds a consented referral (step 3)."""
    refs = refs if refs is not None else consented_refs(scope)
    return (
        select(refs.c.address_id)
        .where(refs.c.address_id.is_not(None))
        .group_by(refs.c.address_id)
        .cte("consented")
    )


def address_steps(scope: Scope, pa, consented=None):
    """Each (street, address) group with its trust-ladder step (the highest any record gives it).

    The anonymous group of a street (address NULL) is kept, with step NULL, so one statement
    yields both the record counts and the ladder. Step 3 comes from the `consented` addresses
    when given, otherwise from the groups' own `consented_records` (the tallies).
    """
    if consented is not None:
        has_consent = consented.c.address_id.is_not(None)
        source = pa.outerjoin(consented, consented.c.address_id == pa.c.address_id)
    else:
        has_consent, source = pa.c.consented_records > 0, pa
    if scope.first is not None:
        # A walk-in is "returned" when the address has any earlier record, which may lie before
        # the period: its all-time tally knows the first one.
        source = source.outerjoin(T, and_(T.c.street_id == pa.c.street_id, T.c.address_key == pa.c.address_id))
    walk_in = pa.c.last_loket.is_not(None)
    whens = [
        (pa.c.address_id.is_(None), None),
        (pa.c.best == 5, 5),
        # An earlier record inside the period answers "returned" without a lookup...
        (and_(walk_in, pa.c.first_at < pa.c.last_loket), 5),
    ]
    if scope.first is not None:
        # ...only a walk-in that is the address's first record in the period needs to look back.
        whens.append((and_(walk_in, T.c.first_at < pa.c.last_loket), 5))
    whens += [(pa.c.best == 4, 4), (has_consent, 3), (pa.c.best == 2, 2)]
    step = case(*whens, else_=1)
    return select(pa, step.label("step")).select_from(source).cte("steps")


def _empty_street(street_id: int, name: str, households: int) -> dict:
    return {
        "street_id": street_id,
        "name": name,
        "households": households,
        "reached": 0,
        "coverage": None,
        "anonymous_contacts": 0,
        "records": 0,
        "refusals": 0,
        "trust_index": None,
        "ladder": {str(s): 0 for s in STEPS},
        "channels": {code: {"records": 0, "addresses": 0} for code in CHANNELS.codes},
        "languages": {},
        "taalcoach_records": 0,
        "tenure": {code: {"households": 0, "reached": 0} for code in TENURES.codes},
        "koppelkansen": 0,
        "ownership": {code: {"addresses": 0, "anonymous_records": 0} for code in OWNERSHIP.codes},
        "referrals_open": 0,
        "referrals_overdue": 0,
        "median_response_days": None,
        "_step_sum": 0,
    }


def _finish(row: dict) -> dict:
    reached = sum(row["ladder"][str(s)] for s in STEPS[1:])
    row["reached"] = reached
    row["ladder"]["0"] = max(row["households"] - reached, 0)
    row["coverage"] = round(reached / row["households"], 4) if row["households"] else None
    step_sum = row.pop("_step_sum")
    row["trust_index"] = round(step_sum / reached * 20, 1) if reached else None
    row["languages"] = dict(sorted(row["languages"].items(), key=lambda kv: (-kv[1], kv[0])))
    return row


def street_medians(refs):
    """Median response days of the answered referrals in `refs`, per street: the middle one or
    two rows by ROW_NUMBER/COUNT windows."""
    ranked = (
        select(
            refs.c.street_id,
            refs.c.days,
            func.row_number().over(partition_by=refs.c.street_id, order_by=refs.c.days).label("rn"),
            func.count().over(partition_by=refs.c.street_id).label("n"),
        )
        .where(refs.c.answered_at.is_not(None))
        .subquery()
    )
    middle = ranked.c.rn.in_(((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2))
    return (
        select(ranked.c.street_id, func.avg(ranked.c.days).label("days"))
        .where(middle)
        .group_by(ranked.c.street_id)
    )


def overall_median(session: Session, scope: Scope) -> float | None:
    """The median over every answered referral of the scope (not a median of street medians):
    counted first, then the middle one or two read by ORDER BY ... LIMIT/OFFSET, which costs
    less than the window form in `street_medians` (docs/performance.md)."""
    answered = and_(F.c.consent == True, F.c.answered_at.is_not(None), *record_conditions(scope, F))  # noqa: E712
    n = session.scalar(select(func.count()).select_from(F).where(answered))
    if not n:
        return None
    days = days_between(F.c.occurred_at, F.c.answered_at).label("days")
    middle = select(days).where(answered).order_by(days).limit(2 - n % 2).offset((n - 1) // 2).subquery()
    return round(float(session.scalar(select(func.avg(middle.c.days)))), 1)


def referral_branches(refs, today: date | None, width: int) -> list:
    """Rows ('counts', street, open, overdue) and ('median', street, days), padded to `width`
    columns so they can follow the main rows in one UNION ALL.

    Open: consented, not answered and not closed (the desk may close one unreached); overdue:
    open with a due date before today (Amsterdam).
    The median over those answered so far, per street (street_medians).
    """
    is_open = and_(refs.c.answered_at.is_(None), refs.c.closed_at.is_(None))
    overdue = _count_if(and_(is_open, refs.c.due_date < today)) if today else literal_column("0")

    def row(kind: str, street, a, b, days, *rest):
        # kind, street_id, tenure, step, then the main row's counts; days last.
        pad = [literal_column("NULL")] * (width - 7)
        return [literal_column(f"'{kind}'"), street, literal_column("NULL"), literal_column("NULL"), a, b, *pad, days]

    counts = select(*row("counts", refs.c.street_id, _count_if(is_open), overdue, literal_column("NULL"))) \
        .group_by(refs.c.street_id)

    middle = street_medians(refs).subquery()
    medians = select(*row("median", middle.c.street_id, literal_column("NULL"), literal_column("NULL"), middle.c.days))
    return [counts, medians]


def street_figures(session: Session, scope: Scope, detail: bool = True) -> dict:
    """The body of GET /api/v1/dashboard/streets.

    Without `detail`, only what the map shows (geojson.PROPERTIES): no tenure, language mix nor
    response medians, which are most of the cost once the tallies serve the ladder.
    """
    rows = street_rows(session, scope, detail)
    return assemble(scope, rows, overall_median(session, scope) if detail else None)


def assemble(scope: Scope, rows: list[dict], median: float | None) -> dict:
    """The response from street rows as street_rows makes them (finishing them in place)."""
    totals = _totals(rows, median)
    return {
        "period": {"from": scope.first, "to": scope.last, "today": scope.today},
        "streets": [_finish(row) for row in rows],
        "totals": _finish(totals),
    }


def street_rows(session: Session, scope: Scope, detail: bool = True) -> list[dict]:
    """Every street's counts before the ratios are taken (see _finish), in name order."""
    no_jit(session)
    streets = {
        sid: _empty_street(sid, name, households or 0)
        for sid, name, households in session.execute(
            select(S.c.id, S.c.name, S.c.households)
            .where(S.c.id.in_(street_ids(scope)))
            .order_by(S.c.name, S.c.id)
        )
    }

    refs = consented_refs(scope)
    if all_time(scope):
        steps = address_steps(scope, tallied_per_address(scope))
    else:
        steps = address_steps(scope, per_address(scope), consented_addresses(scope, refs))
    # One pass over the records: groups by street, tenure and step (the anonymous group has no
    # tenure nor step), followed by the referral rows, which share the referral join.
    main_columns = [
        literal_column("'main'").label("kind"),
        steps.c.street_id,
        A.c.tenure if detail else literal_column("NULL"),
        steps.c.step,
        func.count(steps.c.address_id),
        func.sum(steps.c.records),
        func.sum(steps.c.refusals),
        func.sum(steps.c.taalcoach),
        func.sum(steps.c.koppel),
        *[func.sum(steps.c[f"ch_{code}"]) for code in CHANNELS.codes],
        *[_count_if(and_(steps.c[f"ch_{code}"] > 0, steps.c.address_id.is_not(None))) for code in CHANNELS.codes],
        # Per ownership code: the addresses carrying it, and the anonymous records that do.
        *[_count_if(and_(steps.c[f"own_{code}"] > 0, steps.c.address_id.is_not(None))) for code in OWNERSHIP.codes],
        *[func.sum(case((steps.c.address_id.is_(None), steps.c[f"own_{code}"]), else_=0)) for code in OWNERSHIP.codes],
        # Typed, so PostgreSQL can match the referral rows' medians in the UNION.
        cast(null(), Float).label("days"),
    ]
    if detail:
        main = (
            select(*main_columns)
            .select_from(steps.outerjoin(A, A.c.id == steps.c.address_id))
            .group_by(steps.c.street_id, A.c.tenure, steps.c.step)
        )
    else:
        main = select(*main_columns).group_by(steps.c.street_id, steps.c.step)
    branches = referral_branches(refs, scope.today, len(main_columns))
    stmt = union_all(main, *(branches if detail else branches[:1]))
    n_channels = len(CHANNELS.codes)
    for kind, sid, tenure, step, addresses, records, refusals, taalcoach, koppel, *rest in session.execute(stmt):
        per_channel, days = rest[:2 * n_channels], rest[-1]
        per_code = rest[2 * n_channels:-1]
        row = streets[sid]
        if kind == "counts":
            row.update(referrals_open=int(addresses or 0), referrals_overdue=int(records or 0))
            continue
        if kind == "median":
            row["median_response_days"] = round(float(days), 1)
            continue
        row["records"] += int(records)
        row["refusals"] += int(refusals)
        row["taalcoach_records"] += int(taalcoach)
        row["koppelkansen"] += int(koppel)
        for code, n, k in zip(CHANNELS.codes, per_channel[:n_channels], per_channel[n_channels:]):
            row["channels"][code]["records"] += int(n)
            row["channels"][code]["addresses"] += int(k)
        n_codes = len(OWNERSHIP.codes)
        for code, k, anonymous in zip(OWNERSHIP.codes, per_code[:n_codes], per_code[n_codes:]):
            row["ownership"][code]["addresses"] += int(k)
            row["ownership"][code]["anonymous_records"] += int(anonymous)
        if step is None:
            row["anonymous_contacts"] += int(records)
            continue
        row["ladder"][str(step)] += addresses
        row["_step_sum"] += step * addresses
        if tenure in row["tenure"]:
            row["tenure"][tenure]["reached"] += addresses

    if detail:
        _add_languages(session, scope, streets)
        _add_tenure_households(session, scope, streets)

    return list(streets.values())


def languages_per_street(session: Session, scope: Scope) -> list[tuple[int, str, int]]:
    """(street_id, language, records) of the scope's records; for all time from the tallies."""
    if all_time(scope):
        languages = select(L.c.street_id, L.c.language, L.c.records).where(*record_conditions(scope, L))
    else:
        languages = (
            select(R.c.street_id, R.c.language, func.count())
            .where(*record_conditions(scope))
            .group_by(R.c.street_id, R.c.language)
        )
    return session.execute(languages).all()


def _add_languages(session: Session, scope: Scope, streets: dict) -> None:
    for sid, language, n in languages_per_street(session, scope):
        streets[sid]["languages"][language] = n


def _add_tenure_households(session: Session, scope: Scope, streets: dict) -> None:
    tenure_households = (
        select(A.c.street_id, A.c.tenure, func.count())
        .where(A.c.street_id.in_(street_ids(scope)))
        .group_by(A.c.street_id, A.c.tenure)
    )
    for sid, tenure, n in session.execute(tenure_households):
        if tenure in streets[sid]["tenure"]:
            streets[sid]["tenure"][tenure]["households"] = n


def _totals(rows: list[dict], median: float | None) -> dict:
    """Sums of the street rows (each address lies on one street, so distinct counts add up)."""
    total = _empty_street(0, "", 0)
    total.pop("street_id")
    total.pop("name")
    for row in rows:
        for key in ("households", "anonymous_contacts", "records", "refusals", "taalcoach_records",
                    "koppelkansen", "referrals_open", "referrals_overdue", "_step_sum"):
            total[key] += row[key]
        for step in STEPS[1:]:
            total["ladder"][str(step)] += row["ladder"][str(step)]
        for code, counts in row["channels"].items():
            for key in ("records", "addresses"):
                total["channels"][code][key] += counts[key]
        for code, counts in row["ownership"].items():
            for key in ("addresses", "anonymous_records"):
                total["ownership"][code][key] += counts[key]
        for language, n in row["languages"].items():
            total["languages"][language] = total["languages"].get(language, 0) + n
        for code, counts in row["tenure"].items():
            for key in ("households", "reached"):
                total["tenure"][code][key] += counts[key]
    total["median_response_days"] = median
    return total


def records_per_week(session: Session, scope: Scope) -> list[tuple[str, str, int]]:
    """(Monday of the week, channel, records), weeks in UTC, oldest first."""
    no_jit(session)
    if all_time(scope):
        records = func.sum(W.c.records)
        stmt = (
            select(W.c.week, W.c.channel, records)
            .where(*record_conditions(scope, W))
            .group_by(W.c.week, W.c.channel)
            .order_by(W.c.week, W.c.channel)
        )
    else:
        week = week_start(R.c.occurred_at).label("week")
        stmt = (
            select(week, R.c.channel, func.count())
            .where(*record_conditions(scope))
            .group_by(week, R.c.channel)
            .order_by(week, R.c.channel)
        )
    return [(str(w), channel, int(n)) for w, channel, n in session.execute(stmt)]
