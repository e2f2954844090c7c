"""Strings the outbox's status bar shows, served per language at /offline/i18n/<locale>.json.

The field pages no longer fetch that table: their status bar (static/js/offline/status-bar.js)
translates with i18n.js, whose catalogs hold every msgid, these included.
"""
from ..i18n.messages import N_

CLIENT_MESSAGES = (
    N_("All sent"),
    N_("1 record not sent yet"),
    N_("%(count)d records not sent yet"),
    N_("1 record needs attention"),
    N_("%(count)d records need attention"),
    N_("Sending…"),
    N_("Offline: records are kept on this phone"),
    N_("Log in again to send your records"),
    N_("Log in"),
    N_("Send now"),
    N_("Sending is retried automatically."),
    N_("The server is busy. Your records are kept on this phone and sent later."),
    N_("Show"),
    N_("Hide"),
    N_("Fix"),
    N_("Discard"),
    N_("Discard this record? It is not on the server and will be gone for good."),
    N_("1 record is not sent yet. If you log out now it may be lost. Log out anyway?"),
    N_("%(count)d records are not sent yet. If you log out now they may be lost. Log out anyway?"),
    N_("A new version of the app is ready."),
    N_("Update"),
)

MANIFEST_MESSAGES = (
    N_("fieldapp: energy in the neighbourhood"),
    N_("Record door-step contacts, klusacties and energieloket visits, also with no network."),
)


# The outbox list names each record's channel; the same msgids as fieldapp/codes.py.
CHANNEL_LABELS = (
    N_("Bakfietsrally contact"),
    N_("Klusactie visit"),
    N_("Energieloket walk-in"),
    N_("Home visit"),
)


def client_msgids() -> tuple[str, ...]:
    """Every msgid offline.js may ask for."""
    return CLIENT_MESSAGES + CHANNEL_LABELS
