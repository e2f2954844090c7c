"""What each channel's form asks, in which order, and the defaults that keep a door-step contact short.

The same definitions are rendered into the form templates and sent to the phone in codes.json.
What a form requires and every limit and message its checks use are read from the record
schema (its fields, validators and FIELD_RULES), so the phone and the server never drift apart.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

from marshmallow import validate

from ..codes import (
    APPOINTMENT_PLACES, CLOSING_OUTCOMES, COMMON_LANGUAGES, FOLLOWUP_STATUSES, HANDED_OUT, HEARD_VIA, MEASURES,
    NOT_POSSIBLE, OUTCOMES, OWNERSHIP, REFERRALS, TOPICS,
)
from ..i18n.messages import N_
from ..records.schemas import FIELD_RULES, FUTURE_TOLERANCE, IN_THE_FUTURE, MeasureIn, RecordIn, ReferralIn


# The record field each section answers.
SECTION_FIELDS = {
    "street": "street_id", "house": "house_number", "outcome": "outcome", "language": "language",
    "measures": "measures", "heard_via": "heard_via", "topics": "topics", "referrals": "referrals",
    "partners": "partners", "notes": "notes", "when": "occurred_at", "ownership": "ownership",
    "initiative": "initiative", "meeting": "meeting", "handed_out": "handed_out",
}
# Set to now when the form opens: required by the schema, but never left for the volunteer.
PRESET_SECTIONS = frozenset({"when"})


def required_fields(channel: str) -> frozenset[str]:
    """The record fields every record of `channel` must have: the schema's and its channel rules'."""
    always = {name for name, schema_field in RecordIn().fields.items() if schema_field.required}
    by_rule = {rule.field for rule in FIELD_RULES if rule.need == "required" and rule.holds_for({"channel": channel})}
    return frozenset(always | by_rule)


@dataclass(frozen=True)
class FormDefinition:
    channel: str
    title: str  # msgid
    sections: tuple[str, ...]
    defaults: dict = field(default_factory=dict)
    outcomes: tuple[str, ...] = OUTCOMES.codes

    @cached_property
    def required(self) -> tuple[str, ...]:
        """The sections the volunteer must answer (marked as such), in the form's order."""
        needed = required_fields(self.channel)
        return tuple(s for s in self.sections if s not in PRESET_SECTIONS and SECTION_FIELDS[s] in needed)

    def as_json(self) -> dict:
        data = asdict(self)
        data["sections"] = list(self.sections)
        data["required"] = list(self.required)
        data["outcomes"] = list(self.outcomes)
        return data


# Order matters: the first screenful holds what every contact needs; the rest is below the fold.
_CONTACT = ("street", "house", "outcome", "language")
_FOLLOW_UP = ("topics", "referrals", "partners", "initiative", "ownership", "notes", "when")

FORMS = {
    "rally": FormDefinition(
        "rally", "Bakfietsrally contact",
        _CONTACT + ("handed_out",) + _FOLLOW_UP,
        {},  # no preselected door outcome: one tap, and never a wrong default in the figures
    ),
    "klus": FormDefinition(
        "klus", "Klusactie visit",
        ("street", "house", "measures", "language", "outcome") + _FOLLOW_UP,
        {"outcome": "let_in"},
        ("let_in", "talked", "brief", "not_home", "refused"),
    ),
    "loket": FormDefinition(
        "loket", "Energieloket walk-in",
        ("street", "house", "heard_via", "topics", "language", "handed_out", "referrals", "partners", "initiative",
         "ownership", "notes", "when"),
        {"outcome": "talked"},
        (),
    ),
    "visit": FormDefinition(
        "visit", "Home visit",
        ("street", "house", "language", "outcome") + _FOLLOW_UP,
        {"outcome": "let_in"},
        ("let_in", "talked", "brief", "not_home", "refused"),
    ),
    # A sign-up at a group meeting: like a walk-in, no door outcome (the schema forbids one).
    "event": FormDefinition(
        "event", "Sign-up at a meeting",
        ("meeting", "street", "house", "language", "topics", "referrals", "partners", "initiative", "ownership", "notes",
         "when"),
        {},
        (),
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
    "ownership": N_("The resident takes part"),
    "initiative": N_("Part of a joint initiative"),
    "handed_out": N_("Handed out"),
}
# The measure's choice between installed and a reason why not (the select beside its stepper).
INSTALLED_LABEL = N_("Installed")
NOT_POSSIBLE_LABEL = N_("Not possible because")
# What the volunteer calls a record field the server complains about: the form's words for it.
FIELD_LABELS = {SECTION_FIELDS[section]: label for section, label in SECTION_LABELS.items()} | {
    "house_addition": N_("Addition"),
}


def _validator(schema_field, kind):
    for validator in schema_field.validators:
        if isinstance(validator, kind):
            return validator
    raise LookupError(schema_field)


def _range(schema_field) -> dict:
    validator = _validator(schema_field, validate.Range)
    return {"min": validator.min, "max": validator.max, "message": validator.error}


def _max_length(schema_field) -> dict:
    validator = _validator(schema_field, validate.Length)
    return {"max": validator.max, "message": validator.error}


def validation_rules() -> dict:
    """What the form checks before sending, read from the record schema: its limits, its
    required fields, its rules between fields (FIELD_RULES), each with the server's msgid."""
    record, measure = RecordIn().fields, MeasureIn().fields
    return {
        "house_number": _range(record["house_number"]),
        "house_addition": _max_length(record["house_addition"]),
        "notes": _max_length(record["notes"]),
        "quantity": _range(measure["quantity"]),
        "future": {"tolerance_seconds": int(FUTURE_TOLERANCE.total_seconds()), "message": IN_THE_FUTURE},
        "required": {
            "fields": sorted(name for name, schema_field in record.items() if schema_field.required),
            "message": record["language"].error_messages["required"],
        },
        "field_rules": [asdict(rule) for rule in FIELD_RULES],
        # Where the form words it its own way (the server would say "Missing data for required field.").
        "messages": {
            "street_id": N_("Choose a street."),
            "referrals": N_("Ask whether the resident wants this follow-up."),
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


CODE_LISTS = {"outcome": OUTCOMES, "measure": MEASURES, "topic": TOPICS, "heard_via": HEARD_VIA, "referral": REFERRALS,
              "ownership": OWNERSHIP, "not_possible": NOT_POSSIBLE, "handed_out": HANDED_OUT,
              # the follow-up desk's screens
              "followup_status": FOLLOWUP_STATUSES, "place": APPOINTMENT_PLACES, "closing_outcome": CLOSING_OUTCOMES}
CONVERSATION_LANGUAGES = COMMON_LANGUAGES

# Words the templates pass through variables (extraction cannot see those, so they are marked here).
PAGE_TITLES = {
    "home": N_("Home"), "login": N_("Log in"), "card": N_("Resident card"),
    "followups": N_("My follow-ups"), "appointment": N_("Appointment card"), "revisits": N_("Revisits"),
    "meetings": N_("Sign-ups at a meeting"),
}
CONSENT_CHOICES = {"yes": N_("Yes"), "no": N_("No")}
