"""The follow-up desk's figures (DOMAIN.md part two, "Counting, exactly"): a hand-made desk whose
every expected value is worked out by hand below, not by the code under test.

Period P: 2026-04-01 .. 2026-05-10 (Amsterdam). Calendar, with the Dutch public holidays that
holidays.NL lists for 2026 (weekdays only matter):
  Apr 2 Thu | Apr 3 Fri GOOD FRIDAY | Apr 4-5 weekend | Apr 6 Mon EASTER MONDAY | Apr 7 Tue ...
  Apr 13 Mon .. Apr 17 Fri | Apr 20 Mon | Apr 24 Fri | Apr 27 Mon KING'S DAY | Apr 28 Tue ..
  Apr 30 Thu | May 1 Fri | May 4 Mon | May 5 Tue (Liberation Day: a holiday only every fifth
  year, 2025 and 2030, so a working day in 2026) | May 7 Thu | May 8 Fri | May 10 Sun |
  May 11 Mon | May 12 Tue | May 14 Thu ASCENSION.
Users: eas has vol (nl, tr) and vol2 (nl, ar); present has pres (nl); schuldhulpmaatje nobody.
Due dates are the record's day + 14.

  A eas/nl   rec Thu Apr 2 10:00. contacted Tue Apr 7: after Apr 2 -> Apr 3 hol, 4-5 wknd, 6 hol,
             7 = 1 wd. closed helped Thu Apr 9: 7, 8, 9 = 3 wd.
  B eas/tr   rec Fri Apr 24 16:00. assigned vol, RE-ASSIGNED to vol2 Tue Apr 28. contacted Thu
             May 7: Apr 27 hol; 28, 29, 30, May 1, 4, 5, 6, 7 = 8 wd (not within 5). Due May 8.
  C eas/so   rec Mon Apr 13. CLOSED WITHOUT CONTACT (unreachable) Mon Apr 20: 14, 15, 16, 17,
             20 = 5 wd. LANGUAGE GAP: nobody at eas lists so.
  D present/nl rec Wed Apr 29 23:30 (+02:00 = 21:30 UTC). contacted Thu Apr 30 00:30 (+02:00 =
             Apr 29 22:30 UTC: Apr 29 in UTC, Apr 30 in Amsterdam) = 1 wd, not 0. scheduled May 4.
             Due May 13.
  E present/ar rec Thu Apr 30 09:00. Open. LANGUAGE GAP (pres speaks nl). Due May 14.
  F schuldhulpmaatje/nl rec Wed Apr 15 10:00. contacted the same day 15:00 = 0 wd. closed
             declined Fri Apr 17 = 2 wd. LANGUAGE GAP (nobody at the partner).
  J eas/nl   rec Fri May 8 10:00. Open. Due May 22.
  K eas/nl   rec Sun May 10 23:30 (+02:00 = 21:30 UTC: inside P). contacted Mon May 11 = 1 wd.
             Due May 24.
  Not counted: G a DECLINED referral (consent false) Apr 10; H a record OUTSIDE P: Mon May 11
  00:30 (+02:00 = May 10 22:30 UTC, May 10 in UTC but May 11 in Amsterdam); I a record of Tue
  Mar 31 23:30 (+02:00); L a referral of the other neighbourhood (Elders) in P.
"""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timezone

import pytest

from conftest import PASSWORD

PERIOD = "?from=2026-04-01&to=2026-05-10"
FIGURES = "/api/v1/dashboard/followup"


def _record(api, street_id: int, code: str, at: str, language: str, consent: bool = True, number: int = 1) -> int | None:
    body = {"channel": "rally", "street_id": street_id, "house_number": number, "outcome": "talked",
            "occurred_at": at, "language": language, "referrals": [{"code": code, "consent": consent}]}
    response = api.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["referrals"][0]["id"]


def _event(api, referral_id: int, **body) -> None:
    response = api.put(f"/api/v1/referrals/{referral_id}/events/{uuid.uuid4()}", json=body)
    assert response.status_code == 201, response.get_json()


def _speaks(db, username: str, partner: str, hoods: list[str], languages: list[str]) -> None:
    from fieldapp.accounts.operations import upsert_user

    upsert_user(db, username, PASSWORD, "volunteer", partner, hoods, languages)
    db.commit()


