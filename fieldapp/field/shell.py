"""Every URL the field app needs to open and work with no network: the offline precache list."""
from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_request_context, url_for

from ..i18n import ACCEPTED
from .fonts import FONTS
from .forms import FORMS

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
STYLES = ("app.css", "offline.css", "desk.css", "suggest.css")


def script_files() -> list[str]:
    """The field app's ES modules under static/js (the office screens' scripts excepted).

    Listed from the folder, so a new module is precached without naming it anywhere: a module
    missing from the worker's cache would break every page that imports it, offline.
    """
    root = STATIC_DIR / "js"
    modules = (p.relative_to(root) for p in root.rglob("*.js"))
    return sorted(m.as_posix() for m in modules if m.parts[0] != "dashboard")


# A static import or re-export of one of our modules by relative path, as our modules write them.
_IMPORT = re.compile(r"""^(?:import|export)\b[^"';]*?["'](\.{1,2}/[^"']+\.js)["']""", re.M)


@lru_cache(maxsize=64)
def imported_modules(*entries: str) -> tuple[str, ...]:
    """Every module the entries import, directly or not, as paths under static/js (entries excepted).

    The layout announces them with <link rel="modulepreload">: without a bundler a browser finds
    a module only when the one importing it has arrived, one round trip per level of imports,
    which a first visit on a slow line (before the worker keeps them) would feel.
    Kept per process: the modules ship with a release, and every field page asked for its
    graph again (reading and resolving some 20 files a page, docs/performance.md).
    """
    root = STATIC_DIR / "js"
    found: dict[str, None] = {}
    todo = list(entries)
    while todo:
        module = todo.pop()
        for spec in _IMPORT.findall((root / module).read_text(encoding="utf-8")):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(module), spec))
            if path.startswith("../"):
                raise ValueError(f"{module} imports {spec}, outside static/js")
            if path not in found and path not in entries:
                found[path] = None
                todo.append(path)
    return tuple(sorted(found))


def shell_urls() -> list[str]:
    """Pages, scripts, styles, fonts, the strings of every locale and the code lists.

    Call it in a request or an app context. The URLs carry no query strings, so a cache keyed
    by URL finds them again.
    """
    if not has_request_context():
        with current_app.test_request_context():
            return _urls()
    return _urls()


def _urls() -> list[str]:
    urls = [
        url_for("field.home"),
        url_for("field.login"),
        url_for("field.card"),
        url_for("field.followups"),
        url_for("field.appointment"),
        url_for("field.revisits"),
        url_for("field.meetings"),
        *(url_for("field.form", channel=channel) for channel in FORMS),
        *(url_for("static", filename=f"css/{name}") for name in STYLES),
        *(url_for("static", filename=f"js/{name}") for name in script_files()),
        *(url_for("fonts.font", name=name) for name in FONTS),
        *(url_for("field.strings", locale=code) for code in ACCEPTED),
        url_for("field.codes"),
    ]
    return list(dict.fromkeys(urls))
