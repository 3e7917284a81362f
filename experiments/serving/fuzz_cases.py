"""What the live fuzz run (``fuzz.py``) and the in-process fuzz test share: the response checks,
the loop over the generated cases of one operation, and valid delivery problems.

schemathesis generates the cases from the OpenAPI document (``APIOperation.as_strategy``); the
only change to generated data is :func:`bounded_route_budget`. JSON Schema cannot say "x together
with y", so schema-valid route bodies rarely reach the solver: :func:`route_problems` draws valid
delivery problems instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

__all__ = ["CHECKS", "ROUTE_BUDGET_S", "bounded_route_budget", "failed_checks",
           "for_each_case", "generated", "route_problems"]

ROUTE_BUDGET_S = 0.3  # solver seconds per generated route request (valid values stay valid)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def generated(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of every fuzz loop: ``examples`` cases, reproducible, no shrinking."""
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck), phases=[Phase.generate])


def bounded_route_budget(case: schemathesis.Case) -> None:
    """Cap a valid generated ``time_limit_s`` of a route request at ``ROUTE_BUDGET_S``."""
    body = case.body
    if case.path == "/v1/route" and isinstance(body, dict):
        limit = body.get("time_limit_s")
        if isinstance(limit, int | float) and not isinstance(limit, bool) \
                and ROUTE_BUDGET_S < limit <= 30:
            body["time_limit_s"] = ROUTE_BUDGET_S


def for_each_case(operation: Any, mode: GenerationMode, examples: int,
                  headers: dict[str, str], handle: Callable[[schemathesis.Case], None]) -> None:
    """Call ``handle`` on ``examples`` generated cases of ``operation`` (route budget bounded).

    Raises ``hypothesis.errors.Unsatisfiable`` when ``mode`` has nothing to generate (e.g. an
    invalid request for an operation without parameters).
    """

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @generated(examples)
    def run(case: schemathesis.Case) -> None:
        bounded_route_budget(case)
        handle(case)

    run()


def failed_checks(case: schemathesis.Case, response: Any) -> str | None:
    """The titles of the :data:`CHECKS` that ``response`` fails, or None when all pass."""
    try:
        case.validate_response(response, checks=CHECKS)
    except (FailureGroup, Failure) as failure:  # every failed check of this case
        found = getattr(failure, "exceptions", [failure])
        return "; ".join(getattr(f, "title", type(f).__name__) for f in found)
    return None


def _stop(i: int) -> st.SearchStrategy[dict[str, Any]]:
    coord = st.floats(-50, 50, allow_nan=False)
    return st.tuples(coord, coord, st.floats(0, 200), st.floats(0, 900), st.floats(0, 600),
                     st.floats(0, 30)).map(lambda t: {
                         "id": i, "x": t[0], "y": t[1], "demand": t[2], "ready_time": t[3],
                         "due_time": t[3] + t[4], "service_time": t[5]})


@st.composite
def route_problems(draw: st.DrawFn, max_stops: int = 25, max_vehicles: int = 6,
                   time_limit_s: float | None = None) -> dict[str, Any]:
    """A valid ``/v1/route`` body: 1-``max_stops`` stops with any windows, demands and fleet,
    tight or loose; ``time_limit_s`` fixed, or drawn up to ``ROUTE_BUDGET_S`` when None."""
    n = draw(st.integers(1, max_stops))
    return {  # drawn in this order, so that a seed gives the same problems as before
        "depot": {"x": 0.0, "y": 0.0, "ready_time": 0.0,
                  "due_time": draw(st.floats(60, 1440))},
        "stops": [draw(_stop(i)) for i in range(1, n + 1)],
        "vehicles": {"count": draw(st.integers(1, max_vehicles)),
                     "capacity": draw(st.floats(1, 500))},
        "speed": draw(st.floats(0.1, 5)),
        "time_limit_s": time_limit_s if time_limit_s is not None
        else draw(st.floats(0.1, ROUTE_BUDGET_S)),
        "objective": draw(st.sampled_from(["vehicles", "distance"])),
        "allow_drop": draw(st.booleans()),
    }
