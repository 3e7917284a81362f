from __future__ import annotations

import pandas as pd
import pytest

from groupbuy_ml.routing import (
    UnservableStopsError,
    VehicleType,
    check_plan,
    diagnose,
    drop_report,
    from_stops,
    solve,
)


def troubled_problem():
    """Stop 1 is fine; 2 is too heavy; 3 closes before anyone can reach it; 4 cannot get back."""
    stops = pd.DataFrame({
        "stop_id": ["depot", "ok", "heavy", "early", "late"],
        "x": [0, 1, 1, 50, 40], "y": [0, 0, 0, 0, 0],
        "demand": [0, 1, 99, 1, 1],
        "ready_time": [0, 0, 0, 0, 90],
        "due_time": [100, 100, 100, 20, 95],
        "service_time": [0, 0, 0, 0, 5],
    })
    return from_stops(stops, VehicleType(count=2, capacity=10), name="troubled")


def test_diagnosis_names_each_stop_and_reason():
    found = {u.stop_id: u.reason for u in diagnose(troubled_problem())}
    assert set(found) == {"heavy", "early", "late"}
    assert "demand 99 exceeds the largest vehicle capacity 10" in found["heavy"]
    assert "window closes at 20 but the earliest arrival from the depot is 50.00" in found["early"]
    assert "back at the depot by its shift end (100)" in found["late"]


def test_solve_refuses_with_the_reasons():
    with pytest.raises(UnservableStopsError, match="3 stop\\(s\\) cannot be served: stop 'heavy'"):
        solve(troubled_problem(), time_limit_s=1)


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_allow_drop_plans_the_rest_and_reports(backend):
    problem = troubled_problem()
    plan = solve(problem, time_limit_s=1, backend=backend, allow_drop=True)
    assert plan.stats["feasible"]
    assert check_plan(problem, plan).is_feasible
    assert [problem.stops["stop_id"][s] for s in plan.dropped] == ["heavy", "early", "late"]
    report = drop_report(problem, plan)
    assert report["stop_id"].tolist() == ["heavy", "early", "late"]
    assert report["reason"].str.len().min() > 20


def test_drop_at_penalty_when_fleet_is_short():
    """Two stops 10 apart in opposite directions with tight windows and one vehicle."""
    stops = pd.DataFrame({"stop_id": [0, 1, 2], "x": [0, 10, -10], "y": [0, 0, 0],
                          "demand": [0, 1, 1], "ready_time": [0, 10, 10],
                          "due_time": [100, 11, 11], "service_time": [0, 0, 0]})
    problem = from_stops(stops, VehicleType(count=1, capacity=10))
    assert diagnose(problem) == []
    plan = solve(problem, time_limit_s=1, allow_drop=True)
    assert len(plan.dropped) == 1 and plan.num_vehicles == 1
    assert "no route had room" in drop_report(problem, plan)["reason"].iloc[0]
