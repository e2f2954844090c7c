"""The accept-only shortcut loads exactly what marshmallow loads, for every schema it serves.

For every input, either the shortcut declines (None), or marshmallow accepts the same input
and returns the same value, down to types and UTC offsets. The same properties run for each
schema the app loads through fastload.load_fast_or_full: a record of a batch, a PUT's record
(whose id is optional) and the batch envelope.
"""
from __future__ import annotations

import ast
import copy
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.codes import CHANNELS, COMMON_LANGUAGES, HEARD_VIA, MEASURES, OUTCOMES, OWNERSHIP, REFERRALS, TOPICS
from fieldapp.fastload import accept_only
from fieldapp.records.schemas import BatchEnvelope, BatchRecordIn, RecordIn
from fieldapp.timeutil import utcnow

SCHEMA = BatchRecordIn()
FAST = accept_only(SCHEMA)
FIELDS = list(SCHEMA.load_fields)
# The record schemas, by the request that loads them; both share FIELDS.
RECORD_SCHEMAS = {"batch": SCHEMA, "put": RecordIn()}
SHORTCUTS = {kind: accept_only(schema) for kind, schema in RECORD_SCHEMAS.items()}


def exact(value):
    """A form in which equal means equal types too: 1 is not True, 10:00+01:00 is not 09:00Z."""
    if isinstance(value, dict):
        return "dict", sorted((key, exact(item)) for key, item in value.items())
    if isinstance(value, list):
        return "list", [exact(item) for item in value]
    if isinstance(value, (datetime, date)):
        return type(value).__name__, value.isoformat()
    return type(value).__name__, value


def check(body, kind: str = "batch") -> bool:
    """The property; returns whether the shortcut accepted the body."""
    original = copy.deepcopy(body)
    fast = SHORTCUTS[kind](body)
    assert exact(body) == exact(original), "the shortcut changed its input"
    if fast is None:
        return False
    assert exact(fast) == exact(RECORD_SCHEMAS[kind].load(copy.deepcopy(body)))
    return True


# --- strategies: plain records, then odd values in their fields ------------------------------

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=6),
    st.just(""), st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def spiced(text: st.SearchStrategy) -> st.SearchStrategy:
    """A string and near misses of it: padded, upper case, with a control character, cut short."""
    return text.flatmap(lambda s: st.sampled_from(
        [s, s, f" {s}\n", s.upper(), s + "\x00", s + "\x1f", "\t" + s, s[:-1], "", " "]))


def code(code_list) -> st.SearchStrategy:
    return st.sampled_from(code_list.codes)


uuids = st.uuids().flatmap(lambda u: st.sampled_from(
    [str(u), str(u), str(u).upper(), u.hex, f"{{{u}}}", u.urn, str(u)[:-1], f" {u} ", str(u) + "0"]))
offsets = st.sampled_from([timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30))])
moments = st.datetimes(datetime(1995, 1, 1), datetime(2031, 1, 1), timezones=offsets | st.none()).flatmap(
    lambda at: st.sampled_from([
        at.isoformat(), at.isoformat(), at.isoformat(sep=" ", timespec="minutes"), at.strftime("%Y%m%dT%H%M%S%z"),
        at.isoformat().replace("+00:00", "Z"), at.date().isoformat(), f" {at.isoformat()} ", at.isoformat() + "x",
    ]))
# Well inside the accepted period, so that most plain records are valid.
recent = st.datetimes(datetime(2020, 1, 1), datetime(2025, 12, 31), timezones=offsets).map(datetime.isoformat)
days = st.dates(date(1990, 1, 1), date(2040, 1, 1)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.strftime("%Y%m%d"), d.isoformat() + "T00:00"]))
languages = st.sampled_from([*COMMON_LANGUAGES, "pap", "prs", "TR", " nl ", "xx", "nld", "en_GB"])
partners = st.sampled_from(["eas", "present", "portaal", "acme"]) | st.text(max_size=42)

