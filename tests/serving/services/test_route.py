"""RouteService: plans, drops with reasons, and unsolvable input as a 422 error."""

from __future__ import annotations

import pytest

from groupbuy_ml.serving.errors import UnprocessableError
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


def test_a_solver_crash_or_exception_is_a_422_not_a_dead_server(monkeypatch) -> None:
    import os

    import groupbuy_ml.serving.services.route as route_module

    monkeypatch.setattr(route_module, "solve", lambda *a, **k: os.abort())
    with pytest.raises(UnprocessableError, match="crashed"):
        RouteService().handle(_request())

    def failing(*args, **kwargs):
        raise RuntimeError("CP Solver fail")

    monkeypatch.setattr(route_module, "solve", failing)
    with pytest.raises(UnprocessableError, match="CP Solver fail"):
        RouteService().handle(_request())
    monkeypatch.undo()
    assert RouteService().handle(_request()).found  # the service still works afterwards
