"""Distances for the directory's radius search.

Communes carry no coordinates (the vendored Etalab reference has none), services and directory
structures often do. A commune's position is therefore the mean position of the geolocated
services and structures located in it: close to its centre where the directory knows places
there, unknown otherwise — and then the radius search says so instead of guessing.
"""

from math import asin, cos, radians, sin, sqrt

from django.db.models import Avg, Count

EARTH_KM = 6371.0
MAX_RADIUS_KM = 100


class NoPosition(Exception):
    """The directory knows no geolocated place in this commune."""

    def __init__(self, commune):
        super().__init__(
            f"Aucun lieu géolocalisé n'est connu à {commune.name} : la recherche par distance n'y est "
            "pas possible. Cherchez sans distance, ou choisissez une commune voisine."
        )


def origin(commune) -> tuple[float, float] | None:
    """The mean (latitude, longitude) of the directory's geolocated places in `commune`."""
    from .models import DirectoryStructure, Service

    total, lat_sum, lon_sum = 0, 0.0, 0.0
    for model in (Service, DirectoryStructure):
        row = model.objects.filter(
            commune_id=commune.code, latitude__isnull=False, longitude__isnull=False
        ).aggregate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
        if row["n"]:
            total += row["n"]
            lat_sum += row["lat"] * row["n"]
            lon_sum += row["lon"] * row["n"]
    return (lat_sum / total, lon_sum / total) if total else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * EARTH_KM * asin(sqrt(a))


def box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding the circle of `km` around (lat, lon)."""
    dlat = km / 111.2
    dlon = km / (111.2 * max(cos(radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
