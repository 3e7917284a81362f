"""Planar city coordinates (km from the warehouse) and their latitude / longitude."""

from __future__ import annotations

import numpy as np

CITY_CENTRE = (30.2741, 120.1551)
"""(lat, lon) of the warehouse; planar km offsets are mapped around it."""
KM_PER_DEGREE_LAT = 110.574


def to_lat_lon(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular mapping of km offsets (east, north) to degrees; exact to ~0.1% in a city."""
    lat0, lon0 = CITY_CENTRE
    lat = lat0 + y_km / KM_PER_DEGREE_LAT
    lon = lon0 + x_km / (111.320 * np.cos(np.radians(lat0)))
    return lat, lon


def points_in_disc(rng: np.random.Generator, n: int, radius_km: float) -> np.ndarray:
    """``n`` points uniform over the area of a disc (so they do not bunch at the centre)."""
    r = radius_km * np.sqrt(rng.uniform(0.0, 1.0, n))
    theta = rng.uniform(0.0, 2 * np.pi, n)
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])
