"""Seed a synthetic but realistic Smitsveen (Soest): streets, ~1,860 addresses, partners (with
demo phone numbers), demo users of several partners and roles with the languages they speak,
~3,200 records over two years and the follow-up desk's history of their referrals.
Deterministic and safe to run twice: addresses go through the importer (which updates in place),
records and desk events carry fixed UUIDs and are only made when there are none yet.
"""
from __future__ import annotations

import csv
import io
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Partner, User
from ..accounts.operations import enrol_totp, ensure_standard_partners, upsert_user
from ..codes import OWNERSHIP
from ..db import write_transaction
from ..public.models import LoketHours
from ..records.models import Record
from ..records.operations import IngestContext, store
from ..records.schemas import RecordIn
from ..streets.importer import HEADER, import_addresses
from ..streets.models import Neighbourhood, Street
from ..timeutil import AMSTERDAM, utcnow
from .desk_history import seed_desk_history
from .together import seed_together

NEIGHBOURHOOD = "Smitsveen"
CENTRE = (52.1665, 5.2870)
RECORD_NAMESPACE = uuid.UUID("6f1c2a52-3c55-4c0e-9a7b-5e1d8d1f0a11")
DEMO_USERS = (
    # username, role, partner, the languages they speak
    ("volunteer", "volunteer", "eas", ("nl", "tr")),
    ("coach2", "volunteer", "eas", ("nl", "ar")),
    ("goos", "volunteer", "goos", ("nl",)),
    ("taalcoach", "taalcoach", "balans", ("nl", "ti", "so")),
    ("coordinator", "coordinator", "gemeente", ("nl",)),
    ("admin", "admin", "gemeente", ("nl",)),
)
# Obviously not real numbers: the appointment card prints the partner's.
DEMO_PHONE = "035 609 00 {:02d}"
# (street, house numbers, additions per number): the galerijflats along Koningsweg and around.
FLAT_STREETS = (
    ("Koningsweg", 40, 8), ("Smitsweg", 30, 8), ("Weegbreestraat", 25, 8),
    ("Smitsplein", 20, 6), ("Hondsdrafstraat", 26, 10),
)
HOUSE_STREETS = (
    "Klaverstraat", "Boterbloemstraat", "Zuringstraat", "Duizendbladstraat", "Paardenbloemstraat",
    "Vlasbloemstraat", "Akkerwindestraat", "Madeliefstraat", "Kamillestraat", "Klokjesstraat",
    "Ereprijsstraat", "Ganzerikstraat", "Herderstasjestraat", "Muurbloemstraat", "Veldzuringpad",
    "Brandnetelstraat", "Heermoesstraat", "Wederikstraat", "Zandblauwtjestraat", "Koekoeksbloemstraat",
)
HOUSES_PER_STREET = 36
LANGUAGES = (("nl", 45), ("tr", 20), ("ti", 12), ("so", 10), ("ar", 8), ("en", 5))
CHANNELS = (("rally", 50), ("klus", 20), ("loket", 20), ("visit", 10), ("event", 6))
RALLY_OUTCOMES = (("not_home", 35), ("no_answer_language", 7), ("refused", 8), ("brief", 20), ("talked", 25), ("let_in", 5))


@dataclass
class SeedSummary:
    password: str
    streets: int = 0
    addresses: int = 0
    records_added: int = 0
    records_total: int = 0
    users: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)
    totp_secrets: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [
            f"Synthetic {NEIGHBOURHOOD} (no real residents): {self.streets} streets, {self.addresses} addresses, "
            f"{self.records_total} records ({self.records_added} added now).",
            "Demo logins (password for all: " + self.password + "):",
        ]
        for name, role, partner, languages in self.users:
            secret = self.totp_secrets.get(name)
            lines.append(f"  {name:<12} {role:<12} {partner}" + (f"  TOTP secret: {secret}" if secret else "")
                         + f"  (speaks {', '.join(languages)})")
        if self.totp_secrets:
            lines.append("  (add a TOTP secret to an authenticator app, or: python -c \"import pyotp; "
                         "print(pyotp.TOTP('SECRET').now())\")")
        return "\n".join(lines)


def pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights=weights)[0]