@pytest.fixture
def desk(db, world, login):
    _speaks(db, "vol", "eas", ["Smitsveen"], ["nl", "tr"])
    _speaks(db, "vol2", "eas", ["Smitsveen"], ["nl", "ar"])
    _speaks(db, "pres", "present", ["Smitsveen"], ["nl"])
    vol, coord, outsider = login("vol"), login("coord"), login("outsider")
    street = world.streets["Koningsweg"]
    r = {}
    r["A"] = _record(vol, street, "energy_coach", "2026-04-02T10:00:00+02:00", "nl")
    _event(coord, r["A"], type="contacted", at="2026-04-07T09:00:00+02:00")
    _event(coord, r["A"], type="closed", at="2026-04-09T11:00:00+02:00", outcome="helped")
    r["B"] = _record(vol, street, "energy_coach", "2026-04-24T16:00:00+02:00", "tr")
    _event(coord, r["B"], type="assigned", at="2026-04-24T16:30:00+02:00", assignee="vol")
    _event(coord, r["B"], type="assigned", at="2026-04-28T09:00:00+02:00", assignee="vol2")
    _event(login("vol2"), r["B"], type="contacted", at="2026-05-07T10:00:00+02:00")
    r["C"] = _record(vol, street, "energy_coach", "2026-04-13T11:00:00+02:00", "so")
    _event(coord, r["C"], type="closed", at="2026-04-20T14:00:00+02:00", outcome="unreachable")
    r["D"] = _record(vol, street, "klusactie", "2026-04-29T23:30:00+02:00", "nl")
    _event(coord, r["D"], type="contacted", at="2026-04-30T00:30:00+02:00")
    _event(coord, r["D"], type="scheduled", at="2026-05-04T10:00:00+02:00",
           appointment_at="2026-05-06T14:00:00+02:00", place="home")
    r["E"] = _record(vol, street, "klusactie", "2026-04-30T09:00:00+02:00", "ar")
    r["F"] = _record(vol, street, "debt_help", "2026-04-15T10:00:00+02:00", "nl")
    _event(coord, r["F"], type="contacted", at="2026-04-15T15:00:00+02:00")
    _event(coord, r["F"], type="closed", at="2026-04-17T10:00:00+02:00", outcome="declined")
    r["J"] = _record(vol, street, "energy_coach", "2026-05-08T10:00:00+02:00", "nl")
    r["K"] = _record(vol, street, "energy_coach", "2026-05-10T23:30:00+02:00", "nl")
    _event(coord, r["K"], type="contacted", at="2026-05-11T09:00:00+02:00")
    _record(vol, street, "energy_coach", "2026-04-10T10:00:00+02:00", "nl", consent=False)  # G
    _record(vol, street, "energy_coach", "2026-05-11T00:30:00+02:00", "nl")  # H
    _record(vol, street, "energy_coach", "2026-03-31T23:30:00+02:00", "nl")  # I
    _record(outsider, world.streets["Dorpsstraat"], "energy_coach", "2026-04-15T10:00:00+02:00", "nl")  # L
    return r


def _figures(db, world, today: date) -> dict:
    from fieldapp.dashboard.followup_figures import followup_figures
    from fieldapp.dashboard.queries import Scope

    db.rollback()
    scope = Scope(neighbourhood_ids=(world.hood_id,), first=date(2026, 4, 1), last=date(2026, 5, 10), today=today)
    return followup_figures(db, scope)


