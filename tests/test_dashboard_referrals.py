"""POST /api/v1/referrals/<id>/answer and the follow-up queue screen."""
from __future__ import annotations

import re

PERIOD = "?from=2026-03-01&to=2026-03-31"


def koningsweg(api):
    body = api.get("/api/v1/dashboard/streets" + PERIOD).get_json()
    return {row["name"]: row for row in body["streets"]}["Koningsweg"]


def test_answer_moves_the_figures(dashboard_world, login):
    api = login("coord")
    ref = dashboard_world.referrals["f_overdue"]  # r6 at 2026-03-10 10:00 CET, open and overdue
    response = api.post(f"/api/v1/referrals/{ref}/answer", json={"answered_at": "2026-03-11T10:00:00+01:00"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == ref and body["answered_by"] == "coord"
    assert body["answered_at"].startswith("2026-03-11T09:00:00")
    row = koningsweg(api)
    # open: only r9's; overdue: none; answered after 1.0, 2.0 and 4.04 days -> median 2.0
    assert (row["referrals_open"], row["referrals_overdue"], row["median_response_days"]) == (1, 0, 2.0)


def test_answer_defaults_to_now_and_only_once(dashboard_world, login):
    api = login("coord")
    ref = dashboard_world.referrals["f_open"]
    first = api.post(f"/api/v1/referrals/{ref}/answer", json={})
    assert first.status_code == 200
    assert first.get_json()["answered_at"][:4] >= "2026"
    again = login("adm", "nl").post(f"/api/v1/referrals/{ref}/answer", json={})
    assert again.status_code == 409
    assert again.get_json()["message"]
    assert koningsweg(api)["referrals_open"] == 1  # the first answer stands


def test_who_may_answer_what(dashboard_world, login):
    refs = dashboard_world.referrals
    assert login("vol").post(f"/api/v1/referrals/{refs['f_open']}/answer", json={}).status_code == 403
    assert login("coach").post(f"/api/v1/referrals/{refs['f_open']}/answer", json={}).status_code == 403
    coord = login("coord")
    assert coord.post(f"/api/v1/referrals/{refs['f_elders']}/answer", json={}).status_code == 404
    assert coord.post("/api/v1/referrals/999999/answer", json={}).status_code == 404


def test_bad_answers_are_422(dashboard_world, login):
    refs = dashboard_world.referrals
    api = login("coord", "nl")
    declined = api.post(f"/api/v1/referrals/{refs['f_declined']}/answer", json={})
    assert declined.status_code == 422 and "referral" in declined.get_json()["errors"]
    future = api.post(f"/api/v1/referrals/{refs['f_open']}/answer", json={"answered_at": "2999-01-01T10:00:00+01:00"})
    assert future.status_code == 422 and "answered_at" in future.get_json()["errors"]
    before = api.post(f"/api/v1/referrals/{refs['f_open']}/answer", json={"answered_at": "2026-03-01T10:00:00+01:00"})
    assert before.status_code == 422 and "answered_at" in before.get_json()["errors"]
    naive = api.post(f"/api/v1/referrals/{refs['f_open']}/answer", json={"answered_at": "2026-04-02T10:00:00"})
    assert naive.status_code == 422
    unknown = api.post(f"/api/v1/referrals/{refs['f_open']}/answer", json={"by": "me"})
    assert unknown.status_code == 422
    assert koningsweg(api)["referrals_open"] == 2  # nothing was stored


def session_client(app, user_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = user_id
    return client


def test_followup_queue_oldest_overdue_first(app, dashboard_world):
    users = dashboard_world.world.users
    client = session_client(app, users["coord"])
    page = client.get("/dashboard/followup?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    refs = dashboard_world.referrals
    overdue = html.index(f"/dashboard/followup/{refs['f_overdue']}/answer")
    later = html.index(f"/dashboard/followup/{refs['f_open']}/answer")
    assert overdue < later
    assert f"/dashboard/followup/{refs['f_elders']}/answer" not in html
    assert f"/dashboard/followup/{refs['f_declined']}/answer" not in html
    # The form carries a CSRF token once CSRF protection is switched on app-wide.
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    response = client.post(f"/dashboard/followup/{refs['f_overdue']}/answer",
                           data={"csrf_token": token.group(1)} if token else {})
    assert response.status_code == 302
    html = client.get("/dashboard/followup?lang=en").get_data(as_text=True)
    assert f"/dashboard/followup/{refs['f_overdue']}/answer" not in html
    assert "Marked as answered." in html
    assert session_client(app, users["vol"]).get("/dashboard/followup").status_code == 403
