"""The dashboard screens: rendered, translated, address-level data only for coordinators."""
from __future__ import annotations

import uuid
from datetime import timedelta

from conftest import session_client as signed_in_client
from fieldapp.timeutil import utcnow


def as_user(app, user_id):
    return signed_in_client(app, user_id)


def test_dashboard_page(app, dashboard_world):
    users = dashboard_world.world.users
    html = as_user(app, users["coord"]).get("/dashboard/?from=2026-03-01&to=2026-03-31&lang=nl").get_data(as_text=True)
    assert "Bereik en vertrouwen per straat" in html
    assert "Hoe wordt dit geteld?" in html
    assert html.count("<svg") == 3 and 'class="ch-rally"' in html and 'class="step-5"' in html
    assert "7 / 9" in html  # reached / households, the whole neighbourhood
    assert "/api/v1/exports/streets.csv?from=2026-03-01" in html
    assert "<script" not in html and "style=" not in html  # CSP: nothing inline
    sorted_html = as_user(app, users["vol"]).get("/dashboard/?sort=coverage&dir=asc&lang=tr").get_data(as_text=True)
    assert sorted_html.index(">Weegbreestraat<") < sorted_html.index(">Koningsweg<")
    assert "/api/v1/exports/" not in sorted_html  # volunteers get no exports
    stranger = app.test_client().get("/dashboard/")
    assert stranger.status_code == 302 and "/login" in stranger.headers["Location"]
    bad = as_user(app, users["coord"]).get("/dashboard/?from=2026-05-01&to=2026-04-01&lang=nl")
    assert bad.status_code == 200 and "De einddatum ligt voor de begindatum." in bad.get_data(as_text=True)


def test_street_page_addresses_for_coordinators_only(app, dashboard_world, login):
    w = dashboard_world.world
    url = f"/dashboard/streets/{w.streets['Koningsweg']}?from=2026-03-01&to=2026-03-31&lang=en"
    coord = as_user(app, w.users["coord"]).get(url).get_data(as_text=True)
    assert ">10-1<" in coord and "4 · Let in" in coord and "3 · Commitment" in coord
    assert "present" in coord  # the partners of the latest record at 10-1
    vol = as_user(app, w.users["vol"]).get(url)
    assert vol.status_code == 200 and ">10-1<" not in vol.get_data(as_text=True)
    assert as_user(app, w.users["outsider"]).get(url).status_code == 404
    # A visit yesterday: the warning names the partner.
    api = login("coach")
    body = {"channel": "rally", "street_id": w.streets["Koningsweg"], "house_number": 12,
            "occurred_at": (utcnow() - timedelta(days=1)).isoformat(), "language": "ti", "outcome": "talked"}
    assert api.put(f"/api/v1/records/{uuid.uuid4()}", json=body).status_code == 201
    html = as_user(app, w.users["vol"]).get(url).get_data(as_text=True)
    assert "Recently visited" in html and "Stichting Balans: 1 record" in html


def test_map_page_config(app, dashboard_world):
    w = dashboard_world.world
    app.config["TILE_URL"] = ""
    html = as_user(app, w.users["vol"]).get("/dashboard/map?metric=trust_index&lang=so").get_data(as_text=True)
    assert "/vendor/leaflet/leaflet.js" in html and "/static/js/dashboard/map.js" in html
    assert "map-legend" in html and "band-4" in html
    assert "Khariidadda baaxadda" in html
    assert "&#34;tiles&#34;: &#34;&#34;" in html
    assert app.test_client().get("/vendor/leaflet/leaflet.js").status_code == 200
