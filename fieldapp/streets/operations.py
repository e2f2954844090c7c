from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .geo import distance_m
from .models import Neighbourhood, Street


def streets_of(session: Session, neighbourhood_ids: set[int]) -> list[Street]:
    stmt = (
        select(Street)
        .join(Neighbourhood)
        .where(Street.neighbourhood_id.in_(neighbourhood_ids))
        .order_by(Street.name, Street.id)
    )
    return list(session.scalars(stmt))


def street_rows(
    streets: list[Street], near: tuple[float, float] | None = None, name_part: str | None = None, limit: int = 50
) -> list[dict]:
    """Streets as API rows; nearest first when a point is given, else by name."""
    rows = []
    for street in streets:
        if name_part and name_part.casefold() not in street.name.casefold():
            continue
        has_centroid = street.centroid_lat is not None and street.centroid_lon is not None
        rows.append({
            "id": street.id,
            "name": street.name,
            "neighbourhood": street.neighbourhood.name,
            "households": street.households,
            "centroid": {"lat": street.centroid_lat, "lon": street.centroid_lon} if has_centroid else None,
            "distance_m": (
                round(distance_m(near, (street.centroid_lat, street.centroid_lon)), 1)
                if near and has_centroid else None
            ),
        })
    if near:
        # Streets without coordinates go last rather than vanish: they can still be chosen.
        rows.sort(key=lambda r: (r["distance_m"] is None, r["distance_m"] or 0.0, r["name"]))
    return rows[:limit]


def normalise_addition(addition: str | None) -> str:
    """'12-3', '12 a', '12A': the register and the phones must agree on the addition's spelling."""
    return (addition or "").strip().lstrip("-").strip().upper()
