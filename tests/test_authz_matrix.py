"""Authorisation matrix: every endpoint of the URL map x every role x own/other neighbourhood x
own/other record, with the expected status. A new endpoint without an entry here fails the test.

Objects of another neighbourhood, or records of another user for volunteers, are 404 (not 403):
nobody learns that they exist.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest

from conftest import PASSWORD, csrf_from

ROLE_ACTORS = {
    # name: (role, neighbourhood)
    "vol": ("volunteer", "Smitsveen"),
    "coach": ("taalcoach", "Smitsveen"),
    "coord": ("coordinator", "Smitsveen"),
    "adm": ("admin", "Smitsveen"),
    "outsider": ("volunteer", "Elders"),
    "coord_e": ("coordinator", "Elders"),
    "adm_e": ("admin", "Elders"),
}
ROLES_WITH_ALL_RECORDS = {"coordinator", "admin"}


@dataclass
class Actor:
    name: str
    role: str | None = None
    hood: str | None = None
    client: object = None
    token: str | None = None
    csrf: str | None = None
    user_id: int | None = None

    def headers(self, path: str) -> dict:
        headers = {"Accept-Language": "en"}
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


@dataclass
class Objects:
    hood_ids: dict
    streets: dict  # hood -> street id
    records: dict = field(default_factory=dict)  # name -> (uuid, hood, owner)
    users: dict = field(default_factory=dict)  # name -> (id, hood)
    creators: dict = field(default_factory=dict)  # hood -> actor who records there
    planners: dict = field(default_factory=dict)  # hood -> coordinator who plans meetings there
    initiative_makers: dict = field(default_factory=dict)  # hood -> a coordinator there
    suggester: object = None  # a taalcoach who speaks Tigrinya (issue 18)


def fresh_referral(o: Objects, hood: str) -> int:
    """A new open referral in the neighbourhood: answering one can only succeed once."""
    creator = o.creators[hood]
    body = {**record_body(o.streets[hood]), "referrals": [{"code": "energy_coach", "consent": True}]}
    response = creator.client.put(f"/api/v1/records/{uuid.uuid4()}", json=body, headers=creator.headers("/api/"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["referrals"][0]["id"]


def record_body(street_id: int) -> dict:
    return {"channel": "rally", "street_id": street_id, "house_number": 1, "outcome": "talked",
            "occurred_at": "2026-01-05T10:00:00+01:00", "language": "nl"}


def sees(actor: Actor, hood: str, owner: str) -> bool:
    return actor.hood == hood and (actor.role in ROLES_WITH_ALL_RECORDS or actor.name == owner)


def signed_in(actor: Actor, status: int) -> int:
    return 401 if actor.role is None else status


def page(actor: Actor, status: int, admin_only: bool = False) -> int:
    """Pages: a stranger is sent to the sign-in page; a wrong role gets 403."""
    if admin_only and actor.role is None:
        return 302
    if admin_only and actor.role != "admin":
        return 403
    return status


def admin_object(actor: Actor, hood: str, status: int) -> int:
    if actor.role != "admin":
        return page(actor, status, admin_only=True)
    return status if actor.hood == hood else 404


# endpoint, method -> (requests to make: actor, objects -> [(variant, path, kwargs)], expected: actor, variant -> status)
CASES: dict[tuple[str, str], tuple] = {}


def case(endpoint: str, method: str, *, last: bool = False):
    def register(pair):
        build, expect = pair
        CASES[(endpoint, method)] = (build, expect, last)
        return pair

    return register


case("static", "GET")((lambda a, o: [("-", "/static/css/app.css", {})], lambda a, v: 200))
case("api-docs.openapi_json", "GET")((lambda a, o: [("-", "/api/v1/openapi.json", {})], lambda a, v: 200))
case("health.healthz", "GET")((lambda a, o: [("-", "/healthz", {})], lambda a, v: 200))
case("auth.create_token", "POST")((
    lambda a, o: [("own", "/api/v1/auth/token", {"json": {"username": a.name, "password": PASSWORD}})],
    lambda a, v: 200 if a.role else 401,
))
case("auth.logout", "POST", last=True)((
    lambda a, o: [("-", "/api/v1/auth/logout", {"json": {}})], lambda a, v: signed_in(a, 204),
))
case("streets.list_streets", "GET")((lambda a, o: [("-", "/api/v1/streets", {})], lambda a, v: signed_in(a, 200)))
case("records.put_record", "PUT")((
    lambda a, o: [(hood, f"/api/v1/records/{uuid.uuid4()}", {"json": record_body(o.streets[hood])})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: signed_in(a, 201 if a.hood == v else 422),
))
case("records.post_batch", "POST")((
    lambda a, o: [("-", "/api/v1/records/batch",
                   {"json": {"records": [{**record_body(o.streets["Smitsveen"]), "id": str(uuid.uuid4())}]}})],
    lambda a, v: signed_in(a, 200),
))
case("records.get_records", "GET")((lambda a, o: [("-", "/api/v1/records", {})], lambda a, v: signed_in(a, 200)))
case("records.get_record", "GET")((
    lambda a, o: [(name, f"/api/v1/records/{rid}", {}) for name, (rid, _h, _o) in o.records.items()],
    lambda a, v: signed_in(a, 200 if sees(a, *OBJECT_RECORDS[v]) else 404),
))
case("accounts.login", "GET")((lambda a, o: [("-", "/login", {})], lambda a, v: 200))
case("accounts.login", "POST")((
    lambda a, o: [("wrong", "/login", {"data": {"username": a.name, "password": "not it at all"}})],
    lambda a, v: 401,
))
case("accounts.login_code", "GET")((lambda a, o: [("-", "/login/code", {})], lambda a, v: 302))
case("accounts.login_code", "POST")((lambda a, o: [("-", "/login/code", {"data": {"code": "123456"}})], lambda a, v: 302))
case("accounts.logout", "GET")((lambda a, o: [("-", "/logout", {})], lambda a, v: 200))
case("accounts.logout", "POST", last=True)((lambda a, o: [("-", "/logout", {"data": {}})], lambda a, v: 302))
case("accounts.invite", "GET")((lambda a, o: [("-", "/invite", {})], lambda a, v: 200))
case("accounts.invite", "POST")((lambda a, o: [("-", "/invite", {"data": {"code": "nope", "password": "x" * 12}})],
                                 lambda a, v: 400))
case("admin.users", "GET")((lambda a, o: [("-", "/admin/users", {})], lambda a, v: page(a, 200, admin_only=True)))
case("admin.invite_user", "POST")((
    lambda a, o: [("-", "/admin/users", {"data": {
        "username": f"new-{a.name}", "role": "volunteer", "partner": "eas",
        "neighbourhood": str(o.hood_ids.get(a.hood or "Smitsveen"))}})],
    lambda a, v: page(a, 200, admin_only=True),
))
case("admin.edit_user", "GET")((
    lambda a, o: [(name, f"/admin/users/{uid}", {}) for name, (uid, _h) in o.users.items()],
    lambda a, v: admin_object(a, OBJECT_USERS[v], 200),
))
case("admin.edit_user", "POST")((
    lambda a, o: [(name, f"/admin/users/{uid}", {"data": {
        "role": "volunteer", "partner": "eas", "neighbourhood": str(o.hood_ids.get(a.hood or "Smitsveen"))}})
        for name, (uid, _h) in o.users.items()],
    lambda a, v: admin_object(a, OBJECT_USERS[v], 200),
))
case("admin.reset_password", "POST")((
    lambda a, o: [(name, f"/admin/users/{uid}/reset", {"data": {}}) for name, (uid, _h) in o.users.items()],
    lambda a, v: admin_object(a, OBJECT_USERS[v], 200),
))
case("admin.set_user_active", "POST")((
    lambda a, o: [(name, f"/admin/users/{uid}/active", {"data": {"active": "1"}}) for name, (uid, _h) in o.users.items()],
    lambda a, v: admin_object(a, OBJECT_USERS[v], 200),
))
case("admin.audit_log", "GET")((lambda a, o: [("-", "/admin/audit", {})], lambda a, v: page(a, 200, admin_only=True)))

# Dashboard, map, follow-up and exports (issue 5): street-level figures for every role of the
# neighbourhood; address-level views, follow-up and street exports for coordinators and admins;
# the record-level export for admins only.
def coordinators(a: Actor, status: int, stranger: int = 401) -> int:
    if a.role is None:
        return stranger
    return status if a.role in ROLES_WITH_ALL_RECORDS else 403


def own_hood(a: Actor, hood: str, status: int) -> int:
    return status if a.hood == hood else 404


case("dashboard_api.dashboard_streets", "GET")((
    lambda a, o: [("-", "/api/v1/dashboard/streets", {})], lambda a, v: signed_in(a, 200)))
case("dashboard_api.map_streets", "GET")((
    lambda a, o: [("-", "/api/v1/map/streets.geojson", {})], lambda a, v: signed_in(a, 200)))
case("followup.answer_referral", "POST")((
    lambda a, o: [(hood, f"/api/v1/referrals/{fresh_referral(o, hood)}/answer", {"json": {}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 200)),
))


def on_the_desk(a: Actor, hood: str, status: int) -> int:
    """A referral routed to eas (energy_coach): coordinators of its neighbourhood and eas's users
    there see it; to anyone else it does not exist."""
    if a.role is None:
        return 401
    return status if a.hood == hood and (a.role in ROLES_WITH_ALL_RECORDS or a.name in ("vol", "outsider")) else 404


case("followup.get_referrals", "GET")((
    lambda a, o: [("-", "/api/v1/referrals", {})], lambda a, v: signed_in(a, 200)))
case("followup.get_referral", "GET")((
    lambda a, o: [(hood, f"/api/v1/referrals/{fresh_referral(o, hood)}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: on_the_desk(a, v, 200),
))
case("followup.put_event", "PUT")((
    lambda a, o: [(hood, f"/api/v1/referrals/{fresh_referral(o, hood)}/events/{uuid.uuid4()}",
                   {"json": {"type": "contacted", "at": "2026-01-06T10:00:00+01:00"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: on_the_desk(a, v, 201),
))
case("followup.get_routing", "GET")((
    lambda a, o: [(hood, f"/api/v1/routing/{o.hood_ids[hood]}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 200)),
))
case("followup.put_route", "PUT")((
    lambda a, o: [(hood, f"/api/v1/routing/{o.hood_ids[hood]}/energy_coach", {"json": {"partner": "eas"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: signed_in(a, own_hood(a, v, 200) if a.role == "admin" else 403),
))
# What it saved (issue 17): the figures and prices are coordinators' to read and version; the
# savings of a period are street-level figures, for every role of the neighbourhood.
_FIGURE_DAYS = iter(range(1, 10_000))


def _next_day() -> str:
    """A new valid-from day per call: each POST is a new version, not a retry of another actor's."""
    from datetime import date, timedelta

    return (date(2030, 1, 1) + timedelta(days=next(_FIGURE_DAYS))).isoformat()


