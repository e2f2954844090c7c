"""Import streets and addresses from a BAG-style CSV.

Header: neighbourhood,street,number,addition,postcode,lat,lon,tenure
Re-importing updates addresses in place (key: street + number + addition), never duplicates.
Records waiting for a new address are linked afterwards by records.operations.link_records.
A street's households are its addresses; its centroid is their mean position.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..codes import TENURES
from .geo import centroid
from .models import Address, Neighbourhood, Street
from .operations import normalise_addition

HEADER = ["neighbourhood", "street", "number", "addition", "postcode", "lat", "lon", "tenure"]
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    streets_created: int = 0
    records_linked: int = 0
    street_ids: set[int] = field(default_factory=set)
    rejected: list[tuple[int, str]] = field(default_factory=list)


class HeaderError(ValueError):
    pass


def _clean_row(row: dict) -> dict:
    """A validated row, or ValueError saying what is wrong with it."""
    hood = (row.get("neighbourhood") or "").strip()
    street = (row.get("street") or "").strip()
    if not hood or not street:
        raise ValueError("neighbourhood and street are required")
    try:
        number = int((row.get("number") or "").strip())
    except ValueError:
        raise ValueError(f"number {row.get('number')!r} is not a whole number") from None
    if not 1 <= number <= 99999:
        raise ValueError(f"number {number} is out of range 1-99999")
    addition = normalise_addition(row.get("addition"))
    if len(addition) > 10:
        raise ValueError(f"addition {addition!r} is longer than 10 characters")
    postcode = (row.get("postcode") or "").strip().upper() or None
    if postcode and not POSTCODE.match(postcode):
        raise ValueError(f"postcode {postcode!r} is not a Dutch postcode")
    postcode = postcode.replace(" ", "") if postcode else None
    lat_text, lon_text = (row.get("lat") or "").strip(), (row.get("lon") or "").strip()
    lat = lon = None
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise ValueError(f"lat/lon {lat_text!r},{lon_text!r} are not numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"lat/lon {lat},{lon} are outside the globe")
    tenure = (row.get("tenure") or "").strip()
    if tenure not in TENURES:
        raise ValueError(f"tenure {tenure!r} is not one of {', '.join(TENURES.codes)}")
    return {"neighbourhood": hood, "street": street, "number": number, "addition": addition,
            "postcode": postcode, "lat": lat, "lon": lon, "tenure": tenure}


def line_through(points: list[tuple[float, float]]) -> dict | None:
    """A rough LineString along the street: the addresses ordered along their longest spread."""
    if len(points) < 2:
        return None
    lat_span = max(p[0] for p in points) - min(p[0] for p in points)
    lon_span = max(p[1] for p in points) - min(p[1] for p in points)
    axis = 0 if lat_span >= lon_span else 1
    ordered = sorted(points, key=lambda p: p[axis])
    step = max(1, len(ordered) // 8)
    picked = ordered[::step] + ([ordered[-1]] if (len(ordered) - 1) % step else [])
    return {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in picked]}


def import_addresses(
    session: Session, stream: TextIO, progress: Callable[[Iterable], Iterable] = lambda rows: rows
) -> ImportReport:
    reader = csv.DictReader(stream)
    if [h.strip().lower() for h in (reader.fieldnames or [])] != HEADER:
        raise HeaderError(f"expected the header {','.join(HEADER)}, got {','.join(reader.fieldnames or [])}")
    report = ImportReport()
    hoods = {h.name: h for h in session.scalars(select(Neighbourhood))}
    streets = {(s.neighbourhood.name, s.name): s for s in session.scalars(select(Street))}
    addresses = {(a.street_id, a.number, a.addition): a for a in session.scalars(select(Address))}
    touched: set[int] = set()
    seen: set[tuple] = set()

    for line_no, raw in progress(enumerate(reader, start=2)):
        try:
            row = _clean_row(raw)
        except ValueError as exc:
            report.rejected.append((line_no, str(exc)))
            continue
        hood = hoods.get(row["neighbourhood"])
        if hood is None:
            hood = hoods[row["neighbourhood"]] = Neighbourhood(name=row["neighbourhood"])
            session.add(hood)
        street = streets.get((hood.name, row["street"]))
        if street is None:
            street = streets[(hood.name, row["street"])] = Street(name=row["street"], neighbourhood=hood, households=0)
            session.add(street)
            session.flush()
            report.streets_created += 1
        key = (street.id, row["number"], row["addition"])
        if key in seen:
            report.rejected.append((line_no, "the same address appears earlier in the file"))
            continue
        seen.add(key)
        values = {k: row[k] for k in ("postcode", "lat", "lon", "tenure")}
        address = addresses.get(key)
        if address is None:
            addresses[key] = Address(street_id=street.id, number=row["number"], addition=row["addition"], **values)
            session.add(addresses[key])
            report.created += 1
        elif any(getattr(address, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(address, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
        touched.add(street.id)

    session.flush()
    refresh_streets(session, touched)
    report.street_ids = touched
    return report


def refresh_streets(session: Session, street_ids: set[int]) -> None:
    """Households = addresses in the register; centroid = their mean; a line if none is known."""
    for street in session.scalars(select(Street).where(Street.id.in_(street_ids))):
        points = [
            (lat, lon)
            for lat, lon in session.execute(
                select(Address.lat, Address.lon).where(Address.street_id == street.id, Address.lat.is_not(None))
            )
        ]
        street.households = session.scalar(select(func.count()).where(Address.street_id == street.id))
        mid = centroid(points)
        if mid:
            street.centroid_lat, street.centroid_lon = round(mid[0], 6), round(mid[1], 6)
        if street.geometry is None:
            street.geometry = line_through(points)

