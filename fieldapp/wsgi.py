"""WSGI entry point for gunicorn: `gunicorn -w 4 fieldapp.wsgi:app`."""
import gc

from . import create_app

app = create_app()
# The objects made at start-up (the app, its schemas, SQLAlchemy's mappers, the catalogs) live as
# long as the worker: leave them out of the garbage collector's full passes, which otherwise scan
# them all again and again while a large batch allocates its many small objects.
gc.freeze()
