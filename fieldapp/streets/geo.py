"""Distances on the WGS84 ellipsoid (geopy) and street centroids."""
from __future__ import annotations

from geopy.distance import geodesic


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geodesic(a, b).meters


def centroid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The mean of the points: good enough at street scale, where the earth is flat."""
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
