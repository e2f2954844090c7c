"""fieldapp.hooks: a lower package announces, the ones above it listen."""
from __future__ import annotations

from fieldapp import hooks


def test_a_listener_registered_twice_is_called_once(monkeypatch):
    monkeypatch.setattr(hooks, "_listeners", {})
    heard = []

    def listener(session, **facts):
        heard.append((session, facts))

    hooks.listen("something", listener)
    hooks.listen("something", listener)  # a second app made in the same process
    hooks.announce("something", "the session", street_ids=[3])
    hooks.announce("nobody listens", "the session")
    assert heard == [("the session", {"street_ids": [3]})]


def test_the_dashboard_listens_once_the_app_is_made(app):
    from fieldapp.dashboard import tallies

    assert tallies.fold_in in hooks._listeners[hooks.RECORDS_STORED]
    assert tallies.rebuild in hooks._listeners[hooks.RECORDS_CHANGED]
    assert tallies.raise_versions in hooks._listeners[hooks.STREETS_CHANGED]
