"""The dashboard screens: rendered, translated, address-level data only for coordinators."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from conftest import session_client as signed_in_client
from helpers import catalog_text
from fieldapp.timeutil import utcnow


def as_user(app, user_id):
    return signed_in_client(app, user_id)


def ownership_cells(html: str) -> dict:
    section = html[html.index('id="ownership-h"'):]
    table = section[section.index("<tbody>"):section.index("</tbody>")]
    return {name: re.findall(r"<td>([^<]*)</td>", cells)
            for name, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table)}


def test_dashboard_page(app, dashboard_world):
    users = dashboard_world.world.users
    html = as_user(app, users["coord"]).get("/dashboard/?from=2026-03-01&to=2026-03-31&lang=nl").get_data(as_text=True)
    assert "Bereik en vertrouwen per straat" in html
    assert "Hoe wordt dit geteld?" in html
    # One chart of weeks, one bar per street (ladder) and per language spoken; text outside the SVGs.
    assert html.count('class="chart-svg"') == 1 and html.count('class="bar"') == 3 + 5
    assert 'class="ch-rally"' in html and 'class="step-5"' in html and "<text" not in html
    assert "8 / 9" in html  # reached / households, the whole neighbourhood
    assert 'class="ch-event"' in html  # the sign-ups at meetings in the weekly chart's legend
    # Ownership per code for the whole neighbourhood, addresses and anonymous records:
    # brought_neighbour #2 Smitsplein + r18, language_helper r18, ambassador Weegbreestraat 5.
    assert ownership_cells(html) == {
        catalog_text("nl", label): cells for label, cells in (
            ("Brought a neighbour along", ["1", "1"]), ("New volunteer", ["0", "0"]),
            ("Host of a meeting or klusactie at home", ["0", "0"]), ("Cook for a meeting or klusdag", ["0", "0"]),
            ("Interpreter for neighbours", ["0", "1"]), ("Ambassador", ["1", "0"]))}
    assert '<details class="definitions">' in html  # folded: two screens of text on a phone
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
    assert set(map(tuple, ownership_cells(coord).values())) == {("0", "0")}  # nobody on Koningsweg in March
    smitsplein = as_user(app, w.users["vol"]).get(
        f"/dashboard/streets/{w.streets['Smitsplein']}?from=2026-03-01&to=2026-03-31&lang=en").get_data(as_text=True)
    assert ownership_cells(smitsplein)["Brought a neighbour along"] == ["1", "1"]
    assert ownership_cells(smitsplein)["Interpreter for neighbours"] == ["0", "1"]
    assert ownership_cells(smitsplein)["Ambassador"] == ["0", "0"]
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


# --- issue 13.8: every number through Babel, in the reader's locale --------------------------


@pytest.fixture
def demo(app, demo_db):
    """The synthetic 25-street Smitsveen of `make demo` (1,860 addresses, 3,200 records)."""
    from sqlalchemy import select

    from fieldapp.accounts.models import User

    return {u.username: u.id for u in demo_db.scalars(select(User))}


def _totals(app, user_id) -> dict:
    return as_user(app, user_id).get("/api/v1/dashboard/streets").get_json()["totals"]


def test_dashboard_numbers_in_the_readers_locale(app, demo):
    totals = _totals(app, demo["coordinator"])
    reached, households, trust = totals["reached"], totals["households"], totals["trust_index"]
    assert reached >= 1000 and households >= 1000 and trust != int(trust)  # grouping and decimals show
    share = round(totals["coverage"] * 100)

    def dutch(n):  # written out by hand, not by Babel: what a Dutch reader expects
        return f"{n:,}".replace(",", ".")

    nl = as_user(app, demo["coordinator"]).get("/dashboard/?lang=nl").get_data(as_text=True)
    assert f"{dutch(reached)} / {dutch(households)}" in nl  # 1.078 / 1.860
    assert f">{trust:.1f}<".replace(".", ",") in nl  # 69,7
    assert f"({share}%)" in nl and f"{reached} / {households}" not in nl and f">{trust}<" not in nl
    assert f"{dutch(totals['records'])}</span>" in nl

    tr = as_user(app, demo["coordinator"]).get("/dashboard/?lang=tr").get_data(as_text=True)
    assert f"(%{share})" in tr and f"({share}%)" not in tr  # Turkish puts the sign first
    assert f"{dutch(reached)} / {dutch(households)}" in tr

    # Tigrinya and Somali: CLDR writes 1,078 and 69.7 and 58% for both.
    for code in ("ti", "so"):
        html = as_user(app, demo["coordinator"]).get(f"/dashboard/?lang={code}").get_data(as_text=True)
        assert f"{reached:,} / {households:,}" in html and f">{trust:.1f}<" in html and f"({share}%)" in html


def test_street_page_and_queue_dates_in_the_readers_locale(app, demo, db):
    from sqlalchemy import select

    from fieldapp.streets.models import Street

    koningsweg = db.scalar(select(Street.id).where(Street.name == "Koningsweg"))
    html = as_user(app, demo["coordinator"]).get(f"/dashboard/streets/{koningsweg}?lang=nl").get_data(as_text=True)
    # 320 flats in folded blocks of house numbers, a stairwell never split over two blocks.
    assert html.count('<details class="address-block"') == 8 and "Huisnummer 1–5" in html
    assert ">1-8<" in html and ">6-1<" in html
    queue = as_user(app, demo["coordinator"]).get("/dashboard/followup?lang=nl").get_data(as_text=True)
    months = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
    due = re.findall(r'data-label="Uiterlijk">([^<]+)<', queue)
    assert due and all(re.fullmatch(r"\d{1,2} (%s) \d{4}" % "|".join(months), d) for d in due), due[:3]
    assert len(due) == 15 and 'rel="next"' in queue  # paged: 15 cards a page on a phone (the demo keeps > 15 open)


def test_queue_pages_and_answering_keeps_the_page(app, demo, db):
    from sqlalchemy import func, select

    from conftest import csrf_from
    from fieldapp.followup.models import FollowUp

    # The old queue's address is the desk opening on the open referrals: the demo's desk history
    # answers most of them, so the pages follow from the count rather than a fixed number.
    open_ = db.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.status == "open"))
    pages = -(-open_ // 15)
    assert pages >= 2
    client = as_user(app, demo["coordinator"])
    first = client.get("/dashboard/followup?lang=en").get_data(as_text=True)
    second = client.get("/dashboard/followup?page=2&lang=en").get_data(as_text=True)
    ids = re.findall(r"/dashboard/followup/(\d+)/answer", second)
    assert len(re.findall(r"/dashboard/followup/(\d+)/answer", first)) == 15
    assert len(ids) == min(15, open_ - 15) and not set(ids) & set(re.findall(r"/dashboard/followup/(\d+)/answer", first))
    assert 'rel="prev"' in second
    response = client.post(f"/dashboard/followup/{ids[0]}/answer", data={"csrf_token": csrf_from(second), "page": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/followup?page=2")
    far = client.get("/dashboard/followup?page=999&lang=en").get_data(as_text=True)
    last = -(-(open_ - 1) // 15)  # one fewer open referral now
    # Past the end: the last page (one page needs no pager).
    assert (f"Page {last} of {last}" in far) if last > 1 else 'class="pager"' not in far
