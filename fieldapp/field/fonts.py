"""The web font the field app ships for Tigrinya, served from Debian's fonts-noto-core.

Phones seldom have an Ethiopic font, so the pages declare Noto Sans Ethiopic with a
unicode-range for Ethiopic (static/css/app.css): only a page with Tigrinya on it downloads it.
The file is not kept in this repository: the set-up installs the package (`make fonts`, which
`make demo`, `make test` and `make bench` run), as Leaflet comes from its wheel; config.FONT_DIR
names where. Its licence (SIL OFL 1.1) is in /usr/share/doc/fonts-noto-core/copyright.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

# One face; headings get synthetic bold rather than 340 kB more.
FONTS = ("NotoSansEthiopic-Regular.ttf",)

bp = Blueprint("fonts", __name__)


def check_fonts(font_dir: str) -> None:
    """Stop the app at start when a font is missing: the offline app's install is all or
    nothing, so one missing file would keep every phone from working offline."""
    missing = [name for name in FONTS if not (Path(font_dir) / name).is_file()]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found in {font_dir}: install Debian's fonts-noto-core "
                           "(make fonts) or set FIELDAPP_FONT_DIR to a folder that holds it")


@bp.route("/fonts/<name>")
def font(name: str):
    if name not in FONTS:
        abort(404)
    return send_from_directory(current_app.config["FONT_DIR"], name, mimetype="font/ttf")


def init_app(app) -> None:
    check_fonts(app.config["FONT_DIR"])
    app.register_blueprint(bp)
