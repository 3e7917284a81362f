"""The benchmark's request bodies are valid requests of the app's own schemas."""

from __future__ import annotations

import random

import pytest
from workload import Catalog, factory_for

from groupbuy_ml.serving.schemas import ForecastRequest, RecommendRequest, RouteRequest

CATALOG = Catalog(
    households=tuple(range(50)),
    series=tuple((p, q) for p in range(12) for q in range(10)),
    pickup_points=tuple({"id": i, "x": float(i), "y": -float(i), "ready_time": 360.0,
                         "due_time": 600.0} for i in range(12)),
    depot={"x": 0.0, "y": 0.0, "ready_time": 300.0, "due_time": 1440.0},
)


def test_forecast_bodies_name_distinct_known_series() -> None:
    method, path, body = factory_for("forecast", CATALOG)(random.Random(1))
    assert (method, path) == ("POST", "/v1/forecast")
    request = ForecastRequest.model_validate(body)
    keys = {(s.location_id, s.product_id) for s in request.series}
    assert len(keys) == 100 and keys <= set(CATALOG.series)


def test_recommend_bodies_are_known_households_with_some_scene_filters() -> None:
    factory = factory_for("recommend", CATALOG)
    rng = random.Random(2)
    requests = [RecommendRequest.model_validate(factory(rng)[2]) for _ in range(200)]
    assert {r.user_id for r in requests} <= set(CATALOG.households)
    filtered = sum(r.scene is not None for r in requests)
    assert 5 <= filtered <= 40  # about one in ten


def test_route_bodies_validate_and_keep_windows() -> None:
    _, path, body = factory_for("route", CATALOG, n_stops=5)(random.Random(3))
    request = RouteRequest.model_validate(body)
    assert path == "/v1/route" and len(request.stops) == 5
    assert all(s.due_time == 600.0 and 20 <= s.demand <= 80 for s in request.stops)


def test_unknown_endpoint_and_too_many_series_are_named() -> None:
    with pytest.raises(ValueError, match="unknown endpoint 'predict'"):
        factory_for("predict", CATALOG)
    with pytest.raises(ValueError, match="n_series=500"):
        factory_for("forecast", CATALOG, n_series=500)(random.Random(0))
