"""The follow-up desk's figures (DOMAIN.md part two, "Counting, exactly"), per partner and per
language, for the consented referrals whose record lies in the period.

One pass over the desk in SQL: each referral's working days to first contact and to closing as
the difference of the working-day ordinals stored with its days (fieldapp.workdays), grouped by
partner and language, with each group's working days as lists: the exact distributions the
medians need. Python counts them
and folds them into the figures of each partner and language, each partner, each language and
the total, which all come from the same rows, so they add up. The language gap is the desk's own
definition (operations.language_gap), asked once per (partner, language): it depends on nothing
else.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, String, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..accounts.models import Partner
from ..followup.models import FollowUp
from ..followup.operations import language_gap
from ..records.models import Referral
from ..revisits.queries import conversion_by_language
from ..sqlfuncs import count_number_list, number_list
from ..timeutil import local_date, utcnow
from ..workdays import calendar_until
from ..db import no_jit
from .queries import Scope, record_conditions

DESK, REFS = FollowUp.__table__, Referral.__table__
TARGET_DAYS = 5  # first contact within 5 working days (DOMAIN.md)


@dataclass
class Tally:
    """The counts and distributions behind one row of figures."""

    referrals: int = 0
    open: int = 0
    overdue: int = 0
    contacted: int = 0
    within_target: int = 0
    target_base: int = 0
    closed: int = 0
    language_gap: int = 0
    contact_days: Counter = field(default_factory=Counter)
    closing_days: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        for name in ("referrals", "open", "overdue", "contacted", "within_target", "target_base", "closed",
                     "language_gap"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.contact_days.update(other.contact_days)
        self.closing_days.update(other.closing_days)

    def figures(self) -> dict:
        return {
            "referrals": self.referrals,
            "open": self.open,
            "overdue": self.overdue,
            "contacted": self.contacted,
            "median_working_days_to_contact": median(self.contact_days),
            "contacted_within_target": self.within_target,
            "target_base": self.target_base,
            "share_contacted_within_target": share(self.within_target, self.target_base),
            "closed": self.closed,
            "median_working_days_to_close": median(self.closing_days),
            "language_gap": self.language_gap,
            "share_language_gap": share(self.language_gap, self.referrals),
        }


def median(counts: Counter) -> float | None:
    """The usual median of a distribution given as value -> how often (even: mean of the two
    middle values)."""
    n = sum(counts.values())
    if not n:
        return None
    wanted = ((n - 1) // 2, n // 2)  # 0-based positions of the middle one or two
    found, seen = [], 0
    for value in sorted(counts):
        while len(found) < 2 and wanted[len(found)] < seen + counts[value]:
            found.append(value)
        seen += counts[value]
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def grouped_desk(scope: Scope, dialect_name: str, today: date):
    """(partner_id, language, referrals, open, overdue, within, base, contact_days, closing_days)
    for the scope's desk, a row per partner and language; contact_days and closing_days are the
    working days of each referral as number lists (sqlfuncs.number_list).

    The working days between two of a referral's days are the difference of their stored
    ordinals (workdays.ordinal): no calendar is read. How the rows are then grouped is the one
    thing that differs by database (docs/performance.md): SQLite sorts every referral to group
    it, so the key stays partner and language and the days travel as lists; PostgreSQL first
    groups by the working days too, which it can spread over parallel workers (string_agg cannot
    be, before PostgreSQL 16), and lists the few thousand points with their weights.
    """
    contact = (DESK.c.contact_ordinal - DESK.c.record_ordinal).label("contact")
    closing = (DESK.c.closing_ordinal - DESK.c.record_ordinal).label("closing")
    # In the target's base: contacted, or the record more than TARGET_DAYS working days old.
    in_base = or_(DESK.c.contact_ordinal.is_not(None),
                  DESK.c.record_ordinal < calendar_until(today).count(today) - TARGET_DAYS)
    tallies = (func.count().filter(DESK.c.status == "open").label("open"),
               func.count().filter(FollowUp.overdue_on(today)).label("overdue"),
               func.count().filter(in_base).label("base"))
    joined = DESK.join(REFS, REFS.c.id == DESK.c.referral_id)
    where = (REFS.c.consent == True, *record_conditions(scope, REFS))  # noqa: E712
    if dialect_name != "postgresql":
        return (select(DESK.c.partner_id, DESK.c.language, func.count().label("referrals"), *tallies[:2],
                       func.count().filter(contact <= TARGET_DAYS).label("within"), tallies[2],
                       number_list(contact).label("contact_days"), number_list(closing).label("closing_days"))
                .select_from(joined).where(*where)
                .group_by(DESK.c.partner_id, DESK.c.language))
    points = (select(DESK.c.partner_id, DESK.c.language, contact, closing, func.count().label("n"), *tallies)
              .select_from(joined).where(*where)
              .group_by(DESK.c.partner_id, DESK.c.language, contact, closing).subquery("desk_points"))
    p = points.c

    def total(column, *where):  # a count again, not PostgreSQL's numeric sum of counts
        summed = func.sum(column).filter(*where) if where else func.sum(column)
        return cast(func.coalesce(summed, 0), Integer)

    return (select(p.partner_id, p.language, total(p.n), total(p.open), total(p.overdue),
                   total(p.n, p.contact <= TARGET_DAYS), total(p.base),
                   number_list(p.contact, p.n).label("contact_days"), number_list(p.closing, p.n).label("closing_days"))
            .group_by(p.partner_id, p.language))


def gaps(session: Session, pairs: list[tuple[int | None, str]]) -> set[tuple[int | None, str]]:
    """The (partner, language) pairs with a language gap, by the desk's own SQL definition."""
    found = set()
    # Rows of literals rather than VALUES: SQLite cannot name a VALUES list's columns; and at most
    # 400 of them a statement, below SQLite's limit on a compound SELECT.
    for start in range(0, len(pairs), 400):
        rows = union_all(*(select(literal(partner, Integer).label("partner_id"),
                                  literal(language, String).label("language"))
                           for partner, language in pairs[start:start + 400])).subquery("followups")
        found |= {(partner, language) for partner, language, gap in
                  session.execute(select(rows.c.partner_id, rows.c.language, language_gap(rows))) if gap}
    return found