def street_layout(rng: random.Random) -> list[tuple[str, list[tuple[int, str]], tuple, tuple]]:
    """Each street: name, its (number, addition) dwellings, and the two ends of its line."""
    streets = []
    names = [(name, numbers, adds) for name, numbers, adds in FLAT_STREETS]
    names += [(name, HOUSES_PER_STREET, 0) for name in HOUSE_STREETS]
    for index, (name, numbers, additions) in enumerate(names):
        row, col = divmod(index, 5)
        mid_lat = CENTRE[0] + (row - 2) * 0.0022 + rng.uniform(-0.0003, 0.0003)
        mid_lon = CENTRE[1] + (col - 2) * 0.0035 + rng.uniform(-0.0004, 0.0004)
        angle = rng.uniform(0, math.pi)
        half = 0.0009 if additions else 0.0007
        start = (mid_lat - half * math.sin(angle) * 0.6, mid_lon - half * math.cos(angle))
        end = (mid_lat + half * math.sin(angle) * 0.6, mid_lon + half * math.cos(angle))
        dwellings = [
            (number, str(add) if additions else "")
            for number in range(1, numbers + 1)
            for add in (range(1, additions + 1) if additions else [0])
        ]
        streets.append((name, dwellings, start, end, bool(additions)))
    return streets


def address_csv(rng: random.Random) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for s_index, (name, dwellings, start, end, flats) in enumerate(street_layout(rng)):
        numbers = sorted({n for n, _ in dwellings})
        letters = "ABCDEFGHJKLMNPRSTVWXZ"[s_index % 21] + "ABCDEFGHJKLMNPRSTVWXZ"[(s_index * 7) % 21]
        for number, addition in dwellings:
            t = (numbers.index(number) + 0.5) / len(numbers)
            lat = start[0] + (end[0] - start[0]) * t + (0.00004 if number % 2 else -0.00004)
            lon = start[1] + (end[1] - start[1]) * t
            tenure = (
                pick(rng, (("social_rent", 85), ("private_rent", 15))) if flats
                else pick(rng, (("owner", 50), ("social_rent", 35), ("private_rent", 15)))
            )
            writer.writerow([NEIGHBOURHOOD, name, number, addition, f"3766{letters}", f"{lat:.6f}", f"{lon:.6f}", tenure])
    return out.getvalue()


def seed_demo(session: Session, password: str | None = None, records: int = 3200) -> SeedSummary:
    import secrets

    summary = SeedSummary(password=password or secrets.token_urlsafe(9))
    rng = random.Random(2021)
    with write_transaction(session):
        ensure_standard_partners(session)
        session.flush()
        report = import_addresses(session, io.StringIO(address_csv(rng)))
        users = {}
        _give_partners_phones(session)
        for username, role, partner, languages in DEMO_USERS:
            known = session.scalar(select(User).where(User.username == username))
            # Re-set only when they differ: a second run changes nothing.
            speaks = None if known is not None and set(known.spoken_languages) == set(languages) else list(languages)
            users[username] = upsert_user(session, username, summary.password, role, partner, [NEIGHBOURHOOD], speaks)
            summary.users.append((username, role, partner, languages))
            if users[username].needs_second_factor:
                # Kept across runs, so an authenticator app set up once keeps working.
                if not users[username].totp_secret:
                    enrol_totp(session, users[username])
                summary.totp_secrets[username] = users[username].totp_secret
        _open_the_loket(session)
    summary.addresses = report.created + report.updated + report.unchanged
    summary.streets = len(report.street_ids)

    existing = session.scalar(select(func.count()).select_from(Record))
    if not existing:
        summary.records_added = _seed_records(session, rng, users, records)
    # Also for a demo database seeded before the desk existed: its referrals get their history.
    seed_desk_history(session, users, utcnow())
    seed_together(session, users)
    summary.records_total = session.scalar(select(func.count()).select_from(Record))
    return summary


