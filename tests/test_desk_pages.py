"""The follow-up desk's office screens: the desk and its filters, a referral's page (assign, take,
contacted, appointment, close), the routing table and the partners' phone numbers.

The neighbourhood: eas's volunteers `vol` (nl, tr) and `vol2` (ar), goos's volunteer `goosvol`,
the taalcoach `coach` (balans, ti). Three consented referrals in Smitsveen: a Turkish one to eas,
60 days old and overdue; a Tigrinya one to eas, which nobody at eas speaks (a language gap, with
`coach` suggested to go along); a Dutch one to goos. One more in Elders, which no Smitsveen user sees.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, csrf_from, session_client
from fieldapp.timeutil import utcnow
from helpers import catalog_text, rally


@dataclass
class Desk:
    users: dict  # username -> id
    refs: dict  # label -> referral id
    hood_id: int
    other_hood_id: int


@pytest.fixture
def desk(app, db, world, login) -> Desk:
    from fieldapp.accounts.models import User
    from fieldapp.accounts.operations import upsert_user

    users = dict(world.users)
    users["vol2"] = upsert_user(db, "vol2", PASSWORD, "volunteer", "eas", ["Smitsveen"], ["ar"]).id
    users["goosvol"] = upsert_user(db, "goosvol", PASSWORD, "volunteer", "goos", ["Smitsveen"], ["nl"]).id
    db.get(User, users["vol"]).spoken_languages = ["nl", "tr"]
    db.get(User, users["coach"]).spoken_languages = ["ti"]
    db.commit()

    def referral(client, street, number, language, code, days_ago):
        body = rally(world.streets[street], house_number=number, language=language,
                     occurred_at=(utcnow() - timedelta(days=days_ago)).isoformat(),
                     referrals=[{"code": code, "consent": True}])
        response = client.put(f"/api/v1/records/{uuid.uuid4()}", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["referrals"][0]["id"]

    vol, outsider = login("vol"), login("outsider")
    refs = {
        "tr": referral(vol, "Smitsplein", 1, "tr", "energy_coach", 60),
        "ti": referral(vol, "Koningsweg", 12, "ti", "energy_coach", 2),
        "goos": referral(vol, "Smitsplein", 2, "nl", "money_questions", 1),
        "elders": referral(outsider, "Dorpsstraat", 1, "nl", "energy_coach", 1),
    }
    return Desk(users, refs, world.hood_id, world.other_hood_id)


def client_of(app, desk: Desk, username: str):
    return session_client(app, desk.users[username])


def followup(db, referral_id: int):
    from fieldapp.followup.models import FollowUp

    db.rollback()  # a fresh read: the requests wrote in their own sessions
    return db.get(FollowUp, referral_id)


def events(db, referral_id: int) -> list:
    from fieldapp.followup.models import ReferralEvent

    db.rollback()
    return list(db.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                           .order_by(ReferralEvent.received_at)))


def audits(db, event: str) -> list:
    from fieldapp.audit.models import AuditEvent

    db.rollback()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


def rows(html: str) -> list[int]:
    """The referrals listed on a desk page, in their order."""
    return [int(i) for i in re.findall(r'<th scope="row" class="d-what"><a href="/desk/referrals/(\d+)"', html)]


def post(client, url: str, data: dict, page: str, lang: str | None = None):
    """A form sent from `page` (the sign-out page's token once that page has no form any more).
    lang: the browser's language, which the flashed message is written in."""
    html = client.get(page).get_data(as_text=True)
    token = csrf_from(html if "csrf_token" in html else client.get("/logout").get_data(as_text=True))
    headers = {"Accept-Language": lang} if lang else {}
    return client.post(url, data={**data, "csrf_token": token}, headers=headers)


# --- the desk ------------------------------------------------------------------------------


def test_desk_lists_mine_overdue_first_and_filters(app, db, desk):
    refs = desk.refs
    coord = client_of(app, desk, "coord")
    page = coord.get("/desk/?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert rows(html) == [refs["tr"], refs["ti"], refs["goos"]]  # overdue first, then by due date
    assert html.count("Overdue</strong>") == 1 and html.count('class="badge gap"') == 1
    assert "Smitsplein <span class=\"nowrap\">1</span>" in html  # coordinators see house numbers
    assert "Energie Actief Soest" in html and "Geld Op Orde Soest" in html
    viewed = audits(db, "address_view")[-1]
    assert viewed.details["via"] == "desk.index" and viewed.details["referrals"] == 3

    def listed(query, who=coord):
        return rows(who.get(f"/desk/?{query}&lang=en").get_data(as_text=True))

    assert listed("language=ti") == [refs["ti"]]
    assert listed("language=TR") == [refs["tr"]]
    assert listed("partner=goos") == [refs["goos"]]
    assert listed("assignee=none") == [refs["tr"], refs["ti"], refs["goos"]]
    assert listed("assignee=me") == []
    assert listed("status=closed") == [] and listed("status=open&partner=eas") == [refs["tr"], refs["ti"]]
    # An unknown filter value is said at its field in the reader's language, and left out.
    bad = coord.get("/desk/?language=xx&partner=nope&status=later&lang=nl")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and rows(text) == [refs["tr"], refs["ti"], refs["goos"]]
    assert 'id="f-language-error">Onbekende taalcode.<' in text and 'id="f-partner-error">Onbekende partner.<' in text
    assert 'id="f-status-error"' in text

    # A partner's volunteer: only their partner's referrals, without house numbers (not assigned).
    vol = client_of(app, desk, "vol")
    html = vol.get("/desk/?lang=en").get_data(as_text=True)
    assert rows(html) == [refs["tr"], refs["ti"]]
    assert '<span class="nowrap">' not in html and 'name="partner"' not in html
    assert rows(client_of(app, desk, "goosvol").get("/desk/").get_data(as_text=True)) == [refs["goos"]]
    assert app.test_client().get("/desk/").status_code == 302  # strangers sign in first


def test_desk_pages_fifteen_at_a_time(app, db, desk, login):
    vol = login("vol")
    for n in range(16):
        body = rally(desk_street(db), house_number=1, occurred_at=(utcnow() - timedelta(hours=n + 1)).isoformat(),
                     referrals=[{"code": "klusactie", "consent": True}])
        assert vol.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 201
    coord = client_of(app, desk, "coord")
    first = coord.get("/desk/?partner=present&lang=en").get_data(as_text=True)
    assert len(rows(first)) == 15 and 'href="/desk/?page=2&amp;partner=present"' in first  # the filter stays
    second = coord.get("/desk/?partner=present&page=2&lang=en").get_data(as_text=True)
    assert len(rows(second)) == 1 and not set(rows(second)) & set(rows(first)) and "Page 2 of 2" in second
    everything = coord.get("/desk/?page=999&lang=en").get_data(as_text=True)  # past the end: the last page
    assert len(rows(everything)) == 4 and "Page 2 of 2" in everything


def desk_street(db) -> int:
    from fieldapp.streets.models import Street

    return db.scalar(select(Street.id).where(Street.name == "Weegbreestraat"))


def test_answered_button_is_a_contacted_event_and_keeps_the_list(app, db, desk):
    refs = desk.refs
    vol = client_of(app, desk, "vol")
    html = vol.get("/desk/?language=tr&lang=en").get_data(as_text=True)
    assert f'action="/desk/referrals/{refs["tr"]}/answer"' in html
    assert vol.post(f"/desk/referrals/{refs['tr']}/answer", data={}).status_code == 400  # no CSRF token
    assert followup(db, refs["tr"]).status == "open"
    token = csrf_from(html)
    response = vol.post(f"/desk/referrals/{refs['tr']}/answer", data={"csrf_token": token, "language": "tr"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/desk/?language=tr")
    assert followup(db, refs["tr"]).status == "contacted"
    assert [(e.type, e.sent_by_id) for e in events(db, refs["tr"])] == [("contacted", desk.users["vol"])]
    html = vol.get("/desk/?language=tr&lang=en").get_data(as_text=True)
    assert "Marked as answered." in html and f"/desk/referrals/{refs['tr']}/answer" not in html
    again = vol.post(f"/desk/referrals/{refs['tr']}/answer", data={"csrf_token": token})  # a second tab
    assert again.status_code == 302
    assert "This referral was already answered." in vol.get("/desk/?lang=en").get_data(as_text=True)
    assert len(events(db, refs["tr"])) == 1
    # The old queue's address and button still work, for coordinators.
    coord = client_of(app, desk, "coord")
    queue = coord.get("/dashboard/followup?lang=en").get_data(as_text=True)
    assert rows(queue) == [refs["ti"], refs["goos"]]  # open ones, as the queue was
    assert f'action="/dashboard/followup/{refs["ti"]}/answer"' in queue
    assert client_of(app, desk, "vol").get("/dashboard/followup").status_code == 403


# --- a referral ----------------------------------------------------------------------------


def test_referral_page_suggests_and_assigns(app, db, desk):
    refs = desk.refs
    coord = client_of(app, desk, "coord")
    html = coord.get(f"/desk/referrals/{refs['tr']}?lang=en").get_data(as_text=True)
    # vol speaks Turkish: a one-click button; vol2 is in the select of eas's other users.
    assert re.search(r'<button type="submit" name="assignee" value="vol" class="btn primary"', html)
    assert re.search(r'<option value="vol2">vol2 \(ar\)</option>', html)
    assert "Language gap" not in html and "Smitsplein <span class=\"nowrap\">1</span>" in html
    assert audits(db, "address_view")[-1].details["via"] == "desk.referral"
    response = post(coord, f"/desk/referrals/{refs['tr']}/events", {"type": "assigned", "assignee": "vol"},
                    page=f"/desk/referrals/{refs['tr']}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/desk/referrals/{refs['tr']}")
    assert followup(db, refs["tr"]).assignee_id == desk.users["vol"]
    html = coord.get(f"/desk/referrals/{refs['tr']}?lang=en").get_data(as_text=True)
    assert "Assigned to vol." in html  # the flash
    assert re.search(r'value="vol" class="btn secondary"[^>]* disabled', html)  # already theirs
    assert "<strong>Assigned to vol</strong>" in html  # in the history

    # The Tigrinya one: nobody at eas speaks it; the taalcoach who does is suggested to go along.
    html = coord.get(f"/desk/referrals/{refs['ti']}?lang=en").get_data(as_text=True)
    assert "Language gap" in html and "coach <span class=\"muted\">(Stichting Balans)</span>" in html
    assert 'name="assignee" value="vol"' not in html.split('id="assignee-other"')[0]  # no suggested button
    assert '<option value="vol">vol (nl, tr)</option>' in html
    # Assigning someone of another partner is refused at the field; nothing changes.
    wrong = post(coord, f"/desk/referrals/{refs['ti']}/events?lang=nl", {"type": "assigned", "assignee": "goosvol"},
                 page=f"/desk/referrals/{refs['ti']}")
    assert wrong.status_code == 422 and 'id="assignee-error"' in wrong.get_data(as_text=True)
    assert followup(db, refs["ti"]).assignee_id is None and events(db, refs["ti"]) == []


def test_a_partners_volunteer_takes_an_unassigned_one(app, db, desk):
    refs = desk.refs
    vol2 = client_of(app, desk, "vol2")
    html = vol2.get(f"/desk/referrals/{refs['ti']}?lang=en").get_data(as_text=True)
    assert "I take it" in html and 'id="assignee-other"' not in html
    assert "Koningsweg <span" not in html  # no house number before it is theirs
    taken = post(vol2, f"/desk/referrals/{refs['ti']}/events", {"type": "assigned", "assignee": "vol2"},
                 page=f"/desk/referrals/{refs['ti']}")
    assert taken.status_code == 302 and followup(db, refs["ti"]).assignee_id == desk.users["vol2"]
    html = vol2.get(f"/desk/referrals/{refs['ti']}?lang=en").get_data(as_text=True)
    assert "Koningsweg <span class=\"nowrap\">12</span>" in html and "I take it" not in html
    assert rows(vol2.get("/desk/?assignee=me").get_data(as_text=True)) == [refs["ti"]]
    # Another eas volunteer may not take it over any more, nor give it to somebody.
    vol = client_of(app, desk, "vol")
    assert "I take it" not in vol.get(f"/desk/referrals/{refs['ti']}?lang=en").get_data(as_text=True)
    refused = post(vol, f"/desk/referrals/{refs['ti']}/events", {"type": "assigned", "assignee": "vol"},
                   page=f"/desk/referrals/{refs['ti']}")
    assert refused.status_code == 403 and followup(db, refs["ti"]).assignee_id == desk.users["vol2"]


def test_contacted_appointment_close(app, db, desk):
    ref = desk.refs["tr"]
    url, page = f"/desk/referrals/{ref}/events", f"/desk/referrals/{ref}"
    coord = client_of(app, desk, "coord")
    assert post(coord, url, {"type": "contacted", "note": "Gebeld, belt terug."}, page).status_code == 302
    assert followup(db, ref).status == "contacted" and followup(db, ref).referral.answered_at is not None
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    made = post(coord, url, {"type": "scheduled", "appointment_date": day, "appointment_time": "14:30",
                             "place": "home", "with_partner": "balans", "note": ""}, page)
    assert made.status_code == 302 and followup(db, ref).status == "scheduled"
    scheduled = events(db, ref)[-1]
    assert scheduled.place == "home" and scheduled.with_partner == "balans" and scheduled.note is None
    assert scheduled.appointment_at.strftime("%M") == "30"
    closed = post(coord, url, {"type": "closed", "outcome": "helped"}, page, lang="en")
    assert closed.status_code == 302 and followup(db, ref).status == "closed"
    html = coord.get(f"{page}?lang=en").get_data(as_text=True)
    assert "Referral closed." in html and "Closed: Helped" in html and "Gebeld, belt terug." in html
    assert "together with Stichting Balans" in html and "At home" in html
    assert 'name="type" value="contacted"' not in html and "I take it" not in html  # nothing more to do
    # Closing twice: refused in the reader's language, nothing stored.
    again = post(coord, f"{url}?lang=en", {"type": "closed", "outcome": "helped"}, page)
    assert again.status_code == 422
    assert "This referral is closed: nothing more can happen to it." in again.get_data(as_text=True)
    assert [e.type for e in events(db, ref)] == ["contacted", "scheduled", "closed"]


@pytest.mark.parametrize("lang", ["nl", "so"])
def test_invalid_input_is_said_at_its_field_and_changes_nothing(app, db, desk, lang):
    ref = desk.refs["tr"]
    url, page = f"/desk/referrals/{ref}/events?lang={lang}", f"/desk/referrals/{ref}"
    coord = client_of(app, desk, "coord")
    long_ago = (utcnow() - timedelta(days=400)).date().isoformat()
    cases = [
        ({"type": "scheduled", "appointment_date": long_ago, "appointment_time": "10:00", "place": "home"},
         "appointment-error", "Cannot lie before the contact itself."),
        ({"type": "scheduled", "appointment_date": "2027-02-30", "appointment_time": "10:00", "place": "home"},
         "appointment-error", "Not a valid datetime."),
        ({"type": "scheduled", "appointment_date": "2027-01-04", "appointment_time": "25:00", "place": "home"},
         "appointment-error", "Not a valid datetime."),
        ({"type": "scheduled", "appointment_date": "2027-01-04", "appointment_time": "10:00", "place": "home",
          "with_partner": "nope"}, "with-partner-error", "Unknown partner."),
        ({"type": "scheduled", "appointment_date": "2027-01-04", "appointment_time": "10:00", "place": "roof"},
         "place-error", "Unknown place."),
        ({"type": "scheduled", "place": "home"}, "appointment-error", "Required for this kind of event."),
        ({"type": "closed", "outcome": "withdrawn"}, "outcome-error", "Unknown outcome."),
        ({"type": "closed"}, "outcome-error", "Required for this kind of event."),
        ({"type": "contacted", "note": "x" * 501}, "contacted-note-error", "At most 500 characters."),
        ({"type": "contacted", "note": "nul\x00byte"}, "contacted-note-error", "Contains characters that are not allowed."),
    ]
    for data, field_id, msgid in cases:
        response = post(coord, url, data, page)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (data, response.status_code)
        expected = catalog_text(lang, msgid)
        assert re.search(rf'id="{field_id}">[^<]*{re.escape(str(expected))}', html.replace("&#39;", "'")), (data, expected)
        assert "<details class=\"action\" open>" in html  # the failed form is open, with what was typed
    unknown = post(coord, url, {"type": "promoted"}, page)
    assert unknown.status_code == 422 and 'class="form-error" role="alert"' in unknown.get_data(as_text=True)
    assert events(db, ref) == [] and followup(db, ref).status == "open"


def test_csrf_and_who_may_see_or_act(app, db, desk):
    refs = desk.refs
    coord = client_of(app, desk, "coord")
    assert coord.post(f"/desk/referrals/{refs['tr']}/events", data={"type": "contacted"}).status_code == 400
    assert events(db, refs["tr"]) == []
    # Not routed to their partner, or not their neighbourhood: it does not exist for them.
    for username, label in [("goosvol", "tr"), ("coach", "tr"), ("vol", "goos"), ("outsider", "tr"), ("coord", "elders")]:
        client = client_of(app, desk, username)
        assert client.get(f"/desk/referrals/{refs[label]}").status_code == 404, (username, label)
        token = csrf_from(client.get("/logout").get_data(as_text=True))
        for action in ("events", "answer"):
            response = client.post(f"/desk/referrals/{refs[label]}/{action}",
                                   data={"type": "contacted", "csrf_token": token})
            assert response.status_code == 404, (username, label, action)
    assert events(db, refs["tr"]) == [] and events(db, refs["goos"]) == []


# --- routing and partners ------------------------------------------------------------------


def test_routing_screen(app, db, desk, login):
    from fieldapp.followup.models import Route

    coord = client_of(app, desk, "coord")
    html = coord.get("/desk/routing?lang=en").get_data(as_text=True)
    assert "Smitsveen" in html and "Elders" not in html
    assert "<select" not in html and html.count('class="marker"') == 8  # read-only, all defaults
    adm = client_of(app, desk, "adm")
    html = adm.get("/desk/routing?lang=en").get_data(as_text=True)
    assert f'id="route-{desk.hood_id}-energy_coach"' in html
    url = f"/desk/routing/{desk.hood_id}"
    token = csrf_from(html)
    coord_token = csrf_from(coord.get("/logout").get_data(as_text=True))
    assert coord.post(url, data={"route-energy_coach": "present", "csrf_token": coord_token}).status_code == 403
    assert adm.post(f"/desk/routing/{desk.other_hood_id}",
                    data={"route-energy_coach": "present", "csrf_token": token}).status_code == 404
    # An unknown partner is said at its code, in the reader's language; nothing is saved.
    bad = adm.post(f"{url}?lang=tr", data={"route-energy_coach": "present", "route-klusactie": "nope",
                                           "csrf_token": token})
    assert bad.status_code == 422
    assert f'id="route-{desk.hood_id}-klusactie-error">{catalog_text("tr", "Unknown partner.")}<' in bad.get_data(as_text=True)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Route)) == 0
    saved = adm.post(f"{url}?lang=en", data={"route-energy_coach": "present", "route-klusactie": "present",
                                             "csrf_token": token})
    assert saved.status_code == 302
    db.rollback()
    assert [(r.code, r.partner.code) for r in db.scalars(select(Route))] == [("energy_coach", "present")]
    changed = audits(db, "routing_changed")
    assert [(a.details["code"], a.details["partner"]) for a in changed] == [("energy_coach", "present")]
    html = adm.get("/desk/routing?lang=en").get_data(as_text=True)
    assert html.count('class="marker changed"') == 1 and "Saved." in html
    # From now on an energy coach referral goes to Stichting Present; the earlier ones keep eas.
    body = rally(desk_street(db), referrals=[{"code": "energy_coach", "consent": True}])
    new = login("vol").put(f"/api/v1/records/{uuid.uuid4()}", json=body).get_json()["referrals"][0]["id"]
    assert followup(db, new).partner.code == "present" and followup(db, desk.refs["tr"]).partner.code == "eas"


def test_partner_phone_numbers(app, db, desk):
    from fieldapp.accounts.models import Partner

    adm, coord = client_of(app, desk, "adm"), client_of(app, desk, "coord")
    token = csrf_from(adm.get("/desk/routing").get_data(as_text=True))
    coord_token = csrf_from(coord.get("/logout").get_data(as_text=True))
    assert coord.post("/desk/partners", data={"phone-eas": "035 11 22", "csrf_token": coord_token}).status_code == 403
    bad = adm.post("/desk/partners?lang=nl", data={"phone-eas": "035 123 45 67", "phone-goos": "bel maar",
                                                   "csrf_token": token})
    assert bad.status_code == 422 and 'id="phone-goos-error"' in bad.get_data(as_text=True)
    assert 'value="bel maar"' in bad.get_data(as_text=True)  # what was typed stays
    db.rollback()
    assert db.scalar(select(Partner.phone).where(Partner.code == "eas")) is None
    ok = adm.post("/desk/partners", data={"phone-eas": " 035  123 45 67 ", "phone-goos": "", "csrf_token": token})
    assert ok.status_code == 302
    db.rollback()
    assert db.scalar(select(Partner.phone).where(Partner.code == "eas")) == "035 123 45 67"
    assert "035 123 45 67" in coord.get("/desk/routing").get_data(as_text=True)  # coordinators read it
    assert "035 123 45 67" in coord.get(f"/desk/referrals/{desk.refs['tr']}").get_data(as_text=True)
