from __future__ import annotations

import time

import pytest

from groupbuy_ml.routing import (
    MaxSolutions,
    VehicleType,
    check_plan,
    from_stops,
    read_solomon,
    solve,
)


@pytest.mark.parametrize("backend", ["pyvrp-fleet", "ortools", "pyvrp", "ortools-plain"])
def test_line_instance_hand_checked_optimum(line_problem, backend):
    plan = solve(line_problem, time_limit_s=1, backend=backend)
    assert plan.num_vehicles == 2
    assert plan.total_distance == pytest.approx(8.0)
    assert sorted(sorted(r) for r in plan.route_lists()) == [[1, 2], [3, 4]]
    assert check_plan(line_problem, plan).is_feasible


def test_distance_objective_also_finds_8(line_problem):
    plan = solve(line_problem, time_limit_s=1, objective="distance")
    assert plan.total_distance == pytest.approx(8.0)


def test_unknown_backend_and_objective(line_problem):
    with pytest.raises(ValueError, match="unknown backend 'gurobi'"):
        solve(line_problem, backend="gurobi")
    with pytest.raises(ValueError, match="unknown objective 'time'"):
        solve(line_problem, time_limit_s=1, objective="time")
    with pytest.raises(ValueError, match="time_limit_s must be > 0"):
        solve(line_problem, time_limit_s=0)


@pytest.mark.parametrize("backend", ["ortools", "pyvrp", "pyvrp-fleet"])
def test_time_limit_honoured_on_r101(solomon_dir, backend):
    problem = read_solomon(solomon_dir / "R101.txt")
    start = time.perf_counter()
    plan = solve(problem, time_limit_s=2.0, backend=backend)
    wall = time.perf_counter() - start
    assert wall <= 2.0, f"{backend} ran {wall:.3f} s on a 2 s limit"
    assert plan.stats["overshoot_s"] == 0.0
    assert plan.stats["feasible"]


# Largest distance accepted on C101 (best known 828.94) after 3 s of wall clock. PyVRP reaches
# 828.94 within 3 s even on a loaded machine; OR-Tools' GLS ends at 828.94 or, when the machine is
# loaded and it gets fewer solutions, in the local optimum at 854.31 (+3.06%) where OR-Tools'
# default search also stops. Anything above +3.5% (e.g. 11 vehicles' or an unpolished plan) fails.
C101_MAX_DISTANCE = {"ortools": 828.94 * 1.035, "pyvrp": 828.94 + 5.0,
                     "pyvrp-fleet": 828.94 + 5.0}


@pytest.mark.parametrize("backend", ["ortools", "pyvrp", "pyvrp-fleet"])
def test_both_backends_feasible_on_c101(solomon_dir, backend):
    problem = read_solomon(solomon_dir / "C101.txt")
    plan = solve(problem, time_limit_s=3.0, backend=backend)
    assert check_plan(problem, plan).is_feasible
    assert plan.num_vehicles == 10  # the best-known fleet; C101 is easy
    assert 828.94 - 0.01 <= plan.total_distance <= C101_MAX_DISTANCE[backend]
    assert len(plan.arrival_times()) == 100


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_deterministic_mode_reproducible(solomon_dir, backend):
    problem = read_solomon(solomon_dir / "R101.txt")
    kwargs = dict(time_limit_s=30.0, backend=backend, deterministic=True, solution_budget=40)
    first, second = solve(problem, **kwargs), solve(problem, **kwargs)
    assert first.route_lists() == second.route_lists()
    assert first.stats["wall_s"] < 15.0  # stopped by the budget, not by the clock


def test_stopping_criterion_stops_early(solomon_dir):
    problem = read_solomon(solomon_dir / "C101.txt")
    plan = solve(problem, time_limit_s=20.0, objective="distance", stopping=MaxSolutions(5),
                 backend="ortools")
    assert plan.stats["wall_s"] < 5.0
    assert plan.stats["phases"][0]["solutions"] == 5


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_mixed_fleet_cost_vs_vehicles_objective(line_stops, backend):
    """One big truck (capacity 4, fixed cost 100) or two vans (capacity 2, fixed cost 1).

    Both ways drive 8 (0-1-2-3-4-0 = 1+1+3+1+2); vehicles-first takes the truck, cost takes the
    vans (2 + 8 < 100 + 8)."""
    from groupbuy_ml.routing import VehicleType, from_stops

    problem = from_stops(line_stops(), [VehicleType(1, 4, fixed_cost=100),
                                        VehicleType(2, 2, fixed_cost=1)])
    by_vehicles = solve(problem, time_limit_s=1, backend=backend)
    assert by_vehicles.num_vehicles == 1 and by_vehicles.routes[0].vehicle == 0
    by_cost = solve(problem, time_limit_s=1, backend=backend, objective="cost")
    assert sorted(r.vehicle for r in by_cost.routes) == [1, 2]
    assert by_cost.total_distance == pytest.approx(8.0)
    assert check_plan(problem, by_cost).is_feasible


def test_window_narrower_than_one_time_unit_is_served(line_stops):
    """ready = due = 1.0005 holds no integer once times are scaled by 1000 (ceil > floor)."""
    stops = line_stops().iloc[:2].astype({"ready_time": float, "due_time": float})
    stops.loc[1, ["ready_time", "due_time"]] = 1.0005
    problem = from_stops(stops, VehicleType(count=1, capacity=2), name="narrow")
    plan = solve(problem, time_limit_s=1)
    assert plan.route_lists() == [[1]]
    assert check_plan(problem, plan).is_feasible



def test_every_stop_unservable_gives_a_plan_that_drops_them(line_stops):
    """Demand 5 on vans of capacity 1 with dropping allowed: an empty plan, not a solver abort
    (the fleet phase once re-solved with 0 vehicles and OR-Tools aborted the process)."""
    stops = line_stops().iloc[:2].copy()
    stops.loc[1, "demand"] = 5
    problem = from_stops(stops, VehicleType(count=3, capacity=1), name="unservable")
    plan = solve(problem, time_limit_s=1, allow_drop=True)
    assert plan.num_vehicles == 0
    assert list(plan.dropped) == [1]
