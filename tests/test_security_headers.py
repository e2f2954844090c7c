"""Security headers on every route of the URL map, signed in or not."""
import uuid

import pytest

CSP_BASE = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
SAMPLE_ARGS = {"record_id": uuid.uuid4(), "event_id": uuid.uuid4(), "neighbourhood_id": 1, "user_id": 1, "filename": "css/app.css", "referral_id": 1, "street_id": 1,
               "channel": "rally", "locale": "nl", "code": "nl", "meeting_id": uuid.uuid4(), "initiative_id": 1,
               "note_id": uuid.uuid4(), "slug": "smitsveen",
               "suggestion_id": uuid.uuid4(), "name": "NotoSansEthiopic-Regular.ttf"}


def every_route(app):
    for rule in app.url_map.iter_rules():
        args = {name: SAMPLE_ARGS[name] for name in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, _build(app, rule, args)


def _build(app, rule, args):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _csp_directives(header: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def check_headers(response, endpoint):
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp.startswith(CSP_BASE), (endpoint, csp)
    directives = _csp_directives(csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["img-src"][:2] == ["'self'", "data:"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http in tests
    cache = response.headers.get("Cache-Control", "")
    if endpoint in ("static", "api-docs.openapi_json", "leaflet.static", "fonts.font"):
        assert "no-store" not in cache
    elif endpoint == "public.neighbourhood":
        # The public neighbourhood page: counts only, the same for everyone, kept a minute.
        assert cache in ("public, max-age=60", "private, max-age=60"), (endpoint, cache)
    elif endpoint.startswith("offline."):
        # The service worker, manifest and outbox strings hold no personal data; the browser
        # must revalidate them (a new worker version) but may keep them.
        assert cache == "no-cache", (endpoint, cache)
    else:
        assert cache == "no-store", (endpoint, cache)


@pytest.mark.parametrize("signed_in", [False, True])
def test_headers_on_every_route(app, world, login, signed_in):
    api = login("coord") if signed_in else None
    client = api.client if api else app.test_client()
    headers = api.headers if api else {}
    seen = set()
    for endpoint, method, path in every_route(app):
        response = client.open(path, method=method, headers=headers, json={} if method != "GET" else None)
        check_headers(response, endpoint)
        seen.add(endpoint)
    assert {"accounts.login", "records.get_records", "static", "admin.users"} <= seen


def test_hsts_only_under_https(app):
    response = app.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_tile_host_allowed_in_img_src(app, database_url, tmp_path, monkeypatch):
    from fieldapp import create_app

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "tiles"))
    tiled = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True,
                        "TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png"})
    csp = tiled.test_client().get("/login").headers["Content-Security-Policy"]
    assert csp.startswith(CSP_BASE)
    assert _csp_directives(csp)["img-src"] == ["'self'", "data:", "https://*.tile.example.org"]
    tiled.extensions["fieldapp.engine"].dispose()


def test_public_page_may_be_cached(app):
    from fieldapp.security import public_page

    @public_page
    def shell():
        return "<!doctype html><title>shell</title>"

    app.add_url_rule("/shell-for-test", "shell_for_test", shell)
    response = app.test_client().get("/shell-for-test")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["Content-Security-Policy"].startswith(CSP_BASE)


def test_service_worker_script_allowed_by_csp(app):
    """A root-scope /sw.js from our own origin: 'self' in worker-src, nothing else needed."""
    csp = _csp_directives(app.test_client().get("/login").headers["Content-Security-Policy"])
    assert csp["worker-src"] == ["'self'"] and csp["default-src"] == ["'self'"]


def test_files_are_served_without_asking_the_database(app, world):
    """A page load asks for some twenty files; with a signed-in session each looked the user up
    (a connection and a query a file). Files are the same for everybody, so none asks now,
    while a page of the same session still finds its user."""
    from conftest import session_client
    from helpers import sent_statements

    client = session_client(app, world.users["coord"])
    with sent_statements(app) as statements:
        for path in ("/static/js/outbox.js", "/static/css/app.css", "/vendor/leaflet/leaflet.js"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert statements == [], (path, statements)
        assert client.get("/dashboard/").status_code == 200
        assert any("users" in statement for statement in statements)
