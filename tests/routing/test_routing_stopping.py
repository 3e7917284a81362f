from __future__ import annotations

import time

import pytest

from groupbuy_ml.routing import AnyOf, MaxRuntime, MaxSolutions, NoImprovement


def test_max_solutions_counts_calls():
    stop = MaxSolutions(3)
    assert [stop(1.0), stop(1.0), stop(1.0)] == [False, False, True]
    stop.reset()
    assert not stop(1.0)


def test_no_improvement_resets_on_better_cost():
    stop = NoImprovement(2)
    assert [stop(10), stop(10), stop(9), stop(9), stop(9)] == [False, False, False, False, True]


def test_max_runtime():
    stop = MaxRuntime(0.05)
    stop.reset()
    assert not stop(0.0)
    time.sleep(0.06)
    assert stop(0.0)
    with pytest.raises(ValueError, match="seconds >= 0"):
        MaxRuntime(-1)


def test_any_of_feeds_every_criterion():
    a, b = MaxSolutions(2), NoImprovement(5)
    stop = AnyOf([a, b])
    assert not stop(5)
    assert stop(4)
