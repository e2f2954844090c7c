"""The public neighbourhood page (issue 17): figures on a hand-made neighbourhood, small counts
hidden, no house number, four languages, served from memory without a query, and the
coordinators' form for the energieloket's hours."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from conftest import csrf_from, session_client
from helpers import sent_statements

PAGE = "/buurt/smitsveen"
# Smitsplein gets this many more helped homes, each on a klus day of its own (see `helped`).
EXTRA = 11


@pytest.fixture
def helped(db, dashboard_world):
    """dashboard_world (3 homes helped: Koningsweg 10-1 klus, Weegbreestraat 7 visit and 9 klus; a
    visit not at home and one refused do not count; klus days 2026-01-10 and 2026-03-10) plus
    EXTRA klus homes on Smitsplein 20.., on EXTRA other days; one of them visited again on a
    later day (one home, one more day), and a klus at a number the register does not know
    (no home, one more day)."""
    from fieldapp.accounts.models import User
    from fieldapp.public import cache
    from fieldapp.records.models import Record
    from fieldapp.streets.models import Address

    w = dashboard_world.world
    plein = w.streets["Smitsplein"]
    db.add_all([Address(street_id=plein, number=20 + i, addition="", postcode="3766AB", tenure="owner")
                for i in range(EXTRA)])
    db.flush()
    ids = {a.number: a.id for a in db.scalars(select(Address).where(Address.street_id == plein))}
    vol = db.get(User, w.users["vol"])
    start = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)

    def klus(number, day, address=True):
        db.add(Record(id=uuid.uuid4(), channel="klus", street_id=plein, address_id=ids.get(number) if address else None,
                      house_number=number, occurred_at=start + timedelta(days=day), language="nl", outcome="let_in",
                      partners=["eas"], partner_count=1, recorded_by_id=vol.id,
                      recorded_by_partner_id=vol.partner_id, fingerprint="x" * 64))

    for i in range(EXTRA):
        klus(20 + i, i)
    klus(20, 30)
    klus(77, 31, address=False)
    db.commit()
    cache.clear()
    return dashboard_world


def test_figures_small_counts_and_no_house_numbers(app, helped):
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    figure = dict(re.findall(r'data-figure="(\w+)">\s*<p class="figure">([^<]+)</p>', html))
    # 3 + 11 homes; 2 + 11 + 2 klus days.
    assert figure == {"homes_helped": "14", "klus_days": "15"}
    # Smitsplein has 11 helped homes and is named with them; Koningsweg (1) and Weegbreestraat (2) are not.
    assert re.search(r"<span>Smitsplein</span> <strong>11</strong>", html)
    assert "Koningsweg" not in html and "Weegbreestraat" not in html
    # Two referrals were answered in Smitsveen: too few for a median.
    assert "Fewer than 10 questions have had a first answer so far." in html
    # No house number anywhere: not as a street and number, not as a number with an addition.
    assert not re.search(r"(Smitsplein|Koningsweg|Weegbreestraat)\s*\d", html)
    assert not re.search(r"\b(20|30|77)\b", re.sub(r"<[^>]+>", " ", html).replace("2026", ""))
    assert "10-1" not in html and "10-2" not in html
    # Nothing planned, no savings provider, no loket yet.
    assert "No meetings planned yet." in html
    assert 'data-block="savings"' not in html
    assert "The opening hours will follow soon." in html


def test_small_counts_read_fewer_than_ten(app, dashboard_world):
    from fieldapp.public import cache

    cache.clear()
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    figure = dict(re.findall(r'data-figure="(\w+)">\s*<p class="figure">([^<]+)</p>', html))
    assert figure == {"homes_helped": "fewer than 10", "klus_days": "fewer than 10"}
    assert 'data-block="streets"' not in html


def test_empty_neighbourhood_shows_zero_and_unknown_is_404(app, world):
    client = app.test_client()
    html = client.get("/buurt/elders?lang=en").get_data(as_text=True)
    assert dict(re.findall(r'data-figure="(\w+)">\s*<p class="figure">([^<]+)</p>', html)) == {
        "homes_helped": "0", "klus_days": "0"}
    assert 'data-block="answers"' not in html
    assert client.get("/buurt/nowhere").status_code == 404
    assert client.get("/buurt/Smitsveen").status_code == 404  # the slug, in lower case, is the address


@pytest.mark.parametrize("lang, direction", [("nl", "ltr"), ("tr", "ltr"), ("ti", "ltr"), ("so", "ltr")])
def test_every_language(app, helped, lang, direction):
    client = app.test_client()
    response = client.get(f"{PAGE}?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}"' in html
    assert 'aria-current="true">' in html and f'data-locale="{lang}"' in html  # the switch, this one chosen
    # The choice is kept: the same address without ?lang= answers in it (from the cookie).
    assert f'<html lang="{lang}"' in client.get(PAGE).get_data(as_text=True)
    # And Accept-Language alone picks it for a first visit.
    fresh = app.test_client().get(PAGE, headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in fresh


def test_cached_hit_makes_no_query(app, helped):
    client = app.test_client()
    with sent_statements(app) as seen:
        first = client.get(PAGE, headers={"Accept-Language": "tr"})
        counted = len(seen)
        again = [client.get(PAGE, headers={"Accept-Language": "tr"}) for _ in range(5)]
        assert counted > 0
        assert len(seen) == counted, "a cached hit touched the database"
        # Another language is a page of its own, counted once.
        client.get(PAGE, headers={"Accept-Language": "so"})
        assert len(seen) > counted
    assert all(r.get_data() == first.get_data() for r in again)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers


def test_time_limit_recounts(app, helped, monkeypatch):
    from fieldapp.public import cache

    app.config["PUBLIC_PAGE_SECONDS"] = 0.0
    client = app.test_client()
    with sent_statements(app) as seen:
        client.get(PAGE)
        counted = len(seen)
        client.get(PAGE)
        assert len(seen) == 2 * counted
    assert cache.seconds() == 0.0


def test_savings_from_a_provider(app, helped, monkeypatch):
    from fieldapp import hooks

    asked = []

    def provider(_session, **facts):
        asked.append(facts)
        return {"low": 1000.0, "default": 2000.0, "high": 4130.0}

    monkeypatch.setitem(hooks._listeners, hooks.NEIGHBOURHOOD_SAVINGS, [provider])
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    assert asked == [{"neighbourhood_ids": (helped.world.hood_id,), "first": None, "last": None}]
    block = html[html.index('data-block="savings"'):]
    # €2,065 a year is €172.08 a month: 1000 -> about 6 months, 4130 -> about 24.
    assert "€1,000 to €4,130 a year" in block
    assert "That is about 6 to 24 months of an average energy bill." in block


def test_savings_from_the_installed_measures(app, world, login):
    """The savings package answers the page: four LED bulbs installed, 10 / 19 / 50 kWh a year
    each at €0.25 a kWh (DOMAIN.md's defaults) is €10 to €50 a year; two handed-out bulbs and a
    declined foil add nothing."""
    from fieldapp.public import cache

    cache.clear()
    api = login("vol")
    body = {"channel": "klus", "street_id": world.streets["Smitsplein"], "house_number": 1,
            "occurred_at": "2026-03-02T10:00:00+01:00", "language": "nl", "outcome": "let_in",
            "measures": [{"code": "led_bulb", "quantity": 4}, {"code": "radiator_foil", "not_possible": "declined"}]}
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 201
    rally = {"channel": "rally", "street_id": world.streets["Smitsplein"], "occurred_at": "2026-03-02T11:00:00+01:00",
             "language": "nl", "outcome": "talked", "handed_out": [{"code": "led_bulb", "quantity": 2}]}
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=rally).status_code == 201
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    block = html[html.index('data-block="savings"'):]
    assert "€10 to €50 a year" in block


def _meeting(db, hood_id, user_id, kind, starts_at, place):
    from fieldapp.meetings.models import Meeting
    from fieldapp.timeutil import amsterdam_day

    db.add(Meeting(id=uuid.uuid4(), neighbourhood_id=hood_id, type=kind, starts_at=starts_at,
                   start_day=amsterdam_day(starts_at), place=place, languages=["nl"], partners=["eas"],
                   recorded_by_id=user_id, fingerprint="m" * 64))


def test_next_meetings(app, db, helped):
    from fieldapp.public import cache

    w = helped.world
    now = datetime.now(timezone.utc)
    _meeting(db, w.hood_id, w.users["coord"], "energy_party", now + timedelta(days=3), "Smitshof")
    _meeting(db, w.hood_id, w.users["coord"], "residents_meeting", now + timedelta(days=10), "Buurthuis De Linde")
    _meeting(db, w.hood_id, w.users["coord"], "owners_evening", now - timedelta(days=3), "Gone by")
    _meeting(db, w.hood_id, w.users["coord"], "partner_session", now + timedelta(days=1), "Partners only")
    db.commit()
    cache.clear()
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    block = html[html.index('data-block="meetings"'):html.index('data-block="loket"')]
    assert block.index("Energy party") < block.index("Residents&#39; meeting")
    assert "Smitshof" in block and "Buurthuis De Linde" in block
    assert "Gone by" not in block and "Partners only" not in block


def test_coordinator_edits_loket_hours(app, db, helped):
    client = session_client(app, helped.world.users["coord"])
    form = client.get(PAGE + "/loket?lang=en")
    assert form.status_code == 200
    token = csrf_from(form.get_data(as_text=True))
    public = app.test_client()
    public.get(PAGE + "?lang=en")  # kept before the change

    data = {"place": "Smitshof, ground floor of the flat", "opens-1": "10:00", "closes-1": "12:00",
            "opens-3": "14:00", "closes-3": "16:30"}
    assert client.post(PAGE + "/loket", data=data).status_code == 400  # no CSRF token
    saved = client.post(PAGE + "/loket", data={**data, "csrf_token": token})
    assert saved.status_code == 302

    from fieldapp.public.models import LoketHours

    db.expire_all()
    kept = db.get(LoketHours, helped.world.hood_id)
    assert kept.place == "Smitshof, ground floor of the flat"
    assert kept.hours == [{"weekday": 1, "opens": "10:00", "closes": "12:00"},
                          {"weekday": 3, "opens": "14:00", "closes": "16:30"}]
    html = public.get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Smitshof, ground floor of the flat" in html
    assert "<dt>Tuesday</dt><dd>10:00–12:00</dd>" in html and "<dt>Thursday</dt><dd>14:00–16:30</dd>" in html
    assert "<dt>Dinsdag</dt>" in public.get(PAGE + "?lang=nl").get_data(as_text=True).replace("dinsdag", "Dinsdag")


def test_loket_form_refuses_bad_input_in_the_users_language(app, db, helped):
    client = session_client(app, helped.world.users["coord"])
    token = csrf_from(client.get(PAGE + "/loket?lang=en").get_data(as_text=True))
    response = client.post(PAGE + "/loket", data={"place": "", "opens-0": "25:00", "closes-0": "12:00",
                                                  "opens-2": "14:00", "closes-2": "09:00", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="place-error"' in html and 'id="opens-0-error"' in html and 'id="closes-2-error"' in html
    assert "Closes after it opens." in html
    assert 'value="25:00"' in html  # what was typed stays


def test_loket_form_only_for_own_coordinators(app, helped):
    w = helped.world
    assert session_client(app, w.users["coord"]).get("/buurt/elders/loket").status_code == 404
    assert session_client(app, w.users["vol"]).get(PAGE + "/loket").status_code == 403
    assert app.test_client().get(PAGE + "/loket").status_code == 302


def test_a_signed_in_visitor_gets_the_same_page_kept_privately(app, helped):
    anonymous = app.test_client().get(PAGE, headers={"Accept-Language": "nl"})
    signed_in = session_client(app, helped.world.users["coord"]).get(PAGE, headers={"Accept-Language": "nl"})
    assert signed_in.get_data() == anonymous.get_data()  # nothing of the user in it (it is kept for all)
    assert signed_in.headers["Cache-Control"] == "private, max-age=60"
    assert anonymous.headers["Cache-Control"] == "public, max-age=60"


def test_the_demo_neighbourhood(app, demo_db):
    """make demo's Smitsveen: enough homes and answers to show figures, a median and the loket."""
    from fieldapp.public import cache
    from fieldapp.public.figures import figures
    from fieldapp.streets.models import Neighbourhood
    from fieldapp.timeutil import utcnow

    cache.clear()
    html = app.test_client().get(PAGE + "?lang=en").get_data(as_text=True)
    hood = demo_db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Smitsveen"))
    with app.test_request_context():
        shown = figures(demo_db, hood.id, hood.name, utcnow())
    assert shown.homes_helped >= 10 and shown.klus_days >= 10 and shown.contacted >= 10
    figure = dict(re.findall(r'data-figure="(\w+)">\s*<p class="figure">([^<]+)</p>', html))
    assert figure == {"homes_helped": f"{shown.homes_helped:,}", "klus_days": f"{shown.klus_days:,}"}
    median = shown.median_days_to_contact
    assert f"within {median:g} working days" in html
    assert "Begane grond van de flat bij Smitshof" in html and "<dt>Tuesday</dt><dd>10:00–12:00</dd>" in html
    for street, helped in shown.streets:
        assert helped >= 10 and f"<span>{street}</span> <strong>{helped:,}</strong>" in html
