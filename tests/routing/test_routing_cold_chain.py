"""Chilled stops ride refrigerated vans only (issue 16's cold-chain fleet, smallest slice)."""

from __future__ import annotations

import pytest

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.routing import (
    UnservableStopsError,
    VehicleType,
    build_plan,
    check_plan,
    diagnose,
    from_stops,
    solve,
)


def chilled_line(line_stops, chilled=(False, True, True, False, False)):
    return line_stops().assign(chilled=list(chilled))


FLEET = [VehicleType(2, 2), VehicleType(1, 2, refrigerated=True)]  # vehicles 0, 1 warm; 2 cold


@pytest.mark.parametrize("backend", ["pyvrp-fleet", "pyvrp", "ortools"])
def test_chilled_stops_go_on_the_refrigerated_van(line_stops, backend):
    problem = from_stops(chilled_line(line_stops), FLEET, name="cold")
    plan = solve(problem, time_limit_s=1, backend=backend)
    assert check_plan(problem, plan).is_feasible and not plan.dropped
    by_vehicle = {r.vehicle: sorted(r.stops) for r in plan.routes}
    assert by_vehicle[2] == [1, 2]  # the chilled pair, on the only refrigerated van
    assert plan.total_distance == pytest.approx(8.0)


def test_check_plan_flags_chilled_goods_on_a_warm_van(line_stops):
    problem = from_stops(chilled_line(line_stops), FLEET, name="cold")
    plan = build_plan(problem, [(0, [1, 2]), (2, [3, 4])])
    report = check_plan(problem, plan)
    assert not report.is_feasible
    assert "vehicle 0: not refrigerated but serves chilled stop(s) [1, 2]" in report.violations


def test_chilled_demand_without_refrigerated_van_is_named(line_stops):
    problem = from_stops(chilled_line(line_stops), VehicleType(3, 2), name="no-reefer")
    assert [u.stop_id for u in diagnose(problem)] == [1, 2]
    assert "no refrigerated vehicle" in diagnose(problem)[0].reason
    with pytest.raises(UnservableStopsError, match="no refrigerated vehicle"):
        solve(problem, time_limit_s=1)
    plan = solve(problem, time_limit_s=1, allow_drop=True)
    assert sorted(plan.dropped) == [1, 2] and check_plan(problem, plan).is_feasible


def test_bad_chilled_flag_names_the_stop(line_stops):
    stops = line_stops().assign(chilled=[False, "yes", False, False, False])
    with pytest.raises(InvalidDataError, match="stop 1: chilled='yes'"):
        from_stops(stops, FLEET)