case("savings.get_figures", "GET")((
    lambda a, o: [("-", "/api/v1/savings/figures", {})], lambda a, v: coordinators(a, 200)))
case("savings.post_figure", "POST")((
    lambda a, o: [("-", "/api/v1/savings/figures", {"json": {
        "measure": "led_bulb", "valid_from": _next_day(), "kwh_low": 1, "kwh_default": 2, "kwh_high": 3,
        "source": "authz test"}})],
    lambda a, v: coordinators(a, 201),
))
case("savings.get_prices", "GET")((
    lambda a, o: [("-", "/api/v1/savings/prices", {})], lambda a, v: coordinators(a, 200)))
case("savings.post_price", "POST")((
    lambda a, o: [("-", "/api/v1/savings/prices", {"json": {
        "carrier": "gas", "valid_from": _next_day(), "euro_per_unit": 1.5, "source": "authz test"}})],
    lambda a, v: coordinators(a, 201),
))
case("dashboard_api.dashboard_savings", "GET")((
    lambda a, o: [("-", "/api/v1/dashboard/savings", {})], lambda a, v: signed_in(a, 200)))
case("savings_pages.index", "GET")((lambda a, o: [("-", "/savings/", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("savings_pages.add_figure_version", "POST")((
    lambda a, o: [("-", "/savings/figures", {"data": {
        "measure": "shower_head", "valid_from": _next_day(), "gas_m3_low": "1", "gas_m3_default": "2",
        "gas_m3_high": "3", "source": "authz test"}})],
    lambda a, v: coordinators(a, 302, stranger=302),
))
case("savings_pages.add_price_version", "POST")((
    lambda a, o: [("-", "/savings/prices", {"data": {
        "carrier": "water", "valid_from": _next_day(), "euro_per_unit": "1,30", "source": "authz test"}})],
    lambda a, v: coordinators(a, 302, stranger=302),
))
for _name in ("streets.csv", "streets.xlsx", "streets.geojson", "followup.csv", "meetings.csv", "savings.csv"):
    case(f"exports.export_{_name.replace('.', '_')}", "GET")((
        lambda a, o, _name=_name: [("-", f"/api/v1/exports/{_name}", {})], lambda a, v: coordinators(a, 200)))
case("exports.export_records_csv", "GET")((
    lambda a, o: [("-", "/api/v1/exports/records.csv", {})],
    lambda a, v: signed_in(a, 200 if a.role == "admin" else 403),
))
case("dashboard.index", "GET")((lambda a, o: [("-", "/dashboard/", {})], lambda a, v: 302 if a.role is None else 200))
case("dashboard.meetings", "GET")((lambda a, o: [("-", "/dashboard/meetings", {})], lambda a, v: 302 if a.role is None else 200))
case("dashboard.coverage_map", "GET")((
    lambda a, o: [("-", "/dashboard/map", {})], lambda a, v: 302 if a.role is None else 200))
case("dashboard.street", "GET")((
    lambda a, o: [(hood, f"/dashboard/streets/{o.streets[hood]}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: 302 if a.role is None else own_hood(a, v, 200),
))
case("dashboard.followup", "GET")((
    lambda a, o: [("-", "/dashboard/followup", {})], lambda a, v: coordinators(a, 200, stranger=302)))
# The follow-up figures (issue 15): per partner and language, for coordinators and admins.
case("dashboard_api.dashboard_followup", "GET")((
    lambda a, o: [("-", "/api/v1/dashboard/followup", {})], lambda a, v: coordinators(a, 200)))
case("dashboard.followup_figures", "GET")((
    lambda a, o: [("-", "/dashboard/followup-figures", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("dashboard.answer_from_queue", "POST")((
    lambda a, o: [(hood, f"/dashboard/followup/{fresh_referral(o, hood)}/answer", {"data": {}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 302), stranger=302),
))
case("leaflet.static", "GET")((lambda a, o: [("-", "/vendor/leaflet/leaflet.js", {})], lambda a, v: 200))
case("fonts.font", "GET")((lambda a, o: [("-", "/fonts/NotoSansEthiopic-Regular.ttf", {})], lambda a, v: 200))

# The follow-up desk's screens (issue 15): whoever sees a referral on the desk (on_the_desk) opens
# and works it there, strangers are sent to sign in; the routing table is read by coordinators and
# changed, with the partners' phone numbers, by admins.
def desk_page(a: Actor, status: int) -> int:
    return 302 if a.role is None else status


case("desk.index", "GET")((lambda a, o: [("-", "/desk/", {})], lambda a, v: desk_page(a, 200)))
case("desk.referral", "GET")((
    lambda a, o: [(hood, f"/desk/referrals/{fresh_referral(o, hood)}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, on_the_desk(a, v, 200)),
))
case("desk.add_event", "POST")((
    lambda a, o: [(hood, f"/desk/referrals/{fresh_referral(o, hood)}/events", {"data": {"type": "contacted"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, on_the_desk(a, v, 302)),
))
case("desk.answer", "POST")((
    lambda a, o: [(hood, f"/desk/referrals/{fresh_referral(o, hood)}/answer", {"data": {}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, on_the_desk(a, v, 302)),
))
case("desk.routing", "GET")((lambda a, o: [("-", "/desk/routing", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("desk.save_routing", "POST")((
    lambda a, o: [(hood, f"/desk/routing/{o.hood_ids[hood]}", {"data": {"route-energy_coach": "eas"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, own_hood(a, v, 302) if a.role == "admin" else 403),
))
case("desk.save_phones", "POST")((
    lambda a, o: [("-", "/desk/partners", {"data": {"phone-eas": "035 609 00 01"}})],
    lambda a, v: desk_page(a, 302 if a.role == "admin" else 403),
))

# The revisit queue (issue 15): taalcoaches and coordinators of any neighbourhood read their own
# neighbourhoods' list (an empty one is still a 200); volunteers do not; the conversion figures
# are for coordinators.
case("revisits.get_revisits", "GET")((
    lambda a, o: [("-", "/api/v1/revisits", {})],
    lambda a, v: signed_in(a, 403 if a.role == "volunteer" else 200),
))
case("revisits.get_conversion", "GET")((
    lambda a, o: [("-", "/api/v1/revisits/conversion", {"query_string": {"from": "2026-01-01", "to": "2026-01-31"}})],
    lambda a, v: coordinators(a, 200),
))

# Initiatives (issue 16): read by everyone signed in to their neighbourhood; made by coordinators
# and admins; notes by them and by the owner (`vol` owns the fixture's); the office list and an
# initiative's page for everyone signed in, the forms to make one and the session overview for
# coordinators and admins.
def fresh_initiative(o: Objects, hood: str) -> int:
    maker = o.initiative_makers[hood]
    owner = "vol" if hood == "Smitsveen" else "outsider"
    body = {"title": f"Klusdag {uuid.uuid4().hex[:6]}", "partners": ["eas", "present"], "owner_partner": "eas",
            "owner": owner, "status": "running", "start_date": "2026-01-10"}
    response = maker.client.post("/api/v1/initiatives", json=body, headers=maker.headers("/api/"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def initiative_note(a: Actor, hood: str, status: int) -> int:
    if a.role is None:
        return 401
    if a.hood != hood:
        return 404
    return status if a.role in ROLES_WITH_ALL_RECORDS or a.name in ("vol", "outsider") else 403


case("initiatives.get_initiatives", "GET")((
    lambda a, o: [("-", "/api/v1/initiatives", {})], lambda a, v: signed_in(a, 200)))
case("initiatives.post_initiative", "POST")((
    lambda a, o: [("-", "/api/v1/initiatives", {"json": {
        "title": "Klusdag", "partners": ["eas", "present"], "owner_partner": "eas",
        "owner": "vol" if a.hood == "Smitsveen" else "outsider", "start_date": "2026-01-10"}})],
    lambda a, v: coordinators(a, 201),
))
case("initiatives.get_initiative", "GET")((
    lambda a, o: [(hood, f"/api/v1/initiatives/{fresh_initiative(o, hood)}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: signed_in(a, own_hood(a, v, 200)),
))
case("initiatives.put_note", "PUT")((
    lambda a, o: [(hood, f"/api/v1/initiatives/{fresh_initiative(o, hood)}/notes/{uuid.uuid4()}",
                   {"json": {"at": "2026-01-06T10:00:00+01:00", "text": "Date fixed"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: initiative_note(a, v, 201),
))
case("initiative_pages.index", "GET")((lambda a, o: [("-", "/initiatives/", {})], lambda a, v: desk_page(a, 200)))
case("initiative_pages.initiative", "GET")((
    lambda a, o: [(hood, f"/initiatives/{fresh_initiative(o, hood)}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, own_hood(a, v, 200)),
))
case("initiative_pages.add_note", "POST")((
    lambda a, o: [(hood, f"/initiatives/{fresh_initiative(o, hood)}/notes", {"data": {"text": "Date fixed"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, initiative_note(a, v, 302)),
))
case("initiative_pages.new", "GET")((
    lambda a, o: [("-", "/initiatives/new", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("initiative_pages.create_initiative", "POST")((
    lambda a, o: [("-", "/initiatives/new", {"data": {
        "title": "Klusdag", "partners": ["eas", "present"], "owner_partner": "eas",
        "owner": "vol" if a.hood == "Smitsveen" else "outsider", "start_date": "2026-01-10"}})],
    lambda a, v: coordinators(a, 302, stranger=302),
))
case("initiative_pages.session_overview", "GET")((
    lambda a, o: [("-", "/initiatives/overview", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("initiative_pages.session_overview_csv", "GET")((
    lambda a, o: [("-", "/initiatives/overview.csv", {})], lambda a, v: coordinators(a, 200, stranger=302)))

# The phone app's shell (issue 3): the same bytes for everyone, no personal data; its data comes
# through the API above with a bearer token.
case("field.root", "GET")((lambda a, o: [("-", "/", {})], lambda a, v: 302))
for _endpoint, _path in (("field.home", "/field/"), ("field.login", "/field/login"), ("field.form", "/field/forms/klus"),
                         ("field.card", "/field/card"), ("field.strings", "/field/i18n/ti.json"),
                         ("field.followups", "/field/followups"), ("field.appointment", "/field/appointment"),
                         ("field.revisits", "/field/revisits"), ("field.meetings", "/field/meetings"),
                         ("field.codes", "/field/codes.json")):
    case(_endpoint, "GET")((lambda a, o, _path=_path: [("-", _path, {})], lambda a, v: 200))

# The installable app (issue 4): service worker, manifest and the outbox's strings, public like the shell.
for _endpoint, _path in (("offline.service_worker", "/sw.js"), ("offline.manifest", "/manifest.webmanifest"),
                         ("offline.strings", "/offline/i18n/so.json")):
    case(_endpoint, "GET")((lambda a, o, _path=_path: [("-", _path, {})], lambda a, v: 200))

# Meetings (issue 16): every signed-in user reads their neighbourhoods' meetings (a volunteer
# picks one to record sign-ups at); coordinators and admins plan and report them, partner
# volunteers and taalcoaches do not (a meeting is the neighbourhood's; its head counts enter the
# coordinators' figures). Another neighbourhood's meeting does not exist for them (422 on the
# neighbourhood when planning, 404 when reporting).
def meeting_body(o: Objects, hood: str) -> dict:
    return {"type": "energy_party", "starts_at": "2026-01-05T19:00:00+01:00", "place": "Smitshof",
            "neighbourhood_id": o.hood_ids[hood], "streets": [o.streets[hood]]}


def fresh_meeting(o: Objects, hood: str) -> str:
    planner = o.planners[hood]
    mid = str(uuid.uuid4())
    response = planner.client.put(f"/api/v1/meetings/{mid}", json=meeting_body(o, hood), headers=planner.headers("/api/"))
    assert response.status_code == 201, response.get_json()
    return mid


case("meetings.get_meetings", "GET")((lambda a, o: [("-", "/api/v1/meetings", {})], lambda a, v: signed_in(a, 200)))
case("meetings.put_meeting", "PUT")((
    lambda a, o: [(hood, f"/api/v1/meetings/{uuid.uuid4()}", {"json": meeting_body(o, hood)})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, 201 if a.hood == v else 422),
))
case("meetings.put_report", "PUT")((
    lambda a, o: [(hood, f"/api/v1/meetings/{fresh_meeting(o, hood)}/report", {"json": {"head_count": 12}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 201)),
))
case("meetings_office.index", "GET")((lambda a, o: [("-", "/meetings/", {})], lambda a, v: desk_page(a, 200)))
case("meetings_office.plan_meeting", "POST")((
    lambda a, o: [(hood, "/meetings/", {"data": {"id": str(uuid.uuid4()), "type": "klusdag", "day": "2026-01-05",
                                                  "time": "10:00", "place": "Smitshof",
                                                  "neighbourhood_id": str(o.hood_ids[hood]),
                                                  "streets": str(o.streets[hood])}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, (302 if a.hood == v else 422) if a.role in ROLES_WITH_ALL_RECORDS else 403),
))
case("meetings_office.meeting", "GET")((
    lambda a, o: [(hood, f"/meetings/{fresh_meeting(o, hood)}", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, own_hood(a, v, 200)),
))
case("meetings_office.report_meeting", "POST")((
    lambda a, o: [(hood, f"/meetings/{fresh_meeting(o, hood)}/report", {"data": {"head_count": "12"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: desk_page(a, own_hood(a, v, 302) if a.role in ROLES_WITH_ALL_RECORDS else 403),
))

# The public neighbourhood page (issue 17): anyone, signed in or not; the energieloket's hours
# are kept by the coordinators (and admins) of the neighbourhood.
SLUGS = {"Smitsveen": "smitsveen", "Elders": "elders"}
case("public.neighbourhood", "GET")((
    lambda a, o: [(hood, f"/buurt/{SLUGS[hood]}", {}) for hood in ("Smitsveen", "Elders")], lambda a, v: 200))
case("public.loket", "GET")((
    lambda a, o: [(hood, f"/buurt/{SLUGS[hood]}/loket", {}) for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 200), stranger=302),
))
case("public.save_loket", "POST")((
    lambda a, o: [(hood, f"/buurt/{SLUGS[hood]}/loket", {"data": {"place": "Smitshof", "opens-0": "10:00",
                                                                   "closes-0": "12:00"}})
                  for hood in ("Smitsveen", "Elders")],
    lambda a, v: coordinators(a, own_hood(a, v, 302), stranger=302),
))

# Translations that the field improves (issue 18): users whose role suggests (taalcoaches and
# admins) and who speak the locale suggest wordings for it; `vol` speaks Tigrinya too, but
# volunteers do not suggest. Only admins review, any admin (the catalogs are the project's, not
# a neighbourhood's). Everyone signed in reads what they may suggest, their own suggestions and
# the shares; the shares' screen is for coordinators and admins.
SPEAK_TIGRINYA = ("vol", "coach", "adm", "adm_e")


def fresh_suggestion(o: Objects) -> str:
    sid = str(uuid.uuid4())
    response = o.suggester.client.put(f"/api/v1/translations/suggestions/{sid}",
                                      json={"locale": "ti", "msgid": "Send now", "forms": ["ሕጂ ስደድ"]},
                                      headers=o.suggester.headers("/api/"))
    assert response.status_code == 201, response.get_json()
    return sid


case("translations.get_rights", "GET")((
    lambda a, o: [("-", "/api/v1/translations/me", {})], lambda a, v: signed_in(a, 200)))
case("translations.put_suggestion", "PUT")((
    lambda a, o: [("-", f"/api/v1/translations/suggestions/{uuid.uuid4()}",
                   {"json": {"locale": "ti", "msgid": "Not found.", "forms": ["ኣይተረኽበን"]}})],
    lambda a, v: signed_in(a, 201 if a.role in ("taalcoach", "admin") and a.name in SPEAK_TIGRINYA else 403),
))
case("translations.get_suggestions", "GET")((
    lambda a, o: [("-", "/api/v1/translations/suggestions", {})], lambda a, v: signed_in(a, 200)))
case("translations.post_review", "POST")((
    lambda a, o: [("-", f"/api/v1/translations/suggestions/{fresh_suggestion(o)}/review", {"json": {"decision": "reject"}})],
    lambda a, v: signed_in(a, 200 if a.role == "admin" else 403),
))
case("translations.get_shares", "GET")((
    lambda a, o: [("-", "/api/v1/translations/shares", {})], lambda a, v: signed_in(a, 200)))
case("translation_pages.index", "GET")((
    lambda a, o: [("-", "/translations/", {})], lambda a, v: coordinators(a, 200, stranger=302)))
case("translation_pages.review_list", "GET")((
    lambda a, o: [("-", "/translations/review", {})], lambda a, v: page(a, 200, admin_only=True)))
case("translation_pages.review_one", "POST")((
    lambda a, o: [("-", f"/translations/review/{fresh_suggestion(o)}", {"data": {"decision": "reject"}})],
    lambda a, v: page(a, 302, admin_only=True),
))

# The objects every actor is tried against: (neighbourhood, owner).
OBJECT_RECORDS = {"rec_vol": ("Smitsveen", "vol"), "rec_coach": ("Smitsveen", "coach"), "rec_out": ("Elders", "outsider")}
OBJECT_USERS = {"member_s": "Smitsveen", "member_e": "Elders"}


def test_every_endpoint_has_an_entry(app):
    routes = {
        (rule.endpoint, method) for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(routes - set(CASES))
    assert not missing, f"endpoints without an authorisation entry in tests/test_authz_matrix.py: {missing}"
    stale = sorted(set(CASES) - routes)
    assert not stale, f"entries for endpoints that no longer exist: {stale}"


def _setup(app, db, world) -> tuple[dict, Objects]:
    from fieldapp.accounts.operations import upsert_user

    for name in ("coord_e", "adm_e"):
        role, hood = ROLE_ACTORS[name]
        upsert_user(db, name, PASSWORD, role, "gemeente", [hood])
    from sqlalchemy import select

    from fieldapp.accounts.models import User

    for user in db.scalars(select(User).where(User.username.in_(SPEAK_TIGRINYA))):
        user.spoken_languages = ["nl", "ti"]
    ids = {"member_s": upsert_user(db, "member_s", PASSWORD, "volunteer", "eas", ["Smitsveen"]).id,
           "member_e": upsert_user(db, "member_e", PASSWORD, "volunteer", "eas", ["Elders"]).id}
    db.commit()
    streets = {"Smitsveen": world.streets["Smitsplein"], "Elders": world.streets["Dorpsstraat"]}
    objects = Objects({"Smitsveen": world.hood_id, "Elders": world.other_hood_id}, streets)
    objects.users = {name: (ids[name], OBJECT_USERS[name]) for name in ids}

    actors = {"anonymous": Actor("anonymous", client=app.test_client())}
    for index, (name, (role, hood)) in enumerate(ROLE_ACTORS.items()):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{index + 1}"
        token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()["token"]
        form = client.get("/login")
        client.post("/login", data={"username": name, "password": PASSWORD,
                                    "csrf_token": csrf_from(form.get_data(as_text=True))})
        actors[name] = Actor(name, role, hood, client, token)
    actors["anonymous"].client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    objects.creators = {"Smitsveen": actors["vol"], "Elders": actors["outsider"]}
    objects.planners = {"Smitsveen": actors["coord"], "Elders": actors["coord_e"]}
    objects.initiative_makers = {"Smitsveen": actors["coord"], "Elders": actors["coord_e"]}
    objects.suggester = actors["coach"]
    for name, (hood, owner) in OBJECT_RECORDS.items():
        rid = uuid.uuid4()
        response = actors[owner].client.put(f"/api/v1/records/{rid}", json=record_body(streets[hood]),
                                            headers=actors[owner].headers("/api/"))
        assert response.status_code == 201, response.get_json()
        objects.records[name] = (rid, hood, owner)
    return actors, objects


def _call(actor: Actor, method: str, path: str, kwargs: dict):
    kwargs = dict(kwargs)
    if "data" in kwargs:
        # Pages are tried with a valid CSRF token: this matrix is about who, not about forgery.
        token = csrf_from(actor.client.get("/logout").get_data(as_text=True))
        kwargs["data"] = {**kwargs["data"], "csrf_token": token}
    return actor.client.open(path, method=method, headers=actor.headers(path), **kwargs)


@pytest.mark.slow
def test_authorisation_matrix(app, db, world):
    actors, objects = _setup(app, db, world)
    mismatches = []
    ordered = sorted(CASES.items(), key=lambda item: item[1][2])  # sign-outs last
    for (endpoint, method), (build, expect, _last) in ordered:
        for actor in actors.values():
            for variant, path, kwargs in build(actor, objects):
                response = _call(actor, method, path, kwargs)
                wanted = expect(actor, variant)
                if response.status_code != wanted:
                    mismatches.append(f"{method} {path} ({endpoint}, {variant}) as {actor.name}: "
                                      f"{response.status_code}, expected {wanted}")
                elif response.status_code < 400 and response.request.path != path and endpoint != "static":
                    mismatches.append(f"{method} {path} was routed elsewhere")
    assert not mismatches, "\n".join(mismatches)


def test_record_lists_hold_only_what_the_role_may_see(app, db, world):
    actors, objects = _setup(app, db, world)
    for actor in actors.values():
        if actor.role is None:
            continue
        listed = {r["id"] for r in actor.client.get("/api/v1/records", headers=actor.headers("/api/")).get_json()["records"]}
        for name, (rid, hood, owner) in objects.records.items():
            assert (str(rid) in listed) == sees(actor, hood, owner), (actor.name, name)


def test_street_list_is_own_neighbourhood_only(app, db, world):
    actors, _objects = _setup(app, db, world)
    names = {s["name"] for s in actors["outsider"].client.get(
        "/api/v1/streets", headers=actors["outsider"].headers("/api/")).get_json()["streets"]}
    assert names == {"Dorpsstraat"}
    names = {s["name"] for s in actors["coord"].client.get(
        "/api/v1/streets", headers=actors["coord"].headers("/api/")).get_json()["streets"]}
    assert "Dorpsstraat" not in names and "Smitsplein" in names
