"""What a lower package announces for the packages above it, which it must not import.

records stores and changes records; the dashboard keeps figures derived from them and sits
above records. So records announces what changed, inside the transaction that changed it, and
each listener acts in that same transaction (derived data commits or rolls back with its
source). A package registers its listeners once, when the app is made; registering the same
listener again changes nothing.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

# record_ids: the ids of records this transaction inserted; street_ids: their streets;
# consented_ids: those of them that hold a consented referral (most records hold none);
# consented_since: the earliest Amsterdam day of those records (None when there are none);
# measured_ids: those that list measures (most records list none).
RECORDS_STORED = "records_stored"
# street_ids: streets whose records (or the referrals they hold) were changed in place, or
# loaded around records.operations.store; None: every street.
RECORDS_CHANGED = "records_changed"
# street_ids: streets where something besides the records changed (a referral answered, the
# address register): nothing a per-record count holds, but figures per street move.
STREETS_CHANGED = "streets_changed"

# record_ids: records whose resident withdrew (an erasure): what is promised to them ends.
REFERRALS_WITHDRAWN = "referrals_withdrawn"

# A question rather than an event (ask): which initiatives may a record or a meeting name? facts:
# partner_id (None: any partner, for a meeting of the neighbourhood), neighbourhood_ids,
# initiative_ids; each listener answers {initiative_id: neighbourhood_id} for those of the ids
# that are running, in one of the neighbourhoods and include the partner.
INITIATIVES_OPEN_TO = "initiatives_open_to"
# A question: which initiatives may a meeting of these neighbourhoods name (neighbourhood_ids), or
# which are these (initiative_ids, to show a stored link)? Answers {initiative_id: title}.
INITIATIVE_TITLES = "initiative_titles"

# A question: the estimated yearly savings of the installed measures of these neighbourhoods
# (neighbourhood_ids, first, last: calendar days or None for all time). The package that keeps
# the savings figures answers {"low": euros, "default": euros, "high": euros} a year, or None;
# with nobody listening the public page shows no savings block.
NEIGHBOURHOOD_SAVINGS = "neighbourhood_savings"

# A question: the wordings accepted for a locale since its catalog was compiled (locale: a code;
# the session argument is None: the listener reads on a connection of its own, so a request's
# transaction is never touched). The package that keeps them answers (version, {msgid: (plural,
# [forms])}), version changing whenever the wordings do; i18n lays them over the catalog.
TRANSLATION_OVERRIDES = "translation_overrides"

_listeners: dict[str, list[Callable]] = {}


def listen(event: str, listener: Callable) -> None:
    """Call listener(session, **facts) whenever `event` is announced."""
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def announce(event: str, session: Session, **facts) -> None:
    for listener in _listeners.get(event, ()):
        listener(session, **facts)


def ask(question: str, session: Session, **facts) -> list:
    """Each listener's answer to `question`; none when nobody above listens."""
    return [listener(session, **facts) for listener in _listeners.get(question, ())]
