"""Pieces the offline browser tests and bench/outbox_drain.py share.

A real HTTP server that can be stopped and started again on the same port (the phone's "no
signal"), with a switch that commits a PUT and then cuts the connection before any reply (a
lost acknowledgement), and a Chromium with a persistent profile so IndexedDB and the service
worker's caches outlive a closed browser.
"""
from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # Composited in software instead of through an emulated GPU: the same pixels for less CPU,
    # on a two-core machine where the browser tests are bound by it (docs/performance.md).
    "--disable-gpu-compositing",
]
VIEWPORT = {"width": 360, "height": 740}
# The field app is ES modules: a test imports one as the page did, and gets the same instance.
OUTBOX = "/static/js/outbox.js"
SESSION = "/static/js/session.js"


class OneShotHandler(WSGIRequestHandler):
    # HTTP/1.0: a connection per request, so a stopped server really is unreachable (no
    # keep-alive connection lingering in a handler thread after shutdown).
    protocol_version = "HTTP/1.0"

    def log_request(self, *args, **kwargs):  # quiet
        pass


class LiveServer:
    def __init__(self, app, port: int | None = None):
        self.app = app
        self.port = port or free_port()
        self.cut_once: set[str] = set()  # record UUIDs whose first PUT loses its reply
        self.cut_done: set[str] = set()
        self.puts: Counter = Counter()  # PUTs per record UUID that reached the app
        self.put_delay = 0.0  # seconds each record PUT or batch waits first (makes tabs overlap)
        self.sent: Counter = Counter()  # times each record UUID reached the app, by PUT or in a batch
        self.batches: list[list[str]] = []  # the UUIDs of each batch request
        self.cut_next_batch = False  # the next batch commits, then its reply is cut
        self.lock = threading.Lock()
        self.server = None
        self.thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        cut = False
        if method == "PUT" and path.startswith(("/api/v1/records/", "/api/v1/translations/suggestions/")):
            record_id = path.rsplit("/", 1)[-1]
            with self.lock:
                self.puts[record_id] += 1
                self.sent[record_id] += 1
                cut = record_id in self.cut_once and record_id not in self.cut_done
                if cut:
                    self.cut_done.add(record_id)
        elif method == "POST" and path == "/api/v1/records/batch":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            ids = [r.get("id") for r in json.loads(body or b"{}").get("records", [])]
            with self.lock:
                self.batches.append(ids)
                self.sent.update(ids)
                cut, self.cut_next_batch = self.cut_next_batch, False
        if self.put_delay and method in ("PUT", "POST") and path.startswith("/api/v1/records/"):
            time.sleep(self.put_delay)
        if cut:
            return self._commit_then_cut(environ)
        return self.app(environ, start_response)

    def _commit_then_cut(self, environ):
        captured = {}

        def swallow(status, headers, exc_info=None):
            captured["status"] = status
            return lambda data: None

        body = self.app(environ, swallow)
        try:
            b"".join(body)  # the app has committed by the time it returns
        finally:
            if hasattr(body, "close"):
                body.close()
        assert captured["status"][:3] in ("200", "201"), captured
        # Cut the line: the phone sees a network error, never the answer.
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("acknowledgement cut on purpose")

    def start(self) -> "LiveServer":
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True, request_handler=OneShotHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None

    def token(self, username: str, password: str) -> dict:
        request = urllib.request.Request(
            self.url + "/api/v1/auth/token", method="POST",
            data=json.dumps({"username": username, "password": password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_profile(playwright, profile: Path):
    """A Chromium whose profile (IndexedDB, caches, service worker) survives close()."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=VIEWPORT,
        locale="nl-NL", timezone_id="Europe/Amsterdam", service_workers="allow",
    )
    context.set_default_timeout(60000)  # a shared, busy CI machine; the waits are for events, not sleeps
    return context


def sign_in(page, server: LiveServer, username: str, password: str) -> dict:
    """Put a bearer session where session.js keeps it (what the login screen does)."""
    session = server.token(username, password)
    page.evaluate("s => localStorage.setItem('fieldapp.session', JSON.stringify(s))", session)
    return session


def wait_for_worker(page, timeout: float = 60000) -> None:
    """Until the service worker is active and controls this page (the shell is precached).

    A page whose navigation began while the first worker was still activating stays
    uncontrolled (clients.claim() only takes pages that exist); the next load is controlled,
    as it is on the phone, so then the page is loaded once more. The waits are promises in the
    page (no polling, and no eval: the app's CSP holds in the benchmark too).
    """
    try:
        if not page.evaluate(_WORKER_READY, timeout):
            raise TimeoutError(f"no active service worker after {timeout} ms")
        if not page.evaluate("navigator.serviceWorker.controller !== null"):
            page.reload()
            outbox_ready(page)
        if not page.evaluate(_CONTROLLED, timeout):
            raise TimeoutError(f"the page is not controlled after {timeout} ms")
    except Exception as error:  # say why: which precached URL failed, what state the worker is in
        raise AssertionError(f"no service worker in control: {worker_diagnosis(page)}") from error


_WORKER_READY = """ms => Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise(resolve => setTimeout(() => resolve(false), ms)),
])"""
_CONTROLLED = """ms => navigator.serviceWorker.controller !== null || new Promise(resolve => {
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), {once: true});
  setTimeout(() => resolve(navigator.serviceWorker.controller !== null), ms);
})"""


def worker_diagnosis(page) -> dict:
    return page.evaluate("""async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      const state = w => w ? w.state : null;
      const body = await (await fetch('/sw.js', {cache: 'no-store'})).text();
      const urls = JSON.parse(body.match(/FIELDAPP_PRECACHE = (.*);/)[1]);
      const failed = [];
      for (const url of urls) {
        const r = await fetch(url, {cache: 'no-store'});
        if (!r.ok) failed.push(url + ' ' + r.status);
      }
      return {registration: !!reg, active: state(reg && reg.active), installing: state(reg && reg.installing),
              waiting: state(reg && reg.waiting), caches: await caches.keys(), failed_precache: failed};
    }""")


def outbox(page, call: str, arg=None):
    """Evaluate `call`, an expression over the page's `outbox` module and `arg`, awaited."""
    return page.evaluate(f"async (arg) => {{ const outbox = await import('{OUTBOX}'); return await {call}; }}", arg)