def tallies(session: Session, scope: Scope) -> dict[tuple[int | None, str], Tally]:
    """A Tally per (partner id, language) of the scope's desk."""
    today = scope.today or local_date(utcnow())
    dialect = session.get_bind().dialect.name
    no_jit(session, sort_memory="32MB")  # the grouping sorts every referral
    rows = session.execute(grouped_desk(scope, dialect, today)).all()
    cells: dict[tuple[int | None, str], Tally] = {}
    for partner_id, language, referrals, is_open, overdue, within, base, contact_days, closing_days in rows:
        contact, closing = count_number_list(contact_days), count_number_list(closing_days)
        cells[partner_id, language] = Tally(
            referrals=referrals, open=is_open, overdue=overdue, within_target=within, target_base=base,
            contacted=contact.total(), closed=closing.total(), contact_days=contact, closing_days=closing)
    for key in gaps(session, list(cells)):
        cells[key].language_gap = cells[key].referrals
    return cells


def followup_figures(session: Session, scope: Scope) -> dict:
    """The body of GET /api/v1/dashboard/followup: per partner (with its languages), per
    language, and the total."""
    cells = tallies(session, scope)
    codes = dict(session.execute(select(Partner.id, Partner.code)).all())
    names = dict(session.execute(select(Partner.code, Partner.name)).all())
    partners: dict[int | None, Tally] = {}
    languages: dict[str, Tally] = {}
    total = Tally()
    for (partner_id, language), tally in cells.items():
        partners.setdefault(partner_id, Tally()).add(tally)
        languages.setdefault(language, Tally()).add(tally)
        total.add(tally)

    def by_size(item):
        return (-item[1].referrals, str(item[0]))

    partner_rows = []
    for partner_id, tally in sorted(partners.items(), key=lambda kv: (-kv[1].referrals, codes.get(kv[0]) or "")):
        code = codes.get(partner_id)
        own = sorted(((lang, t) for (pid, lang), t in cells.items() if pid == partner_id), key=by_size)
        partner_rows.append({"partner": code, "organisation": names.get(code), **tally.figures(),
                             "languages": [{"language": lang, **t.figures()} for lang, t in own]})
    return {
        "period": {"from": scope.first, "to": scope.last, "today": scope.today},
        "working_days": {"target": TARGET_DAYS, "holidays": "NL"},
        "partners": partner_rows,
        "languages": [{"language": lang, **t.figures()} for lang, t in sorted(languages.items(), key=by_size)],
        "total": total.figures(),
    }


def followup_dashboard(session: Session, scope: Scope) -> dict:
    """The desk's figures and, beside them, the revisit queue's conversion per language (the
    other promise of part two: a second knock in the resident's language)."""
    body = followup_figures(session, scope)
    body["revisit_conversion"] = conversion_by_language(session, scope.neighbourhood_ids, scope.first, scope.last)
    return body

