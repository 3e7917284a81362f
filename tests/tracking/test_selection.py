"""`promote(validation_only=True)`: validation metric, comparable non-smoke runs, clear refusals."""

from __future__ import annotations

import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.tracking import TrackingTarget, promote, tracked_run


class Constant:
    def predict(self, x):
        return x


def _run(target: TrackingTarget, metrics: dict[str, float], protocol: str = "p1",
         smoke: bool = False) -> str:
    tags = {"protocol.id": protocol, "protocol.horizon": "7", "smoke": str(smoke).lower()}
    with tracked_run("demand", None, {}, target, data_fingerprints={"m": "abc"},
                     tags=tags) as run:
        run.log_metrics(metrics)
        run.log_python_model(Constant())
    return run.run_id


def test_ranks_on_validation_among_comparable_runs_only(target: TrackingTarget) -> None:
    good_val = _run(target, {"val_rmsse": 0.5, "test_rmsse": 0.9})
    _run(target, {"val_rmsse": 0.7, "test_rmsse": 0.1})  # best on test: must not win
    smoke = _run(target, {"val_rmsse": 0.01, "test_rmsse": 0.01}, smoke=True)
    other = _run(target, {"val_rmsse": 0.02}, protocol="p0")  # older protocol
    newest = _run(target, {"val_rmsse": 0.6, "test_rmsse": 0.6})
    result = promote("demand", "rmsse", target, validation_only=True)
    assert (result.run_id, result.metric, result.value) == (good_val, "val_rmsse", 0.5)
    assert [value for _, value in result.compared] == [0.5, 0.6, 0.7]  # best first
    assert newest in dict(result.compared)
    assert result.excluded[smoke] == "smoke run" and "protocol" in result.excluded[other]


def test_refuses_test_metrics_and_runs_without_validation(target: TrackingTarget) -> None:
    _run(target, {"test_rmsse": 0.1})
    with pytest.raises(ConfigError, match="never used to choose.*metric=val_rmsse"):
        promote("demand", "test_rmsse", target, validation_only=True)
    with pytest.raises(ConfigError, match="no val_rmsse.*validation window"):
        promote("demand", "rmsse", target, validation_only=True)