def _keyed(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def _pick(row: dict) -> tuple:
    return (row["referrals"], row["open"], row["overdue"], row["contacted"], row["median_working_days_to_contact"],
            row["contacted_within_target"], row["target_base"], row["share_contacted_within_target"],
            row["closed"], row["median_working_days_to_close"], row["language_gap"], row["share_language_gap"])


def test_every_figure_on_a_fixed_day(desk, db, world):
    """Today = Tue 2026-05-12. Overdue: not closed and due before May 12: only B (due May 8); D
    (May 13), E (May 14), J (May 22), K (May 24) are not yet. "More than 5 wd old" by May 12:
    J (after May 8: May 11, 12 = 2) is not, so J is outside the target base; every other record
    is (E: May 1, 4, 5, 6, 7, 8, 11, 12 = 8)."""
    body = _figures(db, world, date(2026, 5, 12))
    # (referrals, open, overdue, contacted, median to contact, within 5, base, share within,
    #  closed, median to closing, gap, share gap)
    cells = {(p["partner"], c["language"]): _pick(c) for p in body["partners"] for c in p["languages"]}
    assert cells == {
        # A, J, K: J open; contacts A 1, K 1 -> median 1; both within; base A, K (J too young);
        # closed A 3; eas speaks nl.
        ("eas", "nl"): (3, 1, 0, 2, 1.0, 2, 2, 1.0, 1, 3.0, 0, 0.0),
        # B: contacted (not open), due May 8 -> overdue; 8 wd -> not within; base 1.
        ("eas", "tr"): (1, 0, 1, 1, 8.0, 0, 1, 0.0, 0, None, 0, 0.0),
        # C: closed without contact: not contacted, in the base (old), closed after 5 wd; gap.
        ("eas", "so"): (1, 0, 0, 0, None, 0, 1, 0.0, 1, 5.0, 1, 1.0),
        # D: contacted 1 wd (Amsterdam days, not UTC days), scheduled; due May 13: not overdue.
        ("present", "nl"): (1, 0, 0, 1, 1.0, 1, 1, 1.0, 0, None, 0, 0.0),
        # E: open, due May 14: not overdue; old -> in the base, a miss; gap.
        ("present", "ar"): (1, 1, 0, 0, None, 0, 1, 0.0, 0, None, 1, 1.0),
        # F: contacted the same day = 0; closed (declined) after 2 wd; gap.
        ("schuldhulpmaatje", "nl"): (1, 0, 0, 1, 0.0, 1, 1, 1.0, 1, 2.0, 1, 1.0),
    }
    partners = {code: _pick(row) for code, row in _keyed(body["partners"], "partner").items()}
    assert partners == {
        # A B C J K: open J; overdue B; contacts 1, 1, 8 -> median 1; within A, K; base A K B C = 4
        # -> 0.5; closed A 3, C 5 -> median (3 + 5) / 2 = 4; gap C -> 1/5.
        "eas": (5, 1, 1, 3, 1.0, 2, 4, 0.5, 2, 4.0, 1, 0.2),
        # D E: open E; contact D 1; within D; base D E -> 0.5; none closed; gap E -> 1/2.
        "present": (2, 1, 0, 1, 1.0, 1, 2, 0.5, 0, None, 1, 0.5),
        "schuldhulpmaatje": (1, 0, 0, 1, 0.0, 1, 1, 1.0, 1, 2.0, 1, 1.0),
    }
    languages = {code: _pick(row) for code, row in _keyed(body["languages"], "language").items()}
    assert languages == {
        # A J K D F: open J; contacts A 1, K 1, D 1, F 0 -> 0 1 1 1 -> median 1; within all 4; base
        # A K D F (J young) -> 1.0; closed A 3, F 2 -> median 2.5; gap F -> 1/5.
        "nl": (5, 1, 0, 4, 1.0, 4, 4, 1.0, 2, 2.5, 1, 0.2),
        "tr": (1, 0, 1, 1, 8.0, 0, 1, 0.0, 0, None, 0, 0.0),
        "so": (1, 0, 0, 0, None, 0, 1, 0.0, 1, 5.0, 1, 1.0),
        "ar": (1, 1, 0, 0, None, 0, 1, 0.0, 0, None, 1, 1.0),
    }
    # All 8: open J E; overdue B; contacts 0 1 1 1 8 -> median 1; within A K D F = 4 of base 7
    # (all but J) -> 0.5714; closed F 2, A 3, C 5 -> median 3; gap C E F -> 3/8.
    assert _pick(body["total"]) == (8, 2, 1, 5, 1.0, 4, 7, 0.5714, 3, 3.0, 3, 0.375)


def test_the_desk_keeps_each_moments_amsterdam_day_as_python_counts_it(desk, db):
    """The days the figures count from are stored by SQL (routing) and by Python (events): both
    must be the Amsterdam day, across midnight and the change to summer time."""
    from sqlalchemy import select

    from fieldapp.followup.models import FollowUp
    from fieldapp.records.models import Referral
    from fieldapp.timeutil import amsterdam_day

    rows = db.execute(select(FollowUp.record_day, FollowUp.contact_day, FollowUp.closing_day, Referral.occurred_at,
                             Referral.answered_at, Referral.closed_at).join(Referral)).all()
    assert len(rows) >= 10 and any(row.contact_day for row in rows) and any(row.closing_day for row in rows)
    for row in rows:
        assert row.record_day == amsterdam_day(row.occurred_at)
        assert row.contact_day == (row.answered_at and amsterdam_day(row.answered_at))
        assert row.closing_day == (row.closed_at and amsterdam_day(row.closed_at))
    # 21:30 UTC on 31 March 2026 is still the 31st in Amsterdam (day 20543 since 1970), 22:30 the 1st.
    assert amsterdam_day(datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc)) == 20543
    assert amsterdam_day(datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc)) == 20544


