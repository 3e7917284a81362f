"""RouteService: plans, drops with reasons, input to fix as 422, a solver crash as 500."""

from __future__ import annotations

import logging

import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.serving.errors import SolverFailedError, UnprocessableError
from groupbuy_ml.serving.schemas import RouteRequest
from groupbuy_ml.serving.services import RouteService
from groupbuy_ml.serving.services.route import problem_of


def _request(**change) -> RouteRequest:
    body = {"depot": {"id": "wh", "x": 0, "y": 0, "due_time": 600},
            "stops": [{"id": i, "x": 2 * i, "y": 1, "demand": 10, "due_time": 300,
                       "service_time": 5} for i in range(1, 6)],
            "vehicles": {"count": 3, "capacity": 30}, "time_limit_s": 0.5}
    body.update(change)
    return RouteRequest.model_validate(body)


def test_every_stop_is_served_within_capacity() -> None:
    answer = RouteService.from_registry().handle(_request())
    assert answer.found and answer.feasible and answer.dropped == []
    served = sorted(s for r in answer.routes for s in r.stop_ids)
    assert served == [1, 2, 3, 4, 5]
    assert all(r.load <= 30 for r in answer.routes) and answer.vehicles_used == 2
    assert answer.total_distance == pytest.approx(sum(r.distance for r in answer.routes))


def test_a_stop_too_big_for_any_vehicle_is_dropped_with_the_reason() -> None:
    stops = _request().model_dump()["stops"]
    stops[2]["demand"] = 99
    answer = RouteService().handle(_request(stops=stops))
    assert [d.stop_id for d in answer.dropped] == [3]
    assert "capacity" in answer.dropped[0].reason
    with pytest.raises(UnprocessableError, match="cannot be served") as caught:
        RouteService().handle(_request(stops=stops, allow_drop=False))
    assert caught.value.field == "body.stops"


def test_problem_of_keeps_ids_windows_and_metric() -> None:
    request = _request()
    problem = problem_of(request)
    assert problem.stops["stop_id"].tolist() == ["wh", 1, 2, 3, 4, 5]
    assert problem.stops["due_time"].tolist()[:2] == [600, 300]
    answer = RouteService().handle(request)
    for route in answer.routes:  # service starts inside every stop's window
        for start in route.start:
            assert 0 <= start <= 300
        assert route.end <= 600


def test_a_solver_crash_is_a_500_solver_failed_not_a_dead_server(monkeypatch, caplog) -> None:
    import os

    import groupbuy_ml.serving.services.route as route_module

    monkeypatch.setattr(route_module, "solve", lambda *a, **k: os.abort())
    with pytest.raises(SolverFailedError, match="crashed") as caught:
        RouteService().handle(_request())
    assert caught.value.status == 500 and caught.value.code == "solver_failed"

    def failing(*args, **kwargs):
        raise RuntimeError("CP Solver fail")

    monkeypatch.setattr(route_module, "solve", failing)
    with caplog.at_level(logging.ERROR), pytest.raises(SolverFailedError) as caught:
        RouteService().handle(_request())
    assert "CP Solver fail" not in caught.value.message  # the cause is in the log only
    error_id = caught.value.message.rsplit(" ", 1)[1]
    assert any(error_id in r.getMessage() and "CP Solver fail" in r.getMessage()
               for r in caplog.records)

    def rejects(*args, **kwargs):
        raise ConfigError("time_limit_s must be > 0 seconds; got 0")

    monkeypatch.setattr(route_module, "solve", rejects)
    with pytest.raises(UnprocessableError, match="time_limit_s"):
        RouteService().handle(_request())
    monkeypatch.undo()
    assert RouteService().handle(_request()).found  # the service still works afterwards
