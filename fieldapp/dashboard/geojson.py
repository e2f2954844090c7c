"""Streets as a GeoJSON FeatureCollection with their figures, for the map and its export."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..savings.queries import per_home, savings_per_street
from .queries import S, Scope, street_ids

# Only street-level figures: the map is open to volunteers of the neighbourhood too.
PROPERTIES = (
    "households", "reached", "coverage", "trust_index", "anonymous_contacts", "records",
    "refusals", "koppelkansen", "referrals_open", "referrals_overdue",
)


def _geometry(geometry, lat, lon):
    if isinstance(geometry, dict) and geometry.get("type") and geometry.get("coordinates"):
        return geometry
    if lat is not None and lon is not None:
        return {"type": "Point", "coordinates": [lon, lat]}
    return None


def feature_collection(session: Session, scope: Scope, figures: dict, metric: str) -> dict:
    by_id = {row["street_id"]: row for row in figures["streets"]}
    rows = session.execute(
        select(S.c.id, S.c.name, S.c.geometry, S.c.centroid_lat, S.c.centroid_lon)
        .where(S.c.id.in_(street_ids(scope)))
        .order_by(S.c.name, S.c.id)
    )
    # Only when the map is coloured by them: the other colourings stay served from the cached figures.
    by_savings = metric == "savings_per_home"
    savings = savings_per_street(session, scope.neighbourhood_ids, scope.first, scope.last, scope.street_id) \
        if by_savings else {}
    features = []
    for sid, name, geometry, lat, lon in rows:
        row = by_id.get(sid)
        if row is None:
            continue
        properties = {"street_id": sid, "name": name, **{key: row[key] for key in PROPERTIES}}
        if by_savings:
            # Euros a year per home that got measures, as a range; `value` colours by its default.
            average = per_home(savings[sid]) if sid in savings else None
            properties["savings_per_home"] = average["euros"] if average else None
            properties["homes_with_measures"] = savings[sid]["homes"] if sid in savings else 0
            properties["value"] = average["euros"]["default"] if average else None
        else:
            properties["value"] = row[metric]
        features.append({"type": "Feature", "id": sid, "geometry": _geometry(geometry, lat, lon),
                         "properties": properties})
    return {"type": "FeatureCollection", "metric": metric, "features": features}
