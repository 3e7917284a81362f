"""RouteService: a delivery plan for a depot, stops and a fleet (CVRPTW, OR-Tools).

No model: the request is the whole problem. It becomes a
:class:`~groupbuy_ml.routing.problem.Problem` (:func:`~groupbuy_ml.routing.from_stops`
validates it) and :func:`~groupbuy_ml.routing.solve` plans it within the request's time limit,
dropping stops no route can take when ``allow_drop`` (each reported with the reason from
:func:`~groupbuy_ml.routing.drop_report`).

The solve runs in a forked child process (as ``routing.ortools_model.guarded_search`` does for
big instances): OR-Tools aborts the whole process on some inputs (a failed internal CHECK, e.g.
a model left with zero vehicles), and a request must never take the server down with it.

What the client gets:

- a plan (200), or ``found: false`` with every stop listed as dropped when the solver found no
  plan within ``time_limit_s`` (200: raise the limit or add vehicles);
- 422 for input the library rejects (a :class:`~groupbuy_ml.errors.UserInputError`, e.g.
  unservable stops with ``allow_drop: false``), naming what to fix;
- 500 ``solver_failed`` when the solver crashed, raised anything else, or was still running
  ``HARD_MARGIN_S`` after its time limit: a bug, not the request's fault. The body holds an
  ``error_id``; the cause (exit code, traceback) is in the server log under it.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from typing import Any

import pandas as pd

from groupbuy_ml.errors import InvalidDataError, UserInputError
from groupbuy_ml.routing import (
    Plan,
    Problem,
    VehicleType,
    drop_report,
    from_stops,
    solve,
)
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import SolverFailedError, UnprocessableError, internal_error
from groupbuy_ml.serving.schemas.route import (
    DroppedStop,
    PlannedRoute,
    RouteRequest,
    RouteResponse,
)

__all__ = ["RouteService", "problem_of"]

BACKEND = "ortools"
HARD_MARGIN_S = 20.0


def problem_of(request: RouteRequest) -> Problem:
    """The routing problem a request describes (row 0 the depot)."""
    places = [request.depot, *request.stops]
    table = pd.DataFrame({
        "stop_id": [p.id for p in places],
        "x": [p.x if p.x is not None else 0.0 for p in places],
        "y": [p.y if p.y is not None else 0.0 for p in places],
        "demand": [0.0, *(s.demand for s in request.stops)],
        "ready_time": [p.ready_time for p in places],
        "due_time": [p.due_time for p in places],
        "service_time": [0.0, *(s.service_time for s in request.stops)],
    })
    if request.metric == "haversine":
        table["lat"] = [p.lat for p in places]
        table["lon"] = [p.lon for p in places]
    fleet = request.vehicles
    vehicles = VehicleType(count=fleet.count, capacity=fleet.capacity,
                           shift_start=fleet.shift_start, shift_end=fleet.shift_end)
    try:
        return from_stops(table, vehicles, name="request", metric=request.metric,
                          speed=request.speed)
    except UserInputError as error:
        raise UnprocessableError(str(error), "body.stops") from error


class RouteService:
    """Answers :class:`RouteRequest` with OR-Tools (guided local search + fleet minimisation)."""

    model_info = {"solver": BACKEND, "problem": "CVRPTW"}

    @classmethod
    def from_registry(cls, config: ServingConfig | None = None, poll: bool = True
                      ) -> RouteService:
        """The same constructor as the model-backed services (routing needs no model)."""
        return cls()

    def handle(self, request: RouteRequest) -> RouteResponse:
        """Plan one request (raises :class:`UnprocessableError` for input to fix,
        :class:`~groupbuy_ml.serving.errors.SolverFailedError` when the solver fails)."""
        problem = problem_of(request)
        plan = solve_isolated(problem, request)
        ids = problem.stops["stop_id"].tolist()
        found = bool(plan.stats.get("found", True))
        if not found:
            dropped = [DroppedStop(stop_id=i, reason="no plan found within time_limit_s; raise "
                                   "it or add vehicles") for i in ids[1:]]
        else:
            report = drop_report(problem, plan)
            dropped = [DroppedStop(stop_id=ids[p], reason=r)
                       for p, r in zip(report["position"], report["reason"], strict=True)]
        routes = [PlannedRoute(
            vehicle=r.vehicle, stop_ids=[ids[s] for s in r.stops],
            arrival=[round(t, 4) for t in r.arrival], start=[round(t, 4) for t in r.start],
            departure=round(r.departure, 4), end=round(r.end, 4), load=r.load,
            distance=round(r.distance, 6)) for r in plan.routes] if found else []
        return RouteResponse(
            found=found, feasible=plan.stats.get("feasible") if found else None,
            vehicles_used=plan.num_vehicles if found else 0,
            total_distance=round(plan.total_distance, 6) if found else 0.0,
            routes=routes, dropped=dropped, wall_s=float(plan.stats.get("wall_s", 0.0)))


def _solve_child(send: Any, problem: Problem, request: RouteRequest) -> None:
    try:
        plan = solve(problem, request.time_limit_s, BACKEND, objective=request.objective,
                     allow_drop=request.allow_drop)
        send.send(("plan", plan))
    except UserInputError as error:  # the input: 422 naming it
        field = "body.stops" if isinstance(error, InvalidDataError) else "body"
        send.send(("user", (str(error), field)))
    except Exception:  # a solver failure: the parent logs the traceback and answers 500
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def solve_isolated(problem: Problem, request: RouteRequest) -> Plan:
    """:func:`~groupbuy_ml.routing.solve` in a forked child: input errors become
    :class:`UnprocessableError`, crashes and other failures :class:`SolverFailedError`."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_solve_child, args=(send, problem, request), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + request.time_limit_s + HARD_MARGIN_S
    message: tuple[str, Any] | None = None
    try:
        if receive.poll(max(0.0, deadline - time.monotonic())):
            message = receive.recv()
    except EOFError:  # the child died without answering: a solver crash
        message = None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if message is None:
        cause = f"ran {HARD_MARGIN_S:.0f} s past its time limit" \
            if child.exitcode in (-9, None) else f"crashed (exit code {child.exitcode})"
        raise internal_error(f"the routing solver {cause}", kind=SolverFailedError,
                             detail=f"problem {problem.name}, {problem.num_stops} stops")
    kind, value = message
    if kind == "user":
        raise UnprocessableError(*value)
    if kind == "error":
        raise internal_error("the routing solver failed", kind=SolverFailedError, detail=value)
    return value
