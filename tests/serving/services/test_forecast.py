"""ForecastService on a tiny trained LightGBM champion (no Ray)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import pytest

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.errors import NotFoundError, ServiceError, UnprocessableError
from groupbuy_ml.serving.schemas import ForecastRequest
from groupbuy_ml.serving.services import ForecastService


@pytest.fixture(scope="module")
def service(serving_store) -> ForecastService:
    return ForecastService.from_registry(serving_store.config(), poll=False)


def _request(**fields) -> ForecastRequest:
    fields.setdefault("series", [{"location_id": 0, "product_id": 1},
                                 {"location_id": 2, "product_id": 3}])
    return ForecastRequest.model_validate(fields)


def test_quantiles_and_orders_for_every_series_and_day(service: ForecastService) -> None:
    answer = service.handle(_request(horizon=4))
    assert answer.covariates == "carried_forward"
    assert [(f.location_id, f.product_id) for f in answer.forecasts] == [(0, 1), (2, 3)]
    for series in answer.forecasts:
        assert [p.date for p in series.points] == [
            answer.origin + dt.timedelta(days=d) for d in range(1, 5)]
        for p in series.points:
            assert 0 <= p.p10 <= p.p50 <= p.p90
            assert p.order_units >= 0 and p.order_units == int(p.order_units)
            assert 0 <= p.critical_ratio <= 1
    assert answer.model.version == service.model_ref.version


def test_higher_service_level_orders_more(service: ForecastService) -> None:
    low = service.handle(_request(horizon=3, ordering={"service_level": 0.2}))
    high = service.handle(_request(horizon=3, ordering={"service_level": 0.95}))
    pairs = [(a.order_units, b.order_units) for fa, fb in zip(low.forecasts, high.forecasts,
                                                              strict=True)
             for a, b in zip(fa.points, fb.points, strict=True)]
    assert all(lo <= hi for lo, hi in pairs) and any(lo < hi for lo, hi in pairs)


def test_covariates_from_the_request(service: ForecastService) -> None:
    origin = service.handle(_request(horizon=1)).origin
    day = (origin + dt.timedelta(days=1)).isoformat()
    full = {"price": 5.0, "discount": 0.0, "promo": 0, "is_holiday": False,
            "temperature_c": 20.0, "rain_mm": 0.0}
    rows = [{"location_id": 0, "product_id": 1, "date": day, **full},
            {"location_id": 2, "product_id": 3, "date": day, **full}]
    assert service.handle(_request(horizon=1, covariates=rows)).covariates == "request"
    partial = service.handle(_request(horizon=1, covariates=rows[:1]))
    assert partial.covariates == "carried_forward"


@pytest.mark.parametrize(("fields", "error", "field"), [
    ({"series": [{"location_id": 99, "product_id": 1}]}, NotFoundError,
     "body.series.0.location_id"),
    ({"series": [{"location_id": 0, "product_id": 1}, {"location_id": 0, "product_id": 999}]},
     NotFoundError, "body.series.1.product_id"),
    ({"horizon": 30}, UnprocessableError, "body.horizon"),
    ({"covariates": [{"location_id": 1, "product_id": 1, "date": "2025-02-15"}]},
     UnprocessableError, "body.covariates.0"),
    ({"covariates": [{"location_id": 0, "product_id": 1, "date": "2020-01-01"}]},
     UnprocessableError, "body.covariates.0.date"),
])
def test_bad_requests_name_the_field(service: ForecastService, fields: dict, error: type,
                                     field: str) -> None:
    with pytest.raises(error) as caught:
        service.handle(_request(**fields))
    assert caught.value.field == field
    assert caught.value.to_response().detail[0].field == field


def test_a_batch_answers_like_single_requests(service: ForecastService) -> None:
    a = _request(horizon=2)
    b = _request(horizon=3, series=[{"location_id": 0, "product_id": 1}])  # overlaps a
    c = _request(series=[{"location_id": 1, "product_id": 4}], horizon=2)
    bad = _request(series=[{"location_id": 77, "product_id": 1}])
    day = (service.handle(c).origin + dt.timedelta(days=1)).isoformat()
    own = _request(horizon=2, covariates=[{"location_id": 0, "product_id": 1, "date": day,
                                           "price": 0.5, "promo": 1}])  # overlaps a and b
    batch = [a, b, c, bad, own]
    answers = service.handle_batch(batch)
    assert isinstance(answers[3], NotFoundError)
    for request, answer in zip(batch, answers, strict=True):
        if request is not bad:
            assert answer.forecasts == service.handle(request).forecasts


class _Fixed:
    """A watcher holding one loaded version (no registry)."""

    def __init__(self, current, model_name: str = "forecast_test") -> None:
        self.current, self.model_name, self.alias, self.last_error = current, model_name, \
            "champion", None


class _FailsOnLocation:
    """The champion forecaster, except that a forecast touching ``location`` raises ``error``."""

    def __init__(self, model, location, error: Exception) -> None:
        self.model, self.location, self.error = model, location, error
        self.horizon = model.horizon

    def predict(self, history, future):
        if (future["location_id"] == self.location).any():
            raise self.error
        return self.model.predict(history, future)


@pytest.mark.parametrize(("error", "status"), [
    (RuntimeError("boom at postgresql://ml:s3cret@db/mlflow"), 500),
    (InvalidDataError("future lacks column 'price'"), 422)])
def test_a_failing_request_fails_alone_in_its_batch(service: ForecastService, caplog,
                                                    error: Exception, status: int) -> None:
    loaded = service.watcher.current
    failing = _FailsOnLocation(loaded.state.model, 1, error)
    broken = ForecastService(_Fixed(Loaded(loaded.ref, replace(loaded.state, model=failing))))
    good = _request(horizon=2)
    bad = _request(series=[{"location_id": 1, "product_id": 4}], horizon=2)
    with caplog.at_level(logging.ERROR):
        answers = broken.answer_batch([good, bad, good])
    assert answers[0].forecasts == answers[2].forecasts == service.handle(good).forecasts
    assert isinstance(answers[1], ServiceError) and answers[1].status == status
    body = answers[1].to_response().model_dump_json()
    if status == 500:  # the body says what failed and names the log entry, nothing internal
        assert "s3cret" not in body and "RuntimeError" not in body and "boom" not in body
        error_id = answers[1].message.rsplit(" ", 1)[1]
        assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    else:
        assert "price" in body
