"""What each channel's form asks, in which order, and the defaults that keep a door-step contact short.

The same definitions are rendered into the form templates and sent to the phone in codes.json,
so the client-side checks and the server's schema never drift apart: the limits are read from
the record schema itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from marshmallow import validate

from ..codes import COMMON_LANGUAGES, HEARD_VIA, MEASURES, OUTCOMES, REFERRALS, TOPICS
from ..i18n.messages import N_
from ..records.schemas import FUTURE_TOLERANCE, MeasureIn, RecordIn, ReferralIn


@dataclass(frozen=True)
class FormDefinition:
    channel: str
    title: str  # msgid
    sections: tuple[str, ...]
    required: tuple[str, ...]
    defaults: dict = field(default_factory=dict)
    outcomes: tuple[str, ...] = OUTCOMES.codes

    def as_json(self) -> dict:
        data = asdict(self)
        data["sections"] = list(self.sections)
        data["required"] = list(self.required)
        data["outcomes"] = list(self.outcomes)
        return data


# Order matters: the first screenful holds what every contact needs; the rest is below the fold.
_CONTACT = ("street", "house", "outcome", "language")
_FOLLOW_UP = ("topics", "referrals", "partners", "notes", "when")

FORMS = {
    "rally": FormDefinition(
        "rally", "Bakfietsrally contact",
        _CONTACT + _FOLLOW_UP + ("ambassador",),
        ("street", "outcome", "language"),
        {},  # no preselected door outcome: one tap, and never a wrong default in the figures
    ),
    "klus": FormDefinition(
        "klus", "Klusactie visit",
        ("street", "house", "measures", "language", "outcome") + _FOLLOW_UP,
        ("street", "language"),
        {"outcome": "let_in"},
        ("let_in", "talked", "brief", "not_home", "refused"),
    ),
    "loket": FormDefinition(
        "loket", "Energieloket walk-in",
        ("street", "house", "heard_via", "topics", "language", "referrals", "partners", "ambassador", "notes", "when"),
        ("street", "heard_via", "language"),
        {"outcome": "talked"},
        (),
    ),
    "visit": FormDefinition(
        "visit", "Home visit",
        ("street", "house", "language", "outcome") + _FOLLOW_UP,
        ("street", "language"),
        {"outcome": "let_in"},
        ("let_in", "talked", "brief", "not_home", "refused"),
    ),
}

# Section headings and hints the forms show (msgids; rendered by gettext and by i18n.js).
SECTION_LABELS = {
    "street": N_("Street"),
    "house": N_("House number"),
    "outcome": N_("How did the door go?"),
    "language": N_("Conversation language"),
    "measures": N_("Measures installed"),
    "heard_via": N_("How did you hear about the energieloket?"),
    "topics": N_("Topics"),
    "referrals": N_("Follow-up"),
    "partners": N_("Partners present"),
    "notes": N_("Notes"),
    "when": N_("When"),
    "ambassador": N_("Ambassador"),
}


def _range(schema_field) -> dict:
    for validator in schema_field.validators:
        if isinstance(validator, validate.Range):
            return {"min": validator.min, "max": validator.max}
    raise LookupError(schema_field)


def _max_length(schema_field) -> int:
    for validator in schema_field.validators:
        if isinstance(validator, validate.Length):
            return validator.max
    raise LookupError(schema_field)


def validation_rules() -> dict:
    """The server's limits, read from the record schema, with the server's own msgids."""
    record, measure = RecordIn().fields, MeasureIn().fields
    return {
        "house_number": _range(record["house_number"]) | {"message": "Give a house number from 1 to 99999."},
        "house_addition": {"max": _max_length(record["house_addition"]), "message": "At most 10 characters.",
                            "needs_number": "An addition needs a house number."},
        "notes": {"max": _max_length(record["notes"]), "message": "At most 500 characters."},
        "quantity": _range(measure["quantity"]) | {"message": "Give a quantity from 1 to 999."},
        "future_tolerance_seconds": int(FUTURE_TOLERANCE.total_seconds()),
        "messages": {
            "required": "Missing data for required field.",
            "outcome": "Choose how the door went.",
            "heard_via": "Ask how the visitor heard of the energieloket.",
            "future": "This time lies in the future.",
            "street": N_("Choose a street."),
            "consent": N_("Ask whether the resident wants this follow-up."),
        },
    }


def accepts_consent_text_version() -> dict:
    """Where the API takes the resident card's text version, if it does (added by the accounts work)."""
    return {
        "record": "consent_text_version" in RecordIn().fields,
        "referral": "consent_text_version" in ReferralIn().fields,
    }


def msgid_of(label) -> str:
    """The English msgid behind a lazy code label: the key the phone translates with."""
    args = getattr(label, "_args", None)
    return args[0] if args else str(label)


CODE_LISTS = {"outcome": OUTCOMES, "measure": MEASURES, "topic": TOPICS, "heard_via": HEARD_VIA, "referral": REFERRALS}
CONVERSATION_LANGUAGES = COMMON_LANGUAGES

# Words the templates pass through variables (extraction cannot see those, so they are marked here).
PAGE_TITLES = {"home": N_("Home"), "login": N_("Log in"), "card": N_("Resident card")}
CONSENT_CHOICES = {"yes": N_("Yes"), "no": N_("No")}
