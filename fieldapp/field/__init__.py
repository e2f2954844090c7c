"""The field app: a shell of pages without personal data, plus the strings and code lists it needs.

Every page here can be cached by a service worker and works offline; the data itself flows
through the JSON API with a bearer token (see static/js/session.js and static/js/http.js).
"""