measure = st.fixed_dictionaries({"code": code(MEASURES)}, optional={"quantity": st.integers(1, 999)})
referral = st.fixed_dictionaries(
    {"code": code(REFERRALS), "consent": st.booleans()},
    optional={"due_date": st.none() | st.dates(date(2024, 1, 1), date(2027, 1, 1)).map(date.isoformat),
              "consent_text_version": st.none() | st.text(max_size=40)},
)


@st.composite
def plain_records(draw, kind: str = "batch") -> dict:
    """Records as the phones send them: JSON types, codes from the code lists, channel rules kept.
    A PUT carries its id in the URL: in the body it may be left out."""
    channel = draw(code(CHANNELS))
    body = {"id": str(draw(st.uuids())), "channel": channel, "street_id": draw(st.integers(1, 2**31 - 1)),
            "occurred_at": draw(recent), "language": draw(languages)}
    if kind == "put" and draw(st.booleans()):
        del body["id"]
    optional = {
        "house_number": st.none() | st.integers(1, 99999),
        "taalcoach_present": st.booleans(),
        "topics": st.lists(code(TOPICS), max_size=len(TOPICS.codes)),
        "referrals": st.lists(referral, max_size=3),
        "partners": st.lists(partners, max_size=4),
        # Older apps send the flag, newer ones the codes; an entry fixed in a newer app may hold both.
        "ambassador": st.booleans(),
        "ownership": st.lists(code(OWNERSHIP), max_size=len(OWNERSHIP.codes)),
        "notes": st.none() | st.text(max_size=500),
        "outcome": code(OUTCOMES),
    }
    if channel == "event":
        del optional["outcome"]  # a sign-up at a meeting has no door outcome
    if channel == "klus":
        optional["measures"] = st.lists(measure, max_size=3, unique_by=lambda m: m["code"])
    if channel == "loket":
        optional["outcome"] = st.none() | code(OUTCOMES)
        body["heard_via"] = draw(code(HEARD_VIA))
    if channel == "rally":
        body["outcome"] = draw(code(OUTCOMES))
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    if body.get("house_number") and draw(st.booleans()):
        body["house_addition"] = draw(st.sampled_from(["a", "-1", " B ", "1-hoog", "", "\tx"]) | st.text(max_size=10))
    return body


def odd_value(key: str) -> st.SearchStrategy:
    specific = {
        "id": uuids,
        "channel": spiced(code(CHANNELS)),
        "street_id": st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63]),
        "house_number": st.sampled_from([0, 1, 99999, 100000, 2**70]),
        "house_addition": spiced(st.text(max_size=11)),
        "occurred_at": moments,
        "language": spiced(languages),
        "outcome": spiced(code(OUTCOMES)),
        "heard_via": spiced(code(HEARD_VIA)),
        "topics": st.lists(spiced(code(TOPICS)) | junk, max_size=12),
        "measures": st.lists(st.fixed_dictionaries(
            {"code": spiced(code(MEASURES)) | junk},
            optional={"quantity": st.integers(-1, 1000) | junk, "extra": junk}) | junk, max_size=10),
        "referrals": st.lists(st.fixed_dictionaries(
            {"code": spiced(code(REFERRALS)) | junk},
            optional={"consent": junk, "due_date": days | junk,
                      "consent_text_version": spiced(st.text(max_size=41)) | junk, "extra": junk}) | junk, max_size=9),
        "partners": st.lists(spiced(partners) | junk, max_size=21),
        "ownership": st.lists(spiced(code(OWNERSHIP)) | junk, max_size=len(OWNERSHIP.codes) + 2) | junk,
        "ambassador": st.sampled_from([0, 1, "true", "false", "yes", None]),
        "notes": spiced(st.text(max_size=501)),
    }
    return specific.get(key, st.nothing()) | junk


@st.composite
def odd_records(draw, kind: str = "batch") -> dict:
    """A plain record with one or two fields changed, removed or added."""
    body = draw(plain_records(kind))
    for _ in range(draw(st.integers(1, 2))):
        key = draw(st.sampled_from([*FIELDS, "resident_name"]))
        if draw(st.integers(0, 3)) == 0:
            body.pop(key, None)
        else:
            body[key] = draw(odd_value(key))
    return body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=5),
    max_leaves=12,
)