def _open_the_loket(session: Session) -> None:
    """The energieloket's place and hours on the public page; kept as a coordinator left them."""
    hood_id = session.scalar(select(Neighbourhood.id).where(Neighbourhood.name == NEIGHBOURHOOD))
    if session.get(LoketHours, hood_id) is None:
        session.add(LoketHours(neighbourhood_id=hood_id, place="Begane grond van de flat bij Smitshof",
                               hours=[{"weekday": 1, "opens": "10:00", "closes": "12:00"},
                                      {"weekday": 3, "opens": "14:00", "closes": "16:30"}]))


def _seed_records(session: Session, rng: random.Random, users: dict, count: int) -> int:
    streets = list(session.scalars(select(Street).where(Street.neighbourhood.has(name=NEIGHBOURHOOD))))
    dwellings = {s.id: [(a.number, a.addition) for a in s.addresses] for s in streets}
    now = utcnow()
    schema = RecordIn()
    by_user: dict[str, list[dict]] = {"volunteer": [], "taalcoach": []}
    visited: list[tuple[int, int, str]] = []
    for index in range(count):
        username = "taalcoach" if rng.random() < 0.3 else "volunteer"
        language = pick(rng, LANGUAGES)
        channel = pick(rng, CHANNELS)
        street = rng.choice(streets)
        number, addition = rng.choice(dwellings[street.id])
        if channel == "loket" and visited and rng.random() < 0.25:
            street_id, number, addition = rng.choice(visited)
            street = next(s for s in streets if s.id == street_id)
        occurred = now - timedelta(days=rng.uniform(1, 730))
        local = occurred.astimezone(AMSTERDAM).replace(hour=rng.randint(10, 19), minute=rng.randint(0, 59))
        body = {
            "channel": channel,
            "street_id": street.id,
            "occurred_at": local.isoformat(),
            "language": language,
            "taalcoach_present": language != "nl" and (username == "taalcoach" or rng.random() < 0.4),
            "topics": rng.sample(["energy_bill", "saving_tips", "draughts_damp", "heating", "debt", "subsidy"], rng.randint(0, 2)),
        }
        anonymous = rng.random() < (0.2 if channel in ("rally", "loket") else 0.03)
        if not anonymous:
            body["house_number"] = number if rng.random() > 0.01 else number + 500  # a few unknown numbers
            if addition:
                body["house_addition"] = addition
            visited.append((street.id, number, addition))
        if channel == "rally":
            body["outcome"] = pick(rng, RALLY_OUTCOMES)
        elif channel == "loket":
            body["heard_via"] = pick(rng, (("neighbour", 25), ("rally", 20), ("social_worker", 15), ("flyer", 5),
                                           ("portaal_welcome", 10), ("religious_community", 10), ("school", 5), ("event", 5), ("other", 10)))
        elif channel == "klus":
            body["measures"] = [
                {"code": code, "quantity": rng.randint(1, 6) if code == "led_bulb" else 1}
                for code in rng.sample(["led_bulb", "radiator_foil", "draught_strip", "door_closer", "shower_head", "thermostat_setting"], rng.randint(1, 4))
            ]
            body["partners"] = rng.sample(["present", "portaal"], rng.randint(0, 2))
        else:
            body["partners"] = rng.sample(["schuldhulpmaatje", "goos", "balans"], rng.randint(0, 1))
        talked = body.get("outcome") in (None, "talked", "let_in")
        if talked and rng.random() < 0.18:
            body["referrals"] = [{"code": pick(rng, (("energy_coach", 40), ("klusactie", 25), ("debt_help", 15), ("money_questions", 10), ("portaal_repair", 10))),
                                  "consent": rng.random() < 0.85}]
        if rng.random() < 0.015:
            body["ownership"] = rng.sample(OWNERSHIP.codes, rng.randint(1, 2))
        data = schema.load(body)
        data["id"] = uuid.uuid5(RECORD_NAMESPACE, str(index))
        by_user[username].append(data)

    added = 0
    for username, items in by_user.items():
        ctx = IngestContext(session, users[username], due_days=14)
        for start in range(0, len(items), 500):
            with write_transaction(session):
                added += sum(o.status == "created" for o in store(ctx, items[start:start + 500]))
    return added


def _give_partners_phones(session: Session) -> None:
    for index, partner in enumerate(session.scalars(select(Partner).order_by(Partner.code)), start=1):
        if partner.phone is None:
            partner.phone = DEMO_PHONE.format(index)
