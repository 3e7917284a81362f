from __future__ import annotations

import pandas as pd
import pytest

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.routing import VehicleType, from_market, from_purchase_list, solve


def pickup_points() -> pd.DataFrame:
    return pd.DataFrame({"pickup_point_id": [10, 11, 12], "x_km": [3.0, 0.0, -3.0],
                         "y_km": [4.0, 5.0, 0.0], "opens_minute": [360, 420, 400],
                         "closes_minute": [480, 600, 500]})


def test_units_summed_per_point_and_times_in_minutes():
    purchases = pd.DataFrame({"pickup_point_id": [10, 10, 12, 11],
                              "units": [5, 7, 3, 0],
                              "date": pd.to_datetime(["2025-01-02"] * 3 + ["2025-01-02"])})
    problem = from_purchase_list(purchases, pickup_points(), speed_kmh=30, dispatch_minute=300,
                                 date="2025-01-02", vehicles=VehicleType(2, 100))
    assert problem.stops["stop_id"].tolist() == [-1, 10, 12]  # point 11 has no units
    assert problem.stops["demand"].tolist() == [0.0, 12.0, 3.0]
    assert problem.duration[0, 1] == pytest.approx(10.0)  # 5 km at 30 km/h = 10 minutes
    assert problem.shift(0) == (300.0, 1440.0)
    plan = solve(problem, time_limit_s=1)
    assert plan.stats["feasible"] and plan.num_vehicles == 1


def test_demand_alias_and_unknown_point():
    with pytest.raises(ValueError, match="pickup_point_id \\[99\\] missing"):
        from_purchase_list(pd.DataFrame({"pickup_point_id": [99], "demand": [1]}),
                           pickup_points())


def test_schema_errors_name_the_column():
    bad = pd.DataFrame({"pickup_point_id": [10], "units": [-2]})
    with pytest.raises(DataValidationError, match="column 'units'"):
        from_purchase_list(bad, pickup_points())
    points = pickup_points()
    points.loc[0, "closes_minute"] = 100
    with pytest.raises(DataValidationError, match="closes_minute >= opens_minute"):
        from_purchase_list(pd.DataFrame({"pickup_point_id": [10], "units": [1]}), points)


def test_no_units_on_date():
    purchases = pd.DataFrame({"pickup_point_id": [10], "units": [1],
                              "date": pd.to_datetime(["2025-01-01"])})
    with pytest.raises(ValueError, match="no units to deliver on 2025-01-05"):
        from_purchase_list(purchases, pickup_points(), date="2025-01-05")


def test_from_simulated_market(tmp_path):
    from groupbuy_ml.data.simulate import MarketConfig, simulate_market

    simulate_market(MarketConfig(n_pickup_points=12, n_days=3, n_products=8,
                                 households_per_pickup_point=20, event_log_days=0), tmp_path)
    problem = from_market(tmp_path, vehicles=VehicleType(12, 400), metric="haversine")
    assert problem.num_stops >= 1
    assert problem.stops["ready_time"].iloc[0] == 300  # warehouse dispatch minute
    assert problem.metric == "haversine"
    plan = solve(problem, time_limit_s=1)
    assert plan.stats["feasible"]
    with pytest.raises(ValueError, match="not in"):
        from_market(tmp_path, date="2030-01-01")
