"""WSGI entry point for gunicorn: `gunicorn -w 4 fieldapp.wsgi:app`."""
from . import create_app

app = create_app()
