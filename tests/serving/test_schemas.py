"""Request schemas: bad input fails with the field named; good input passes unchanged."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from groupbuy_ml.serving.schemas import ForecastRequest, RecommendRequest, RouteRequest

SERIES = [{"location_id": 1, "product_id": 2}]
STOP = {"id": "a", "x": 1.0, "y": 2.0, "demand": 3.0}
ROUTE = {"depot": {"x": 0, "y": 0}, "stops": [STOP], "vehicles": {"count": 1, "capacity": 10}}


def _locations(error: ValidationError) -> list[tuple]:
    return [tuple(e["loc"]) for e in error.errors()]


@pytest.mark.parametrize(("body", "location"), [
    ({"series": []}, ("series",)),
    ({"series": SERIES, "horizon": 0}, ("horizon",)),
    ({"series": SERIES, "horizon": 61}, ("horizon",)),
    ({"series": [{"location_id": -1, "product_id": 2}]}, ("series", 0, "location_id")),
    ({"series": [{"location_id": 1}]}, ("series", 0, "product_id")),
    ({"series": SERIES, "extra": 1}, ("extra",)),
    ({"series": SERIES, "ordering": {"service_level": 1.0}}, ("ordering", "service_level")),
    ({"series": SERIES, "covariates": [{**SERIES[0], "date": "2025-01-01", "price": math.inf}]},
     ("covariates", 0, "price")),
    ({"series": SERIES, "covariates": [{**SERIES[0], "date": "2025-01-01", "promo": 2}]},
     ("covariates", 0, "promo")),
])
def test_forecast_request_names_the_bad_field(body: dict, location: tuple) -> None:
    with pytest.raises(ValidationError) as caught:
        ForecastRequest.model_validate(body)
    assert location in [loc[: len(location)] for loc in _locations(caught.value)]


def test_forecast_request_rejects_repeated_series_and_nan() -> None:
    with pytest.raises(ValidationError, match="repeats"):
        ForecastRequest.model_validate({"series": SERIES + [{"location_id": "1",
                                                             "product_id": "2"}]})
    with pytest.raises(ValidationError):
        ForecastRequest.model_validate({"series": SERIES, "covariates": [
            {**SERIES[0], "date": "2025-01-01", "temperature_c": float("nan")}]})
    ok = ForecastRequest.model_validate({"series": SERIES})
    assert ok.horizon == 7 and ok.ordering.service_level is None


@pytest.mark.parametrize(("body", "location"), [
    ({"user_id": 1, "k": 0}, ("k",)),
    ({"user_id": 1, "k": 101}, ("k",)),
    ({"user_id": -3}, ("user_id",)),
    ({"user_id": 1, "scene": "unicorns"}, ("scene",)),
    ({"user_id": 1, "category": "a b/../c"}, ("category",)),
    ({"profile": {"scenes": ["baby"], "product_ids": [-1]}}, ("profile", "product_ids", 0)),
    ({"profile": {"product_ids": list(range(101))}}, ("profile", "product_ids")),
])
def test_recommend_request_names_the_bad_field(body: dict, location: tuple) -> None:
    with pytest.raises(ValidationError) as caught:
        RecommendRequest.model_validate(body)
    assert location in [loc[: len(location)] for loc in _locations(caught.value)]


def test_recommend_request_needs_someone() -> None:
    with pytest.raises(ValidationError, match="user_id .* or profile"):
        RecommendRequest.model_validate({"k": 3})
    with pytest.raises(ValidationError, match="at least one scene"):
        RecommendRequest.model_validate({"profile": {}})
    assert RecommendRequest.model_validate({"profile": {"scenes": ["pet"]}}).k == 10


@pytest.mark.parametrize(("change", "message"), [
    ({"stops": []}, "at least 1"),
    ({"time_limit_s": 31}, "less than or equal to 30"),
    ({"stops": [{**STOP, "x": None}]}, "both x and y"),
    ({"stops": [{**STOP, "ready_time": 10, "due_time": 5}]}, "before ready_time"),
    ({"stops": [STOP, STOP]}, "unique"),
    ({"metric": "haversine"}, "lat/lon"),
    ({"vehicles": {"count": 0, "capacity": 10}}, "greater than or equal to 1"),
    ({"stops": [{**STOP, "demand": -1}]}, "greater than or equal to 0"),
])
def test_route_request_rejects(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RouteRequest.model_validate({**ROUTE, **change})


def test_route_request_accepts_lat_lon_for_haversine() -> None:
    place = {"lat": 30.2, "lon": 120.1}
    request = RouteRequest.model_validate({
        "depot": place, "stops": [{"id": 7, **place, "demand": 1}], "metric": "haversine",
        "vehicles": {"count": 1, "capacity": 5}})
    assert request.stops[0].id == 7 and request.depot.id == "depot"


@pytest.mark.parametrize(("model", "body", "location"), [
    (ForecastRequest, {"series": SERIES, "horizon": True}, ("horizon",)),
    (ForecastRequest, {"series": SERIES, "horizon": "7"}, ("horizon",)),
    (ForecastRequest, {"series": [{"location_id": True, "product_id": 2}]},
     ("series", 0, "location_id")),
    (RecommendRequest, {"user_id": 1, "k": 2.5}, ("k",)),
    (RouteRequest, {**ROUTE, "time_limit_s": "5"}, ("time_limit_s",)),
    (RouteRequest, {**ROUTE, "vehicles": {"count": True, "capacity": 10}}, ("vehicles", "count")),
])
def test_numbers_are_json_numbers_not_booleans_or_strings(model: type, body: dict,
                                                          location: tuple) -> None:
    """JSON Schema's number excludes true and "5"; pydantic's lax mode would coerce them."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    assert location in [loc[: len(location)] for loc in _locations(caught.value)]


def test_integers_still_pass_where_a_number_is_asked() -> None:
    assert RouteRequest.model_validate({**ROUTE, "time_limit_s": 2}).time_limit_s == 2.0
