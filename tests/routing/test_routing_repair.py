from __future__ import annotations

import pandas as pd
import pytest

from groupbuy_ml.routing import build_plan, check_plan, read_solomon, repair, solve


@pytest.fixture(scope="module")
def c101_plan(solomon_dir):
    problem = read_solomon(solomon_dir / "C101.txt")
    return problem, solve(problem, time_limit_s=3)


def test_cancellation_keeps_untouched_routes(c101_plan):
    problem, plan = c101_plan
    victim = plan.routes[0].stops[1]
    victim_id = problem.stops["stop_id"][victim]
    new_problem, new_plan = repair(problem, plan, cancelled=[victim_id], time_limit_s=2)
    assert check_plan(new_problem, new_plan).is_feasible
    assert victim_id not in new_problem.stops["stop_id"].tolist()
    old = {r.vehicle: [problem.stops["stop_id"][s] for s in r.stops] for r in plan.routes[1:]}
    new = {r.vehicle: [new_problem.stops["stop_id"][s] for s in r.stops] for r in new_plan.routes}
    for v, ids in old.items():
        assert new[v] == ids  # every route without the cancellation is unchanged
    assert new_plan.stats["repaired"] == [plan.routes[0].vehicle]


def test_added_order_and_late_vehicle(c101_plan):
    problem, plan = c101_plan
    added = pd.DataFrame([{"stop_id": 500, "x": 42, "y": 66, "demand": 10, "ready_time": 0,
                           "due_time": 1100, "service_time": 90}])
    late_vehicle = plan.routes[-1].vehicle
    new_problem, new_plan = repair(problem, plan, added=added, late={late_vehicle: 20},
                                   time_limit_s=2)
    assert check_plan(new_problem, new_plan).is_feasible
    assert new_problem.shift(late_vehicle)[0] == 20.0
    served = {new_problem.stops["stop_id"][s] for r in new_plan.routes for s in r.stops}
    assert 500 in served or new_plan.dropped
    assert late_vehicle in new_plan.stats["repaired"]
    kept = set(new_plan.stats["kept"])
    assert kept and kept.isdisjoint(new_plan.stats["repaired"])


def test_repair_with_nothing_to_do(line_problem):
    plan = build_plan(line_problem, [(0, [1, 2]), (1, [3, 4])])
    new_problem, new_plan = repair(line_problem, plan)
    assert new_plan.route_lists() == plan.route_lists()


def test_repair_rejects_unknown_ids(line_problem):
    plan = build_plan(line_problem, [(0, [1, 2]), (1, [3, 4])])
    with pytest.raises(ValueError, match="cancelled stop_id \\[42\\] not in the problem"):
        repair(line_problem, plan, cancelled=[42])
    with pytest.raises(ValueError, match="late vehicle"):
        repair(line_problem, plan, late={9: 5})
