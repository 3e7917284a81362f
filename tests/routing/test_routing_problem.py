from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.routing import VehicleType, from_stops, read_solomon
from groupbuy_ml.routing.problem import haversine_matrix


def test_euclidean_matrix_and_fleet(line_problem):
    assert line_problem.num_stops == 4
    assert line_problem.num_vehicles == 3
    assert line_problem.distance[1, 4] == pytest.approx(3.0)
    assert line_problem.duration[2, 0] == pytest.approx(2.0)
    assert line_problem.shift(0) == (0.0, 100.0)


def test_speed_scales_duration(line_stops):
    problem = from_stops(line_stops(), VehicleType(1, 10), speed=0.5)
    assert problem.duration[0, 2] == pytest.approx(4.0)


def test_haversine_one_degree_latitude():
    d = haversine_matrix(np.array([30.0, 31.0]), np.array([120.0, 120.0]))
    assert d[0, 1] == pytest.approx(111.2, abs=0.1)


def test_given_matrix_shape_checked(line_stops):
    with pytest.raises(ValueError, match="expected \\(5, 5\\)"):
        from_stops(line_stops(), VehicleType(1, 10), metric="matrix", distance=np.zeros((3, 3)))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("demand", -1, "stop 2: demand=-1.* is negative"),
        ("due_time", -5, "stop 2: due_time=-5.* is negative"),
        ("x", np.nan, "stop 2: x is missing"),
    ],
)
def test_bad_stop_values_name_the_stop(line_stops, column, value, message):
    stops = line_stops().astype({column: float})
    stops.loc[2, column] = value
    with pytest.raises(ValueError, match=message):
        from_stops(stops, VehicleType(1, 10))


def test_window_closing_before_it_opens_is_named(line_stops):
    stops = line_stops()
    stops.loc[3, ["ready_time", "due_time"]] = [50, 10]
    with pytest.raises(ValueError, match="stop 3: window closes before it opens"):
        from_stops(stops, VehicleType(1, 10))


def test_zero_vehicles_and_bad_capacity_rejected(line_stops):
    with pytest.raises(ValueError, match="zero vehicles"):
        from_stops(line_stops(), VehicleType(count=0, capacity=10))
    with pytest.raises(ValueError, match="vehicle type 0: capacity=0"):
        from_stops(line_stops(), VehicleType(count=1, capacity=0))


def test_missing_column_and_duplicate_ids(line_stops):
    with pytest.raises(ValueError, match="lacks columns \\['y'\\]"):
        from_stops(line_stops().drop(columns="y"), VehicleType(1, 10))
    stops = line_stops()
    stops.loc[4, "stop_id"] = 1
    with pytest.raises(ValueError, match="stop_id 1 appears more than once"):
        from_stops(stops, VehicleType(1, 10))


def test_unknown_metric(line_stops):
    with pytest.raises(ValueError, match="unknown metric 'manhattan'"):
        from_stops(line_stops(), VehicleType(1, 10), metric="manhattan")


def test_read_solomon_gives_problem(solomon_dir):
    problem = read_solomon(solomon_dir / "C101.txt")
    assert (problem.name, problem.num_stops, problem.num_vehicles) == ("C101", 100, 25)
    assert problem.vehicle_types[0].capacity == 200
    assert problem.horizon == 1236
    assert isinstance(problem.stops, pd.DataFrame)


def test_subproblem_keeps_depot_and_order(line_problem):
    sub = line_problem.subproblem([4, 2], vehicles=1)
    assert sub.stops["stop_id"].tolist() == [0, 4, 2]
    assert sub.num_vehicles == 1
    assert sub.distance[1, 2] == pytest.approx(4.0)


def test_subproblem_keeps_shift_overrides_of_the_vehicles_kept(line_problem):
    """A late vehicle stays late in a sub-problem (diagnosis drops stops through one)."""
    from dataclasses import replace

    late = replace(line_problem, shift_overrides=((0, 20.0, 100.0), (2, 5.0, 100.0)))
    sub = late.subproblem([1, 2, 3])
    assert sub.shift(0) == (20.0, 100.0) and sub.shift(2) == (5.0, 100.0)
    two = late.subproblem([1, 2], vehicles=2)
    assert two.shift(0) == (20.0, 100.0) and two.shift_overrides == ((0, 20.0, 100.0),)
