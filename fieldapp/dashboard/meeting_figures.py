"""Group meetings on the dashboard (DOMAIN.md part two, "Group meetings"), in SQL.

Two figures, both kept apart from coverage: a head count is people in a room, not households,
so it never enters reached, coverage or the ladder.

- Reach per language community: the period's records per conversation language plus the head
  counts per language of the meetings that started in the period. The part of a head count
  whose language was not told is shown as "language not known".
- Meetings followed by loket walk-ins: for each meeting that started in the period, the loket
  walk-ins that heard of the desk via a meeting (`heard_via` = `event`) on one of the streets it
  targeted, from its start up to and including the 14th Amsterdam calendar day after its day.
  A walk-in after two such meetings counts for both.
"""
from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..meetings.models import LANGUAGE, Meeting, MeetingCount, MeetingStreet
from ..records.models import Record
from ..sqlfuncs import amsterdam_day
from .queries import Scope, languages_per_street

FOLLOW_DAYS = 14
M, MS, MC, R = Meeting.__table__, MeetingStreet.__table__, MeetingCount.__table__, Record.__table__


def meeting_conditions(scope: Scope) -> list:
    start, end = scope.bounds
    conditions = [M.c.neighbourhood_id.in_(scope.neighbourhood_ids)]
    if start is not None:
        conditions.append(M.c.starts_at >= start)
    if end is not None:
        conditions.append(M.c.starts_at < end)
    return conditions


def reach_by_language(session: Session, scope: Scope, records_by_language: dict | None = None) -> dict:
    """{"languages": [{language, records, head_count, reach}], "head_count_language_unknown",
    "head_count", "meetings", "reported"}; languages by reach, largest first.

    `records_by_language`: the scope's records per language when the caller has them already
    (the street figures' totals), which saves a second pass over the period's records."""
    if records_by_language is None:
        records_by_language = {}
        for _street_id, language, n in languages_per_street(session, scope):
            records_by_language[language] = records_by_language.get(language, 0) + n
    heads = dict(session.execute(
        select(MC.c.code, func.sum(MC.c.count))
        .select_from(MC.join(M, M.c.id == MC.c.meeting_id))
        .where(MC.c.kind == LANGUAGE, *meeting_conditions(scope)).group_by(MC.c.code)).all())
    languages = []
    for language in {name for name, n in records_by_language.items() if n} | set(heads):
        n, h = int(records_by_language.get(language) or 0), int(heads.get(language) or 0)
        languages.append({"language": language, "records": n, "head_count": h, "reach": n + h})
    languages.sort(key=lambda row: (-row["reach"], row["language"]))
    meetings, reported, head_count = session.execute(
        select(func.count(), func.count(M.c.head_count), func.coalesce(func.sum(M.c.head_count), 0))
        .where(*meeting_conditions(scope))).one()
    told = sum(row["head_count"] for row in languages)
    return {"languages": languages, "head_count": int(head_count), "head_count_language_unknown": int(head_count) - told,
            "meetings": int(meetings), "reported": int(reported)}


def followed_by_loket(session: Session, scope: Scope) -> list[dict]:
    """Per meeting of the period, earliest first: its loket walk-ins within FOLLOW_DAYS (see above)."""
    walk_in = and_(R.c.street_id == MS.c.street_id, R.c.channel == "loket", R.c.heard_via == "event",
                   R.c.occurred_at >= M.c.starts_at,
                   amsterdam_day(R.c.occurred_at) <= M.c.start_day + FOLLOW_DAYS)
    stmt = (select(M.c.id, M.c.type, M.c.starts_at, M.c.head_count, func.count(R.c.id))
            .select_from(M.join(MS, MS.c.meeting_id == M.c.id).outerjoin(R, walk_in))
            .where(*meeting_conditions(scope))
            .group_by(M.c.id, M.c.type, M.c.starts_at, M.c.head_count)
            .order_by(M.c.starts_at, M.c.id))
    return [{"meeting_id": mid, "type": kind, "starts_at": starts_at, "head_count": head_count,
             "loket_walk_ins": int(n)} for mid, kind, starts_at, head_count, n in session.execute(stmt)]


def meeting_figures(session: Session, scope: Scope, records_by_language: dict | None = None) -> dict:
    return {"reach": reach_by_language(session, scope, records_by_language),
            "followed_by_loket": followed_by_loket(session, scope), "follow_days": FOLLOW_DAYS}
