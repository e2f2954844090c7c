"""WSGI entry point for gunicorn: `gunicorn -w 4 fieldapp.wsgi:app`."""
import gc

from . import create_app

app = create_app()
# The objects made at start-up (the app, its schemas, SQLAlchemy's mappers, the catalogs) live as
# long as the worker: leave them out of the garbage collector's full passes, which otherwise scan
# them all again and again while a large batch allocates its many small objects.
gc.freeze()
# A large batch allocates tens of thousands of short-lived containers, nearly all freed by
# reference counting; at the default threshold (700) the young generation is scanned again and
# again over the batch's live objects for nothing (docs/performance.md). Cycles still get
# collected, later.
gc.set_threshold(20_000, 10, 10)
