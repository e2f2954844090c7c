"""The code lists of DOMAIN.md. Records store codes; screens show the translated labels."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class CodeList:
    name: str
    labels: dict  # code -> lazy translated label, in display order

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def label(self, code: str) -> str:
        return str(self.labels[code])


CHANNELS = CodeList("channel", {
    "rally": _l("Bakfietsrally contact"),
    "klus": _l("Klusactie visit"),
    "loket": _l("Energieloket walk-in"),
    "visit": _l("Home visit"),
    "event": _l("Sign-up at a meeting"),
})

OUTCOMES = CodeList("outcome", {
    "not_home": _l("Not at home"),
    "no_answer_language": _l("Language barrier: come back with a taalcoach"),
    "refused": _l("Refused"),
    "brief": _l("Short contact"),
    "talked": _l("Real conversation"),
    "let_in": _l("Invited inside"),
})

MEASURES = CodeList("measure", {
    "led_bulb": _l("LED bulb"),
    "radiator_foil": _l("Radiator foil"),
    "draught_strip": _l("Draught strip"),
    "door_closer": _l("Door closer"),
    "shower_head": _l("Water-saving shower head"),
    "thermostat_setting": _l("Thermostat setting"),
    "boiler_setting": _l("Boiler setting"),
    "pipe_insulation": _l("Pipe insulation"),
    "other": _l("Other"),
})

# Why a klusactie measure could not be installed (DOMAIN.md "What it saved").
NOT_POSSIBLE = CodeList("not_possible", {
    "not_suitable": _l("Not suitable for this home"),
    "declined": _l("The resident did not want it"),
    "out_of_stock": _l("Out of stock"),
    "other": _l("Other reason"),
})

# What a rally or loket contact may hand out: given, not installed, so never counted as saved.
HANDED_OUT = CodeList("handed_out", {
    "flyer": _l("Flyer"),
    "voucher": _l("Voucher"),
    "led_bulb": _l("LED bulb"),
    "radiator_foil": _l("Radiator foil"),
    "draught_strip": _l("Draught strip"),
    "shower_head": _l("Water-saving shower head"),
    "other": _l("Other"),
})

TOPICS = CodeList("topic", {
    "energy_bill": _l("Energy bill"),
    "saving_tips": _l("Saving tips"),
    "draughts_damp": _l("Draughts and damp"),
    "heating": _l("Heating"),
    "debt": _l("Debts"),
    "energy_supplier": _l("Energy supplier"),
    "subsidy": _l("Subsidy"),
    "insulation": _l("Insulation"),
    "heat_pump": _l("Heat pump"),
    "repairs": _l("Repairs"),
    "other": _l("Other"),
})

HEARD_VIA = CodeList("heard_via", {
    "flyer": _l("Flyer"),
    "neighbour": _l("Neighbour"),
    "rally": _l("Bakfietsrally"),
    "social_worker": _l("Social worker"),
    "portaal_welcome": _l("Portaal welcome talk"),
    "school": _l("School"),
    "religious_community": _l("Mosque or church"),
    "social_media": _l("Social media"),
    "website": _l("Website"),
    "letter": _l("Letter"),
    "event": _l("A meeting or event"),
    "other": _l("Other"),
})

# What a resident did to carry the project (DOMAIN.md part two, "Ownership"). Append only: a
# record's ownership_bits column holds bit 2**i for the i-th code, so the order is stored data.
OWNERSHIP = CodeList("ownership", {
    "brought_neighbour": _l("Brought a neighbour along"),
    "became_volunteer": _l("New volunteer"),
    "hosted": _l("Host of a meeting or klusactie at home"),
    "cooked": _l("Cook for a meeting or klusdag"),
    "language_helper": _l("Interpreter for neighbours"),
    "ambassador": _l("Ambassador"),  # the old flag: came back on their own or brings neighbours
})


def ownership_bits(codes) -> int:
    """The bit mask of ownership codes, so SQL counts them per code without JSON functions."""
    return sum(1 << OWNERSHIP.codes.index(code) for code in set(codes))


REFERRALS = CodeList("referral", {
    "energy_coach": _l("Energy coach"),
    "klusactie": _l("Klusactie"),
    "debt_help": _l("Debt help"),
    "money_questions": _l("Money questions"),
    "municipality_social": _l("Municipality, social team"),
    "portaal_repair": _l("Portaal repair request"),
    "energy_supplier_dispute": _l("Dispute with energy supplier"),
    "other": _l("Other"),
})

TENURES = CodeList("tenure", {
    "social_rent": _l("Social rent"),
    "private_rent": _l("Private rent"),
    "owner": _l("Owner-occupied"),
})

MEETING_TYPES = CodeList("meeting_type", {
    "residents_meeting": _l("Residents' meeting"),
    "energy_party": _l("Energy party"),
    "owners_evening": _l("Owners' evening"),
    "klusdag": _l("Klusdag"),
    "street_party": _l("Street party"),
    "partner_session": _l("Partner session"),
})

ROLES = CodeList("role", {
    "volunteer": _l("Volunteer"),
    "taalcoach": _l("Taalcoach"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
})

# Outcomes that mean nobody was actually met: they never lift an address above "reached".
NO_CONTACT_OUTCOMES = ("not_home", "no_answer_language", "refused")

# The conversation languages offered first on the forms; any ISO 639 language is accepted.
COMMON_LANGUAGES = ("nl", "tr", "ti", "so", "ar", "en")

# The standard partners of DOMAIN.md; `fieldapp init` adds them. More can be added as data.
STANDARD_PARTNERS = {
    "gemeente": "Gemeente Soest",
    "portaal": "Portaal",
    "balans": "Stichting Balans",
    "eas": "Energie Actief Soest",
    "schuldhulpmaatje": "Schuldhulpmaatje Soest",
    "goos": "Geld Op Orde Soest",
    "present": "Stichting Present",
    "vang": "VAnG",
}

# Who answers a referral code unless a neighbourhood's routing table says otherwise (DOMAIN.md).
DEFAULT_ROUTES = {
    "energy_coach": "eas",
    "klusactie": "present",
    "debt_help": "schuldhulpmaatje",
    "money_questions": "goos",
    "energy_supplier_dispute": "goos",
    "portaal_repair": "portaal",
    "municipality_social": "gemeente",
    "other": "gemeente",
}

FOLLOWUP_STATUSES = CodeList("followup_status", {
    "open": _l("Open"),
    "contacted": _l("Contacted"),
    "scheduled": _l("Appointment made"),
    "closed": _l("Closed"),
})

APPOINTMENT_PLACES = CodeList("place", {
    "home": _l("At home"),
    "loket": _l("At the energieloket"),
    "other": _l("Somewhere else"),
})

CLOSING_OUTCOMES = CodeList("closing_outcome", {
    "helped": _l("Helped"),
    "referred_on": _l("Referred on"),
    "unreachable": _l("Unreachable"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
})

# What each standard partner does, in one line a resident reads on the appointment card.
# A partner added later as data has no line until one is written here; the card then shows its name.
PARTNER_ROLES = {
    "gemeente": _l("The municipality: support, benefits and the social team."),
    "portaal": _l("The housing corporation: repairs and questions about your rented home."),
    "balans": _l("Social workers: help with everyday worries."),
    "eas": _l("Energy coaches: free advice on saving energy at home."),
    "schuldhulpmaatje": _l("Volunteers who help with debts, at your home."),
    "goos": _l("Help with money questions and energy bills."),
    "present": _l("Volunteers who do small jobs in your home."),
    "vang": _l("Volunteers who keep the neighbourhood clean."),
}

INITIATIVE_STATUSES = CodeList("initiative_status", {
    "idea": _l("Idea"),
    "running": _l("Running"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
})

# Where a progress note may take an initiative: forward only. Done and dropped are ends; an
# initiative taken up again is a new one (its notes say where it came from).
INITIATIVE_MOVES = {
    "idea": ("running", "dropped"),
    "running": ("done", "dropped"),
    "done": (),
    "dropped": (),
}
