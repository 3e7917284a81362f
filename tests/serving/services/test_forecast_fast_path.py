"""The vectorised forecast path (numpy over a batch, per-version memo) answers exactly as the
per-request pandas path, value for value, on the tiny market's champion."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.schemas import ForecastRequest
from groupbuy_ml.serving.services import ForecastService
from groupbuy_ml.serving.services.forecast_inputs import build_future, carried_future


class _Fixed:
    def __init__(self, current) -> None:
        self.current, self.model_name, self.alias, self.last_error = current, "f", "champion", None


class _Counting:
    """The champion forecaster, counting the series each ``predict`` is asked for."""

    def __init__(self, model) -> None:
        self.model, self.horizon, self.asked = model, model.horizon, []

    def predict(self, history, future):
        self.asked.append(len(future[["location_id", "product_id"]].drop_duplicates()))
        return self.model.predict(history, future)


@pytest.fixture(scope="module")
def reference(serving_store) -> ForecastService:
    return ForecastService.from_registry(serving_store.config(), poll=False)


def _fresh(reference: ForecastService, **options) -> tuple[ForecastService, _Counting]:
    """A service on a fresh copy of the loaded version (its own memo), counting predicts."""
    loaded = reference.watcher.current
    counting = _Counting(loaded.state.model)
    state = replace(loaded.state, model=counting)
    return ForecastService(_Fixed(Loaded(loaded.ref, state)), **options), counting


def _batch(reference: ForecastService) -> list[ForecastRequest]:
    keys = list(reference.watcher.current.state.spans)
    rng = np.random.default_rng(5)
    day = (reference.watcher.current.state.origin + dt.timedelta(days=2)).date().isoformat()

    def series(n):
        return [{"location_id": int(keys[i][0]), "product_id": int(keys[i][1])}
                for i in rng.choice(len(keys), n, replace=False)]

    bodies = [{"series": series(6), "horizon": 7, "ordering": {"service_level": 0.9}},
              {"series": series(5), "horizon": 3},                      # newsvendor orders
              {"series": series(8), "horizon": 5, "ordering": {"holding_rate": 0.3}},
              {"series": series(4), "horizon": 7, "ordering": {"service_level": 0.25}},
              {"series": series(3), "horizon": 2, "covariates": [   # the pandas path
                  {"location_id": int(keys[0][0]), "product_id": int(keys[0][1]),
                   "date": day, "price": 0.5, "promo": 1}]}]
    bodies[4]["series"][0] = {"location_id": int(keys[0][0]), "product_id": int(keys[0][1])}
    return [ForecastRequest.model_validate(b) for b in bodies]


def test_carried_future_is_build_future_without_covariates(reference) -> None:
    state = reference.watcher.current.state
    keys = list(state.spans)[::2]
    fast = carried_future(state, np.array([state.table.position[k] for k in keys]),
                          np.full(len(keys), 5))
    pd.testing.assert_frame_equal(fast, build_future(state, keys, 5, None)[0])


@pytest.mark.parametrize("memo", [False, True])
def test_vectorised_answers_equal_the_per_request_path(reference, memo: bool) -> None:
    batch = _batch(reference)
    slow, _ = _fresh(reference, vectorised=False)
    fast, counting = _fresh(reference, memo=memo)
    expected = [a.model_dump_json() for a in slow.answer_batch(batch)]
    for _ in range(2):  # the second time from the memo when there is one
        assert [a.model_dump_json() for a in fast.answer_batch(batch)] == expected
    assert [fast.handle(r).model_dump_json() for r in batch] == expected
    rendered = fast.answer_batch(batch, render=True)  # what the Serve app sends: the same JSON
    assert [json.loads(body) for body in rendered] == [json.loads(e) for e in expected]
    assert rendered == [e.encode() for e in expected]
    if memo:  # each carried-forward series forecast once; the covariate request every time
        carried = {(s.location_id, s.product_id) for r in batch[:4] for s in r.series}
        assert counting.asked[0] == len(carried) and counting.asked[1:] == [3, 3, 3, 3]


def test_the_http_body_is_the_response_model(reference, serving_store) -> None:
    client = TestClient(create_api(LocalBackend(forecast=reference)))
    request = _batch(reference)[1]
    answer = client.post("/v1/forecast", json=request.model_dump(mode="json"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == json.loads(reference.handle(request).model_dump_json())
