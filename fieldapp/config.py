"""Configuration from the environment (FIELDAPP_*), with safe defaults for a laptop demo."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """FIELDAPP_SECRET_KEY, else a key generated once and kept in the instance folder.

    Keeping it on disk means sessions survive a restart and all gunicorn workers agree.
    """
    from_env = os.environ.get("FIELDAPP_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when two workers start at once, only one writes the key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict:
    env = os.environ.get
    database_url = env("FIELDAPP_DATABASE_URL") or f"sqlite:///{instance_path / 'fieldapp.sqlite'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": database_url,
        "TOKEN_HOURS": int(env("FIELDAPP_TOKEN_HOURS", "72")),
        "REFERRAL_DUE_DAYS": int(env("FIELDAPP_REFERRAL_DUE_DAYS", "14")),
        "TIMEZONE": "Europe/Amsterdam",
        "BATCH_LIMIT": 500,
        # 500 records of ~1 KB each fit easily; anything larger is refused with a 413.
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "RETENTION_MONTHS": int(env("FIELDAPP_RETENTION_MONTHS", "24")),
        "TILE_URL": env("FIELDAPP_TILE_URL", ""),
        "TILE_ATTRIBUTION": env("FIELDAPP_TILE_ATTRIBUTION", ""),
        "REDIS_URL": env("FIELDAPP_REDIS_URL", ""),
        # Debian's fonts-noto-core: the Ethiopic web font the field app serves (field/fonts.py).
        "FONT_DIR": env("FIELDAPP_FONT_DIR", "/usr/share/fonts/truetype/noto"),
        # Who may suggest wordings for a locale they speak (fieldapp/translations_review/access.py).
        "SUGGEST_ROLES": tuple(r.strip() for r in env("FIELDAPP_SUGGEST_ROLES", "taalcoach,admin").split(",") if r.strip()),
        # How long a SQLite writer waits for the file's lock before the request is answered 503.
        "SQLITE_BUSY_TIMEOUT_MS": int(env("FIELDAPP_SQLITE_BUSY_MS", "30000")),
        # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json
        "API_TITLE": "fieldapp",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "JSON_SORT_KEYS": False,
    }