def test_the_endpoint_for_a_coordinator(desk, login):
    """Today is the real today, long after May 2026: every record is old enough, and every
    referral not closed is past its due date: B, D, E, J, K overdue; base all 8, within 4."""
    body = login("coord").get(FIGURES + PERIOD).get_json()
    assert body["period"] == {"from": "2026-04-01", "to": "2026-05-10", "today": body["period"]["today"]}
    assert _pick(body["total"]) == (8, 2, 5, 5, 1.0, 4, 8, 0.5, 3, 3.0, 3, 0.375)
    eas = _keyed(body["partners"], "partner")["eas"]
    assert (eas["organisation"], eas["overdue"], eas["target_base"], eas["share_contacted_within_target"]) == \
        ("Energie Actief Soest", 3, 5, 0.4)  # overdue B J K; base A B C J K, within A K
    assert [row["language"] for row in eas["languages"]] == ["nl", "so", "tr"]  # most referrals first, then by code
    assert isinstance(body["revisit_conversion"], list)


def test_without_a_period_every_record_counts(desk, login):
    """Adds H (May 11) and I (Mar 31), both open eas/nl; still not G (declined) nor L (Elders)."""
    total = login("adm").get(FIGURES).get_json()["total"]
    assert (total["referrals"], total["open"], total["language_gap"]) == (10, 4, 3)


def test_one_day_periods_follow_amsterdam_days(desk, login):
    api = login("coord")
    # K at 23:30 on May 10 belongs to May 10; H at 00:30 on May 11 (May 10 in UTC) does not.
    assert api.get(FIGURES + "?from=2026-05-10&to=2026-05-10").get_json()["total"]["referrals"] == 1
    assert api.get(FIGURES + "?from=2026-05-11&to=2026-05-11").get_json()["total"]["referrals"] == 1
    empty = api.get(FIGURES + "?from=2025-01-01&to=2025-01-31").get_json()
    assert empty["partners"] == [] and empty["total"]["referrals"] == 0
    assert empty["total"]["median_working_days_to_contact"] is None and empty["total"]["share_language_gap"] is None


def test_only_coordinators_and_admins(desk, login, app):
    assert app.test_client().get(FIGURES).status_code == 401
    for username in ("vol", "coach", "outsider"):
        assert login(username).get(FIGURES).status_code == 403
    outsider_hood = login("adm").get(FIGURES + PERIOD).get_json()
    assert outsider_hood["total"]["referrals"] == 8  # L (Elders) is not among Smitsveen's


def test_bad_dates_are_422_per_field_in_the_users_language(desk, login):
    response = login("coord", "nl").get(FIGURES + "?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422
    assert response.get_json()["errors"]["to"] == ["De einddatum ligt voor de begindatum."]
    response = login("coord").get(FIGURES + "?from=2026-02-30&to=tomorrow")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"from", "to"}


def test_a_partner_gains_a_speaker_and_the_gap_closes(desk, db, world):
    """Somebody at eas starts speaking Somali: C's gap is gone (4 gaps -> E and F left)."""
    _speaks(db, "vol2", "eas", ["Smitsveen"], ["nl", "ar", "so"])
    assert _figures(db, world, date(2026, 5, 12))["total"]["language_gap"] == 2


def test_csv_export_suppresses_small_numbers(desk, login):
    response = login("coord").get("/api/v1/exports/followup.csv" + PERIOD)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Level", "Partner", "Language", "Referrals"]
    # 6 (partner, language) cells + 3 partners + 4 languages + the total; every count is 1-9.
    assert len(body) == 14
    total = body[-1]
    assert total[0] == "Total" and total[3] == "<10"
    medians = [header.index("Median working days to first contact"), header.index("Within 5 working days (%)")]
    assert all(row[i] in ("x", "") for row in body for i in medians)
    assert login("vol").get("/api/v1/exports/followup.csv").status_code == 403


