"""What a client sees when the server fails: one request's failure stays its own, and 503 / 5xx
bodies say what happened with an id, never the internal error or a URI (in-process, no Ray)."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from groupbuy_ml.routing import Plan
from groupbuy_ml.serving.api import LocalBackend, create_api
from groupbuy_ml.serving.errors import ServiceError
from groupbuy_ml.serving.schemas import RecommendRequest
from groupbuy_ml.serving.services import ForecastService, RecommendService, RouteService

SECRET = "postgresql://ml:s3cret@db.internal/mlflow"
ROUTE = {"depot": {"id": "wh", "x": 0, "y": 0, "due_time": 600},
         "stops": [{"id": i, "x": i, "y": 1, "demand": 1, "due_time": 300} for i in (1, 2)],
         "vehicles": {"count": 1, "capacity": 5}, "time_limit_s": 0.2}


def _error_id(body: dict) -> str:
    return body["message"].rsplit(" ", 1)[1]


def test_a_solver_failure_is_a_500_solver_failed_and_no_plan_in_time_a_200(monkeypatch,
                                                                          caplog) -> None:
    import groupbuy_ml.serving.services.route as route_module

    client = TestClient(create_api(LocalBackend(route=RouteService())))

    def failing(*args, **kwargs):
        raise RuntimeError(f"solver lost its license server at {SECRET}")

    monkeypatch.setattr(route_module, "solve", failing)
    with caplog.at_level(logging.ERROR):
        answer = client.post("/v1/route", json=ROUTE)
    assert answer.status_code == 500 and answer.json()["error"] == "solver_failed"
    assert "solver failed" in answer.json()["message"]
    assert "s3cret" not in answer.text and "RuntimeError" not in answer.text
    assert any(_error_id(answer.json()) in r.getMessage() and "s3cret" in r.getMessage()
               for r in caplog.records)  # the cause: in the log, under the body's id

    def nothing_in_time(problem, *args, **kwargs):
        return Plan(problem.name, (), stats={"found": False, "wall_s": 0.2})

    monkeypatch.setattr(route_module, "solve", nothing_in_time)
    answer = client.post("/v1/route", json=ROUTE)
    assert answer.status_code == 200 and answer.json()["found"] is False
    assert {d["stop_id"] for d in answer.json()["dropped"]} == {1, 2}
    assert "time_limit_s" in answer.json()["dropped"][0]["reason"]


class _NeverLoaded:
    """A watcher whose every load failed with an error naming the tracking URI."""

    current, model_name, alias = None, "forecast_market", "champion"
    last_error = f"MlflowException: cannot connect to {SECRET}"


def test_a_503_never_carries_the_load_error() -> None:
    client = TestClient(create_api(LocalBackend(forecast=ForecastService(_NeverLoaded()))))
    answer = client.post("/v1/forecast", json={"series": [{"location_id": 1, "product_id": 1}]})
    assert answer.status_code == 503 and answer.json()["error"] == "model_unavailable"
    assert "s3cret" not in answer.text and "db.internal" not in answer.text
    assert "MlflowException" not in answer.text and "server log" in answer.json()["message"]


class _Holding:
    """A watcher holding one loaded version (no registry)."""

    model_name, alias, last_error = "recommend_test", "champion", None

    def __init__(self, current) -> None:
        self.current = current


class _ScoreFailsFor:
    """The champion recommender, except that scoring a batch holding ``user`` raises."""

    def __init__(self, model, user: int) -> None:
        self.model, self.user = model, user

    def score(self, users):
        if self.user in users.tolist():
            raise RuntimeError(f"embedding shard for user {self.user} at {SECRET} is gone")
        return self.model.score(users)

    def __getattr__(self, name):
        return getattr(self.model, name)


def test_a_failing_recommend_request_fails_alone_in_its_batch(serving_store, caplog) -> None:
    from dataclasses import replace

    from groupbuy_ml.serving.champion import Loaded

    service = RecommendService.from_registry(serving_store.config(), poll=False)
    loaded = service.watcher.current
    broken = RecommendService(_Holding(Loaded(loaded.ref, replace(
        loaded.state, model=_ScoreFailsFor(loaded.state.model, 3)))))
    batch = [RecommendRequest(user_id=u) for u in (1, 3, 2)]
    with caplog.at_level(logging.ERROR):
        answers = broken.answer_batch(batch)
    assert answers[0] == service.handle(batch[0]) and answers[2] == service.handle(batch[2])
    assert isinstance(answers[1], ServiceError) and answers[1].status == 500
    body = answers[1].to_response().model_dump_json()
    assert "s3cret" not in body and "embedding shard" not in body
    assert any(_error_id({"message": answers[1].message}) in r.getMessage() and r.exc_info
               for r in caplog.records)
