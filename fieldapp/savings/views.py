"""The coordinator's screen of savings figures and prices."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("savings_pages", __name__, url_prefix="/savings", template_folder="templates")