def outbox_ready(page) -> None:
    """Until the page's modules have run and the outbox's start-up flush is done."""
    outbox(page, "outbox.ready")


def submit(page, payload: dict) -> dict:
    """What a form does: outbox.submit() under a new UUID."""
    return outbox(page, "outbox.submit(outbox.newUuid(), arg)", payload)


def set_session(page, session: dict | None) -> None:
    """session.js's set(): what the login screen does, announced to the page."""
    page.evaluate(f"async (s) => (await import('{SESSION}')).set(s)", session)


def outbox_counts(page) -> dict:
    return outbox(page, "outbox.counts()")


def outbox_entries(page) -> list[dict]:
    return outbox(page, "outbox.list()")


def not_sent(page) -> int:
    """Entries waiting or on their way (a start-up flush may hold some as "sending" for a moment)."""
    counts = outbox_counts(page)
    return counts["pending"] + counts["sending"]


def retry_now(page) -> None:
    """The signal is back: what the outbox's back-off timer does next, without its wait.

    After a try that got no answer the status bar offers no "Send now" (it could only fail);
    the outbox tries again by itself, on its timer, the "online" event or reopening the app.
    """
    outbox(page, "outbox.flush()")


def open_field(page, server: LiveServer, path: str = "/field/") -> None:
    """Open a field screen and wait until its outbox is ready."""
    page.goto(server.url + path)
    outbox_ready(page)


def prepare_online(page, server: LiveServer, password: str, username: str = "vol") -> dict:
    """First visit with signal: log in, install the worker, keep the street list."""
    page.goto(server.url + "/field/login")
    session = sign_in(page, server, username, password)
    open_field(page, server)
    wait_for_worker(page)
    page.wait_for_function("JSON.parse(localStorage.getItem('fieldapp.streets') || '[]').length >= 3")
    return session
