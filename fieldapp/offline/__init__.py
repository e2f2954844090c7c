"""Offline-first: the service worker, the web app manifest and the outbox's strings.

The outbox itself lives in the browser (static/js/outbox.js, IndexedDB); the server's part is
the idempotent PUT /api/v1/records/<uuid> of the records package.
"""