def test_xlsx_export_has_a_follow_up_sheet(desk, login):
    from openpyxl import load_workbook

    response = login("coord").get("/api/v1/exports/streets.xlsx" + PERIOD)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Streets", "Follow-up", "Meetings", "Savings"]
    sheet = list(workbook["Follow-up"].values)
    assert sheet[0][0] == "Level" and len(sheet) == 15 and sheet[-1][0] == "Total"


def test_the_screen(desk, web_login, enrol_totp):
    import pyotp

    secret, _codes = enrol_totp("coord")
    client = web_login("coord", pyotp.TOTP(secret).now())
    page = client.get("/dashboard/followup-figures" + PERIOD + "&lang=en").get_data(as_text=True)
    assert "Follow-up figures" in page and "Energie Actief Soest" in page and "Per language" in page
    assert 'href="/api/v1/exports/followup.csv?from=2026-04-01&amp;to=2026-05-10"' in page
    bad = client.get("/dashboard/followup-figures?from=2026-13-01")
    assert bad.status_code == 200 and 'role="alert"' in bad.get_data(as_text=True)


# --- the working-day calendar -----------------------------------------------------------------

def test_working_days_by_hand():
    from fieldapp.workdays import working_days_between

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(timezone.utc)

    assert working_days_between(at("2026-04-02T10:00+02:00"), at("2026-04-02T18:00+02:00")) == 0  # same day
    assert working_days_between(at("2026-04-10T16:00+02:00"), at("2026-04-13T09:00+02:00")) == 1  # Fri -> Mon
    assert working_days_between(at("2026-04-02T10:00+02:00"), at("2026-04-07T09:00+02:00")) == 1  # Easter
    assert working_days_between(at("2026-04-24T10:00+02:00"), at("2026-04-28T09:00+02:00")) == 1  # King's Day
    assert working_days_between(at("2026-05-13T10:00+02:00"), at("2026-05-15T09:00+02:00")) == 1  # Ascension
    assert working_days_between(at("2025-05-02T10:00+02:00"), at("2025-05-06T09:00+02:00")) == 1  # Liberation Day 2025
    assert working_days_between(at("2026-05-04T10:00+02:00"), at("2026-05-06T09:00+02:00")) == 2  # ... not in 2026
    assert working_days_between(at("2025-12-24T10:00+01:00"), at("2026-01-02T10:00+01:00")) == 4  # 29 30 31, 2 Jan


@pytest.mark.parametrize("recorded, contacted, working_days", [
    # 2026: summer time from Sun Mar 29 01:00 UTC to Sun Oct 25 01:00 UTC.
    ("2026-03-26T22:59:59+00:00", "2026-03-27T12:00:00+01:00", 1),  # Thu 23:59:59 CET -> Fri
    ("2026-03-26T23:00:00+00:00", "2026-03-27T12:00:00+01:00", 0),  # Fri 00:00 CET, same day
    ("2026-03-30T21:59:00+00:00", "2026-03-31T12:00:00+02:00", 1),  # Mon 23:59 CEST -> Tue
    ("2026-03-30T22:00:00+00:00", "2026-03-31T12:00:00+02:00", 0),  # Tue 00:00 CEST, same day
    ("2026-10-22T22:30:00+00:00", "2026-10-23T12:00:00+02:00", 0),  # Fri 00:30 CEST, same day
    ("2026-10-26T22:30:00+00:00", "2026-10-27T12:00:00+01:00", 1),  # Mon 23:30 CET -> Tue
    ("2026-10-26T23:00:00+00:00", "2026-10-27T12:00:00+01:00", 0),  # Tue 00:00 CET, same day
])
def test_days_are_amsterdam_days_in_both_databases(db, world, login, recorded, contacted, working_days):
    """A record late in the evening belongs to its Amsterdam day, in summer and winter time."""
    from fieldapp.dashboard.followup_figures import followup_figures
    from fieldapp.dashboard.queries import Scope

    referral = _record(login("vol"), world.streets["Koningsweg"], "energy_coach", recorded, "nl")
    _event(login("coord"), referral, type="contacted", at=contacted)
    db.rollback()
    total = followup_figures(db, Scope(neighbourhood_ids=(world.hood_id,), today=date(2026, 12, 1)))["total"]
    assert (total["referrals"], total["median_working_days_to_contact"]) == (1, working_days)