def test_the_schema_has_a_shortcut():
    assert FAST is not None
    # RecordIn has the same shape; only the id is optional there.
    assert accept_only(RecordIn()) is not None


def test_every_schema_the_app_loads_through_the_shortcut_is_checked_here():
    """A new load_fast_or_full(SomeSchema()) in the app needs these properties for SomeSchema too."""
    used = set()
    for path in (Path(__file__).resolve().parent.parent / "fieldapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_fast_or_full":
                [argument] = node.args
                used.add(argument.func.id)
    checked = {type(schema).__name__ for schema in RECORD_SCHEMAS.values()} | {type(ENVELOPE).__name__}
    assert used and used <= checked, f"no equivalence test for {sorted(used - checked)}"


@pytest.mark.parametrize("kind", RECORD_SCHEMAS)
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_plain_records_take_the_shortcut_when_marshmallow_accepts_them(kind, data):
    body = data.draw(plain_records(kind), label="body")
    accepted = check(body, kind)
    if not accepted:
        # Declined: then marshmallow must refuse it too (the shortcut covers all plain records).
        try:
            RECORD_SCHEMAS[kind].load(copy.deepcopy(body))
        except Exception:  # noqa: BLE001 - any refusal will do
            return
        raise AssertionError("the shortcut declined a record marshmallow accepts")


@pytest.mark.parametrize("kind", RECORD_SCHEMAS)
@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_odd_bodies_are_declined_or_loaded_as_marshmallow_does(kind, data):
    check(data.draw(odd_records(kind) | json_values, label="body"), kind)


@pytest.mark.parametrize("kind", RECORD_SCHEMAS)
def test_examples_near_the_edges(kind):
    base = {"id": str(uuid.uuid4()), "channel": "rally", "street_id": 1, "occurred_at": "2025-01-05T10:00:00+01:00",
            "language": "tr", "outcome": "talked"}
    soon = (utcnow() + timedelta(minutes=4)).isoformat()
    for changes in [
        {}, {"occurred_at": soon}, {"occurred_at": "2025-01-05T10:00:00"}, {"occurred_at": "2025-01-05"},
        {"occurred_at": "2025-01-05T10:00Z"}, {"occurred_at": "20250105T100000+0100"}, {"occurred_at": "2000-01-01T00:00:00+00:00"}, {"occurred_at": "1999-12-31T23:59:59+00:00"},
        {"language": " TR "}, {"house_number": 1, "house_addition": " -a "}, {"notes": ""}, {"outcome": " "},
        {"channel": "loket", "outcome": "", "heard_via": "flyer"}, {"taalcoach_present": 1}, {"street_id": 1.0},
        {"partners": ["eas", "eas", "balans"]}, {"topics": ["debt", "debt"]}, {"notes": "tab\tand\nnewline"},
        {"referrals": [{"code": "debt_help", "consent": True, "due_date": None, "consent_text_version": None}]},
    ]:
        check({**base, **changes}, kind)
    assert check(base, kind) and check({**base, "occurred_at": soon}, kind) and check({**base, "language": " TR "}, kind)
    without_id = {key: value for key, value in base.items() if key != "id"}
    assert check(without_id, kind) is (kind == "put")


ENVELOPE = BatchEnvelope()
FAST_ENVELOPE = accept_only(ENVELOPE)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values, max_size=502) | json_values)
def test_the_batch_envelope_is_declined_or_loaded_as_marshmallow_does(records):
    """The envelope's list of 1 to 500 records of any JSON value (each is loaded on its own later)."""
    assert FAST_ENVELOPE is not None
    given_ = {"records": records}
    fast = FAST_ENVELOPE(copy.deepcopy(given_))
    try:
        loaded = ENVELOPE.load(copy.deepcopy(given_))
    except Exception:  # noqa: BLE001 - any refusal will do
        assert fast is None, "the shortcut accepted an envelope marshmallow refuses"
        return
    assert fast is not None and exact(fast) == exact(loaded)
