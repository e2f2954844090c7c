"""The server side of offline use: /sw.js, the manifest, the precache version, the outbox strings."""
from __future__ import annotations

import re
import struct

import pytest

from fieldapp.i18n import TRANSLATED
from fieldapp.offline import precache as precache_module
from fieldapp.offline.messages import CLIENT_MESSAGES, client_msgids
from fieldapp.offline.precache import build_precache


def worker_globals(body: str) -> dict:
    import json

    found = dict(re.findall(r"^var (FIELDAPP_\w+) = (.*);$", body, flags=re.M))
    return {name: json.loads(value) for name, value in found.items()}


def test_service_worker_is_served_at_root_uncached(app):
    response = app.test_client().get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    names = worker_globals(body)
    assert re.fullmatch(r"[0-9a-f]{16}", names["FIELDAPP_VERSION"])
    assert names["FIELDAPP_FALLBACK"] == "/field/"
    # The worker's code follows the injected list; it never writes to IndexedDB.
    assert "self.addEventListener(\"install\"" in body
    assert "indexedDB" not in body


def test_every_precached_url_is_served_without_login(app):
    client = app.test_client()
    urls = worker_globals(client.get("/sw.js").get_data(as_text=True))["FIELDAPP_PRECACHE"]
    for own in ("/static/js/shell.js", "/static/js/outbox.js", "/static/js/outbox/db.js", "/static/js/offline/status-bar.js",
                "/static/css/offline.css", "/manifest.webmanifest", "/static/icons/maskable-512.png"):
        assert own in urls
    assert len(urls) == len(set(urls))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_version_is_stable_and_follows_the_precached_bytes(app, tmp_path, monkeypatch):
    first, second = build_precache(app), build_precache(app)
    assert first == second  # every gunicorn worker serves the same bytes

    copy = tmp_path / "static"
    import shutil

    shutil.copytree(precache_module.STATIC_DIR, copy)
    monkeypatch.setattr(precache_module, "STATIC_DIR", copy)
    assert build_precache(app).version == first.version
    outbox = copy / "js" / "outbox" / "send.js"  # a module only imported by others changes too
    outbox.write_text(outbox.read_text() + "\n// a new deploy\n")
    assert build_precache(app).version != first.version


def test_version_follows_dynamic_shell_pages(app):
    before = build_precache(app).version
    app.config["OFFLINE_EXTRA_PRECACHE"] = ["/offline/i18n/ti.json"]
    assert build_precache(app).urls.count("/offline/i18n/ti.json") == 1  # de-duplicated
    app.config["OFFLINE_EXTRA_PRECACHE"] = ["/healthz"]
    assert build_precache(app).version != before


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("language", ["nl", "ti"])
def test_manifest_makes_the_app_installable(app, language):
    client = app.test_client()
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": language})
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/field/"
    assert manifest["display"] == "standalone"
    assert manifest["short_name"] == "fieldapp"
    assert manifest["lang"] == language
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    assert manifest["name"] != "fieldapp: energy in the neighbourhood"  # translated
    purposes = set()
    for icon in manifest["icons"]:
        data = client.get(icon["src"]).get_data()
        width, height = png_size(data)
        assert icon["sizes"] == f"{width}x{height}"
        purposes.add((width, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= purposes


@pytest.mark.parametrize("code", TRANSLATED)
def test_outbox_strings_are_translated(app, code):
    table = app.test_client().get(f"/offline/i18n/{code}.json").get_json()
    assert set(table) == set(client_msgids())
    for msgid, text in table.items():
        # Channel names belong to the code lists (translated with the field forms).
        assert text != msgid or msgid not in CLIENT_MESSAGES, (code, msgid)
        assert re.findall(r"%\(\w+\)[sd]", text) == re.findall(r"%\(\w+\)[sd]", msgid), (code, msgid)


def test_unknown_language_is_404(app):
    assert app.test_client().get("/offline/i18n/xx.json").status_code == 404
    assert app.test_client().get("/offline/i18n/en.json").status_code == 200


def test_icons_generator_draws_the_committed_icons(tmp_path):
    from fieldapp.offline.icons import ICONS, draw, write_icons

    written = write_icons(tmp_path)
    for path in written:
        size, maskable = ICONS[path.name]
        assert png_size(path.read_bytes()) == (size, size)
        assert path.read_bytes() == (precache_module.STATIC_DIR / "icons" / path.name).read_bytes()


def test_a_shell_url_that_fails_is_reported(app, caplog):
    # One failing URL makes the worker's install fail on every phone: say so in the server log.
    app.config["OFFLINE_EXTRA_PRECACHE"] = ["/field/no-such-page"]
    with caplog.at_level("WARNING"):
        build_precache(app)
    assert "/field/no-such-page answers 404" in caplog.text