def test_the_calendar_counts_match_walking_the_days():
    """Every day of 2024-2026 against 2023-12-31: the calendar's counts against a plain walk
    over holidays.NL and the weekends."""
    from datetime import timedelta

    import holidays

    from fieldapp.workdays import calendar

    listed = holidays.NL(years=[2024, 2025, 2026])
    cal, start, walked = calendar(2027), date(2023, 12, 31), 0
    for n in range(1, 3 * 366):
        day = start + timedelta(days=n)
        walked += day.weekday() < 5 and day not in listed
        assert cal.count(day) - cal.count(start) == walked, day


# --- working-day ordinals stored with the days ----------------------------------------------

def test_the_desk_keeps_each_days_working_day_ordinal(desk, db):
    """Routing (SQL) and the events (Python) write each day's ordinal with it: the difference of
    two is the working days between the moments, as a walk over the days counts them."""
    from sqlalchemy import select

    from fieldapp.followup.models import FollowUp
    from fieldapp.records.models import Referral
    from fieldapp.workdays import working_days_between

    rows = db.execute(select(FollowUp, Referral.occurred_at, Referral.answered_at, Referral.closed_at)
                      .join(Referral, Referral.id == FollowUp.referral_id)).all()
    assert len(rows) >= 10 and any(row[2] for row in rows) and any(row[3] for row in rows)
    for followup, occurred, answered, closed in rows:
        assert followup.record_ordinal is not None
        assert (followup.contact_ordinal is None) == (answered is None)
        assert (followup.closing_ordinal is None) == (closed is None)
        if answered:
            assert followup.contact_ordinal - followup.record_ordinal == working_days_between(occurred, answered)
        if closed:
            assert followup.closing_ordinal - followup.record_ordinal == working_days_between(occurred, closed)


def test_ordinals_stay_when_the_calendar_grows():
    """The rule that lets the desk store ordinals: a day's ordinal counts only the days up to
    it, so a calendar grown by later years (a referral in a new year) gives every earlier day
    the same ordinal; a day beyond this year and the next is counted on a calendar grown to it."""
    from datetime import timedelta

    from fieldapp.timeutil import day_number
    from fieldapp.workdays import FIRST_DAY, calendar, ordinal

    short, grown = calendar(2026), calendar(2042)
    assert grown.counts[:len(short.counts)] == short.counts
    far = date(2041, 1, 2)  # a Wednesday, after New Year's Day
    assert ordinal(day_number(far)) == grown.count(far)
    assert ordinal(day_number(far)) - ordinal(day_number(date(2040, 12, 31))) == 1  # Mon -> Wed over Tue 1 Jan
    assert ordinal(day_number(FIRST_DAY)) == 0  # 1 January 2000, New Year's Day, a Saturday
    with pytest.raises(ValueError):
        ordinal(day_number(FIRST_DAY - timedelta(days=1)))


def test_working_days_across_the_new_year_in_both_databases(db, world, login):
    """Wed 31 Dec 2025 to Mon 5 Jan 2026: Thu 1 Jan is New Year's Day, Fri 2 Jan and Mon 5 Jan
    count: 2 working days, from ordinals of two calendar years."""
    from fieldapp.dashboard.followup_figures import followup_figures
    from fieldapp.dashboard.queries import Scope

    referral = _record(login("vol"), world.streets["Koningsweg"], "energy_coach", "2025-12-31T16:00:00+01:00", "nl")
    _event(login("coord"), referral, type="contacted", at="2026-01-05T09:00:00+01:00")
    _event(login("coord"), referral, type="closed", at="2026-01-07T09:00:00+01:00", outcome="helped")
    db.rollback()
    total = followup_figures(db, Scope(neighbourhood_ids=(world.hood_id,), today=date(2026, 12, 1)))["total"]
    assert (total["referrals"], total["median_working_days_to_contact"], total["median_working_days_to_close"]) == \
        (1, 2, 4)


def test_a_day_without_its_ordinal_is_refused(desk, db):
    """A writer that forgot the ordinal would drop the referral from the medians unnoticed: the
    database refuses the row instead."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from fieldapp.followup.models import FollowUp

    db.rollback()
    with pytest.raises(IntegrityError):
        db.execute(update(FollowUp).where(FollowUp.referral_id == desk["E"]).values(contact_day=20574))
        db.flush()
    db.rollback()
