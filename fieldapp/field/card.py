"""The resident card: what a volunteer shows at the door, in the resident's language.

The text is versioned. A consent given after reading the card is only meaningful if we know
which words were shown, so any change to CARD_TEXT needs a new CARD_VERSION (a test pins the
text of each version by its digest).
"""
from __future__ import annotations

import hashlib
from datetime import date

from ..i18n.messages import N_

CARD_VERSION = "card-v1"
CARD_DATE = date(2026, 11, 23)  # when this version's text was settled

# (role, msgid): the role picks the markup; the order is the order on the card.
CARD_TEXT = (
    ("title", N_("Hello! We are volunteers from your neighbourhood.")),
    ("point", N_("We are not an energy company. We sell nothing.")),
    ("point", N_("Our help is free and independent.")),
    ("point", N_("We work with the municipality of Soest and local organisations.")),
    ("point", N_("We do not write down your name.")),
    ("heading", N_("What happens next?")),
    ("point", N_("If you want, someone from the project contacts you about your question.")),
    ("point", N_("You can say no at any time. That is fine.")),
    ("question", N_("May we contact you again about this?")),
)
CARD_ANSWERS = {"yes": N_("Yes, contact me"), "no": N_("No, thank you")}


def card_digest() -> str:
    """A fingerprint of the English source text of the card."""
    joined = "\n".join(f"{role}:{msgid}" for role, msgid in CARD_TEXT)
    joined += "\n" + "\n".join(f"{k}:{v}" for k, v in CARD_ANSWERS.items())
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
