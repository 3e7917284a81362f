from __future__ import annotations

import json

import pytest

from groupbuy_ml.routing import Plan, build_plan, save_plan_map


def test_json_round_trip(line_problem, tmp_path):
    plan = build_plan(line_problem, [(0, [1, 2]), (2, [3, 4])], stats={"backend": "hand"})
    path = plan.write_json(tmp_path / "plan.json")
    data = json.loads(path.read_text())
    assert data["num_vehicles"] == 2
    assert data["total_distance"] == pytest.approx(8.0)
    assert data["routes"][1]["stop_ids"] == [3, 4]
    assert data["routes"][1]["vehicle"] == 2
    again = Plan.read_json(path, line_problem)
    assert again.route_lists() == plan.route_lists()
    assert again.score == (0, 2, 8.0)


def test_png_map_written(line_problem, tmp_path):
    plan = build_plan(line_problem, [(0, [1, 2]), (1, [3, 4])])
    path = save_plan_map(line_problem, plan, tmp_path / "routes.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
