from __future__ import annotations

import json

import pandas as pd
import pytest

from groupbuy_ml.cli.route import route_command


def test_route_solomon_file_writes_plan_and_map(solomon_dir, tmp_path):
    plan = route_command([f"instance={solomon_dir / 'C101.txt'}", "routing.time_limit_s=2",
                          f"out_dir={tmp_path}", "tracking.log=true",
                          f"paths.root_dir={tmp_path}"])
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["num_vehicles"] == plan.num_vehicles == 10
    assert (tmp_path / "routes.png").stat().st_size > 1000
    assert (tmp_path / "mlflow" / "mlflow.db").exists()


def test_route_purchase_list_csv(tmp_path):
    pd.DataFrame({"pickup_point_id": [1, 2, 2], "units": [30, 20, 10]}).to_csv(
        tmp_path / "purchases.csv", index=False)
    pd.DataFrame({"pickup_point_id": [1, 2], "x_km": [2.0, -2.0], "y_km": [1.0, 3.0],
                  "opens_minute": [360, 420], "closes_minute": [480, 600]}).to_csv(
        tmp_path / "points.csv", index=False)
    plan = route_command([f"purchase_list={tmp_path / 'purchases.csv'}",
                          f"pickup_points={tmp_path / 'points.csv'}", "routing.time_limit_s=1",
                          "routing.fleet.dispatch_minute=300", f"out_dir={tmp_path / 'out'}"])
    assert plan.num_vehicles == 1
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["dropped"] == []


def test_route_needs_exactly_one_source(tmp_path):
    with pytest.raises(ValueError, match="give exactly one of instance"):
        route_command([f"out_dir={tmp_path}"])
    with pytest.raises(FileNotFoundError, match="no such file"):
        route_command(["instance=/nowhere/C101.txt"])
