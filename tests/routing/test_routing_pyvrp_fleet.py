from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.routing import MaxSolutions, VehicleType, check_plan, from_stops, solve
from groupbuy_ml.routing.pyvrp_fleet import Deadline, eliminate_routes, lower_bound
from groupbuy_ml.routing.pyvrp_solver import problem_data


def random_problem(n: int = 14, capacity: int = 40, seed: int = 3, count: int | None = None):
    """``n`` stops of demand 10 in a 20 x 20 square, wide windows: load alone needs n / capacity."""
    rng = np.random.default_rng(seed)
    stops = pd.DataFrame({
        "stop_id": range(n + 1), "x": [10.0, *rng.uniform(0, 20, n)],
        "y": [10.0, *rng.uniform(0, 20, n)], "demand": [0] + [10] * n,
        "ready_time": [0] * (n + 1), "due_time": [1000] * (n + 1),
        "service_time": [0] + [1] * n})
    return from_stops(stops, VehicleType(count=count or n, capacity=capacity), name="random")


def test_route_elimination_reaches_the_load_bound_and_logs_each_cap():
    data = problem_data(random_problem())
    assert lower_bound(data) == 4  # 140 units / capacity 40
    best, log = eliminate_routes(data, time.perf_counter() + 1.0, seed=0)
    assert best is not None and best.is_feasible() and best.num_routes() == 4
    assert log[0]["cap"] == 14 and log[-1]["routes"] == 4
    caps = [a["cap"] for a in log]
    assert caps == sorted(caps, reverse=True)  # every attempt caps the fleet lower


def test_default_backend_plans_with_the_fewest_vehicles_and_says_how():
    problem = random_problem()
    plan = solve(problem, time_limit_s=1.0)
    assert plan.stats["backend"] == "pyvrp-fleet"
    assert plan.num_vehicles == 4 and check_plan(problem, plan).is_feasible
    assert "vehicles (lower bound 4)" in plan.stats["fleet_phase"]
    assert plan.stats["overshoot_s"] == 0.0


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"objective": "distance"}, "objective='distance'"),
    ({"allow_drop": True}, "allow_drop=True"),
])
def test_fleet_phase_skipped_where_it_does_not_apply(kwargs, reason):
    plan = solve(random_problem(), time_limit_s=0.5, **kwargs)
    assert plan.stats["fleet_phase"].startswith("skipped") and reason in plan.stats["fleet_phase"]
    assert plan.stats["backend"] == "pyvrp-fleet" and not plan.dropped


def test_deterministic_budget_gives_the_same_plan():
    problem = random_problem(n=20, seed=5)
    kwargs = dict(time_limit_s=20.0, deterministic=True, solution_budget=300)
    first, second = solve(problem, **kwargs), solve(problem, **kwargs)
    assert first.route_lists() == second.route_lists()
    assert first.stats["wall_s"] < 10.0  # stopped by the budget, not the clock


def test_bad_settings_name_the_field():
    with pytest.raises(ConfigError, match="fleet_share must be in"):
        solve(random_problem(), time_limit_s=0.5, fleet_share=1.0)
    with pytest.raises(ConfigError, match="backend='ortools'"):
        solve(random_problem(), time_limit_s=0.5, stopping=MaxSolutions(2))


def test_deadline_is_absolute():
    assert Deadline(time.perf_counter() - 1)(0.0) is True
    assert Deadline(time.perf_counter() + 60)(0.0) is False
