from __future__ import annotations

import pandas as pd

from groupbuy_ml.routing import VehicleType, build_plan, check_plan, from_stops


def test_hand_checked_plan_is_feasible(line_problem):
    plan = build_plan(line_problem, [(0, [1, 2]), (1, [3, 4])])
    assert check_plan(line_problem, plan).is_feasible
    assert plan.num_vehicles == 2
    assert plan.total_distance == 8.0
    assert plan.routes[0].arrival == (1.0, 2.0)
    assert plan.arrival_times() == {1: 1.0, 2: 2.0, 3: 1.0, 4: 2.0}


def test_capacity_violation(line_problem):
    plan = build_plan(line_problem, [(0, [1, 2, 3]), (1, [4])])
    report = check_plan(line_problem, plan)
    assert not report
    assert "vehicle 0: load 3 exceeds capacity 2" in str(report)


def test_missing_and_repeated_stops(line_problem):
    plan = build_plan(line_problem, [(0, [1, 2]), (1, [2, 3])])
    text = str(check_plan(line_problem, plan))
    assert "stop 4 is not visited" in text
    assert "stop 2 is visited 2 times" in text


def test_time_window_and_shift_violations():
    stops = pd.DataFrame({"stop_id": [0, 1, 2], "x": [0, 10, 20], "y": [0, 0, 0],
                          "demand": [0, 1, 1], "ready_time": [0, 0, 0],
                          "due_time": [30, 5, 30], "service_time": [0, 0, 0]})
    problem = from_stops(stops, VehicleType(2, 10))
    text = str(check_plan(problem, build_plan(problem, [(0, [2, 1])])))
    # 0 -> 2 (t=20) -> 1 (t=30 > due 5) -> depot (t=40 > 30)
    assert "stop 1 served at 30.000, after its due_time 5" in text
    assert "back at the depot at 40.000, after the shift end 30" in text


def test_unknown_vehicle_and_vehicle_used_twice(line_problem):
    plan = build_plan(line_problem, [(7, [1, 2]), (7, [3, 4])])
    text = str(check_plan(line_problem, plan))
    assert "vehicle 7 does not exist" in text
    plan = build_plan(line_problem, [(1, [1, 2]), (1, [3, 4])])
    assert "vehicle 1 drives 2 routes" in str(check_plan(line_problem, plan))


def test_waiting_is_allowed():
    stops = pd.DataFrame({"stop_id": [0, 1], "x": [0, 1], "y": [0, 0], "demand": [0, 1],
                          "ready_time": [0, 10], "due_time": [100, 12], "service_time": [0, 3]})
    problem = from_stops(stops, VehicleType(1, 10))
    plan = build_plan(problem, [(0, [1])])
    assert check_plan(problem, plan).is_feasible
    assert plan.routes[0].arrival == (1.0,)
    assert plan.routes[0].start == (10.0,)
    assert plan.routes[0].end == 14.0
