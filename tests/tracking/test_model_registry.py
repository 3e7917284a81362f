"""Promotion picks the best run, moves the champion alias, and is idempotent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.tracking import (
    TrackingTarget,
    champion_info,
    load_champion,
    promote,
    tracked_run,
    tracking_client,
)


class Scaler:
    """A tiny library model: multiplies its input."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def predict(self, x):
        return np.asarray(x, dtype=float) * self.factor


def _run(
    target: TrackingTarget,
    experiment: str,
    metrics: dict[str, float],
    *,
    model: bool = True,
    fail: bool = False,
) -> str:
    """A finished (or failed) run with ``metrics`` and a Scaler model keyed by the first value."""
    try:
        with tracked_run(experiment, None, {"factor": 1}, target) as run:
            run.log_metrics(metrics)
            if model:
                run.log_python_model(Scaler(next(iter(metrics.values()), 1.0)))
            if fail:
                raise RuntimeError("training diverged")
    except RuntimeError:
        assert fail
    return run.run_id


def test_promote_picks_min_or_max_and_ignores_unqualified_runs(target: TrackingTarget) -> None:
    runs = {v: _run(target, "forecasting", {"wape": v}) for v in (0.3, 0.1, 0.2)}
    _run(target, "forecasting", {"wape": 0.01}, model=False)  # no model: ignored
    _run(target, "forecasting", {"wape": 0.02}, fail=True)  # failed: ignored
    _run(target, "forecasting", {"mae": 0.0}, model=False)  # no wape: ignored

    best_low = promote("forecasting", "wape", target, mode="min")
    assert (best_low.run_id, best_low.value, best_low.version) == (runs[0.1], 0.1, 1)
    assert (best_low.model_name, best_low.metric, best_low.previous_version) == (
        "forecasting",
        "wape",
        None,
    )

    best_high = promote("forecasting", "wape", target, mode="max", model_name="worst-case")
    assert (best_high.model_name, best_high.run_id) == ("worst-case", runs[0.3])
    assert best_high.value == 0.3

    only_two = promote(
        "forecasting", "wape", target, model_name="filtered", filter_string="metrics.wape > 0.15"
    )
    assert only_two.run_id == runs[0.2]


def test_alias_moves_to_a_better_run_and_promotion_is_idempotent(
    target: TrackingTarget,
) -> None:
    first_run = _run(target, "demand", {"wape": 0.4})
    first = promote("demand", "wape", target)
    assert promote("demand", "wape", target) == replace(first, previous_version=1)

    better_run = _run(target, "demand", {"wape": 0.2})
    second = promote("demand", "wape", target)
    assert (second.version, second.previous_version, second.run_id) == (2, 1, better_run)
    again = promote("demand", "wape", target)
    assert (again.version, again.previous_version) == (2, 2)

    client = tracking_client(target)
    versions = client.search_model_versions("name = 'demand'")
    assert sorted((int(v.version), v.run_id) for v in versions) == [(1, first_run), (2, better_run)]
    assert client.get_model_version_by_alias("demand", "champion").version in ("2", 2)
    tags = client.get_model_version("demand", "2").tags
    assert tags["promotion.metric"] == "wape"
    assert float(tags["promotion.value"]) == 0.2
    assert tags["source.run_id"] == better_run


def test_champion_loads_as_the_library_object(target: TrackingTarget) -> None:
    _run(target, "scaling", {"score": 3.0})
    promotion = promote("scaling", "score", target, mode="max", alias="prod")
    info = champion_info("scaling", target, alias="prod")
    assert info is not None
    assert (info.version, info.run_id, info.metric, info.value) == (
        promotion.version,
        promotion.run_id,
        "score",
        3.0,
    )
    assert info.model_uri == "models:/scaling@prod"
    model = load_champion("scaling", target, alias="prod")
    assert isinstance(model, Scaler)
    np.testing.assert_allclose(model.predict(pd.Series([1.0, 2.0])), [3.0, 6.0])


def test_missing_champion(target: TrackingTarget) -> None:
    assert champion_info("nothing", target) is None
    with pytest.raises(LookupError, match="nothing"):
        load_champion("nothing", target)


def test_clear_error_when_no_run_has_the_metric(target: TrackingTarget) -> None:
    _run(target, "routing", {"distance": 10.0, "vehicles": 3.0}, model=False)
    with pytest.raises(ValueError) as error:
        promote("routing", "wape", target)
    message = str(error.value)
    for word in ("'routing'", "'wape'", "distance", "vehicles"):
        assert word in message
    with pytest.raises(ValueError, match="logged a model named 'model'"):
        promote("routing", "distance", target)
    with pytest.raises(ValueError, match="no experiment named 'absent'"):
        promote("absent", "wape", target)
