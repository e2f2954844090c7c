"""Rendered pages kept in this process, per neighbourhood and language, for a short time.

A flyer can send a thousand residents to the page in an hour; each hit from memory touches no
database at all. Checking the dashboard's street versions would be exact, but costs a query per
hit; the page's figures are all-time totals that move by a few homes a day, so a page up to
PUBLIC_PAGE_SECONDS old (60 by default, FIELDAPP_PUBLIC_PAGE_SECONDS) is as true as a poster.
So the time limit alone decides: dropping pages whenever a record is stored would make the page
recount after every doorstep contact during a busy rally. Only a coordinator's change of the
loket's hours drops the pages of its process at once (the coordinator looks right after).
One thread renders a missing page while the others wait for it: a burst after the time limit
counts once per process, not once per waiting request.
"""
from __future__ import annotations

import os
import threading
import time
import weakref

from flask import current_app

_every_cache: weakref.WeakSet = weakref.WeakSet()


class PageCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.pages: dict[tuple, tuple[float, object]] = {}  # key -> (stored at, page)
        self.rendering = threading.Lock()
        _every_cache.add(self)

    def get(self, key, seconds: float):
        with self.lock:
            hit = self.pages.get(key)
        if hit and time.monotonic() - hit[0] < seconds:
            return hit[1]
        return None

    def get_or_make(self, key, seconds: float, make):
        page = self.get(key, seconds)
        if page is not None:
            return page
        with self.rendering:
            page = self.get(key, seconds)  # made meanwhile by the thread we waited for
            if page is None:
                page = make()
                self.put(key, page)
        return page

    def put(self, key, page) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic(), page)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


def clear() -> None:
    for kept in list(_every_cache):
        kept.clear()


def kept() -> PageCache:
    return current_app.extensions.setdefault("fieldapp.public_pages", PageCache())


def seconds() -> float:
    return float(current_app.config.get("PUBLIC_PAGE_SECONDS", os.environ.get("FIELDAPP_PUBLIC_PAGE_SECONDS", "60")))
