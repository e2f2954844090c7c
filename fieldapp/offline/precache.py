"""What the service worker keeps for offline use, and the version that names its cache.

The field pages list their shell (pages, modules, styles, strings) in
fieldapp.field.shell.shell_urls(); the installed app's icons and manifest are added to it.
The version is a hash of every precached response body plus the worker's own source, so any
deploy that changes what a phone would show gets a new worker, a new cache and a clean switch —
and a deploy that changes nothing keeps the phones' caches.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from ..field.blueprint import PRECACHE_HEADER
from ..field.shell import shell_urls

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
WORKER_SOURCE = STATIC_DIR / "sw.js"
FALLBACK_PAGE = "/field/"

# Ours, beside the field pages' shell (which holds every script and style): the installed app.
OWN_URLS = (
    "/static/icons/icon-192.png",
    "/static/icons/icon-512.png",
    "/static/icons/maskable-512.png",
    "/manifest.webmanifest",
)


@dataclass(frozen=True)
class Precache:
    urls: tuple[str, ...]
    version: str
    fallback: str


def precache_urls(app: Flask) -> tuple[str, ...]:
    urls = shell_urls() + list(OWN_URLS) + list(app.config.get("OFFLINE_EXTRA_PRECACHE", ()))
    return tuple(dict.fromkeys(urls))  # de-duplicated, order kept


def _body(app: Flask, client, url: str) -> bytes:
    if url.startswith("/static/") and "?" not in url:
        path = (STATIC_DIR / url.removeprefix("/static/")).resolve()
        if path.is_relative_to(STATIC_DIR) and path.is_file():
            return path.read_bytes()
    # Shell pages carry no personal data and no per-request tokens, so their bytes are stable.
    # Asked as over HTTPS, so an HTTPS-only deployment answers with the page, not a redirect.
    response = client.get(url, headers={"Accept-Language": "nl", PRECACHE_HEADER: "1"},
                          environ_overrides={"wsgi.url_scheme": "https"})
    if response.status_code != 200:
        # The worker's install is all or nothing: this URL would keep every phone from going offline.
        app.logger.warning("offline precache: %s answers %s", url, response.status_code)
    return f"{response.status_code}\n".encode() + response.get_data()


def build_precache(app: Flask) -> Precache:
    with app.test_request_context("/sw.js"):  # shell_urls() builds URLs with url_for
        urls = precache_urls(app)
    digest = hashlib.sha256(WORKER_SOURCE.read_bytes())
    client = app.test_client()
    for url in urls:
        digest.update(url.encode() + b"\0" + hashlib.sha256(_body(app, client, url)).digest())
    return Precache(urls, digest.hexdigest()[:16], FALLBACK_PAGE)


_lock = threading.Lock()


def current_precache(app: Flask) -> Precache:
    """Built once per process (every gunicorn worker computes the same); rebuilt in debug mode."""
    if app.debug:
        return build_precache(app)
    with _lock:
        cached = app.extensions.get("fieldapp.offline.precache")
        if cached is None:
            cached = app.extensions["fieldapp.offline.precache"] = build_precache(app)
        return cached
