"""The policy-hook API: defaults, a closed loop end to end, custom policies, bad output."""

import pickle

import numpy as np
import pytest

from groupbuy_ml.twin import (
    Exposure,
    OrderDecision,
    PlatformState,
    PolicySet,
    RunSpec,
    TwinConfig,
    run_twin,
)
from groupbuy_ml.twin.errors import PolicyOutputError, TwinConfigError
from groupbuy_ml.twin.policies import (
    AssortmentPolicy,
    ExposurePolicy,
    OrderingPolicy,
    PricingPolicy,
    ThresholdPolicy,
)


def test_defaults_satisfy_their_protocols() -> None:
    p = PolicySet()
    assert isinstance(p.ordering, OrderingPolicy)
    assert isinstance(p.assortment, AssortmentPolicy)
    assert isinstance(p.pricing, PricingPolicy)
    assert isinstance(p.threshold, ThresholdPolicy)
    assert isinstance(p.exposure, ExposurePolicy)


class Recorder:
    """Orders a constant 3 units everywhere and remembers the states it saw."""

    def __init__(self) -> None:
        self.states: list[PlatformState] = []

    def order(self, state: PlatformState) -> OrderDecision:
        self.states.append(state)
        return OrderDecision(np.full(state.shape, 3))


def test_closed_loop_runs_end_to_end_and_states_are_read_only(tiny_config: TwinConfig) -> None:
    recorder = Recorder()
    result = run_twin(RunSpec(tiny_config, PolicySet(ordering=recorder), seed=3))
    assert len(result.daily) == 4 and result.daily["day"].tolist() == [10, 11, 12, 13]
    # called on every closed-loop morning (+1 preflight on a copy): burn-in 2 + scored 4
    assert [s.day for s in recorder.states] == [8, 9, 10, 11, 12, 13]
    state = recorder.states[-1]
    assert state.today.offered is not None and state.today.price is not None
    assert state.today.threshold is not None and state.today.exposure is not None
    assert state.oracle is None
    assert len(state.history.dates) == 13 and state.history.dates[-1] == state.date - \
        np.timedelta64(1, "D")
    with pytest.raises(ValueError, match="read-only"):
        state.history.accepted[0, 0, 0] = 1
    with pytest.raises(ValueError, match="read-only"):
        state.point_stock.units[0, 0, 0] = 1
    # stock only from the policy's orders: 3 units per cell per morning at most
    assert (result.daily["received"] <= 3 * 4 * 14).all()
    kpis = result.kpis
    assert 0 <= kpis["waste_rate"] <= 1 and 0 <= kpis["fill_rate"] <= 1
    assert kpis["demand"] == pytest.approx(kpis["accepted"] + kpis["lost"])
    pickle.loads(pickle.dumps(result))


def test_spec_and_result_pickle(tiny_config: TwinConfig) -> None:
    spec = RunSpec(tiny_config, PolicySet(), seed=1)
    again = pickle.loads(pickle.dumps(spec))
    a, b = run_twin(spec), run_twin(again)
    assert a.kpis.keys() == b.kpis.keys()  # same spec and seed, same numbers
    np.testing.assert_array_equal(list(a.kpis.values()), list(b.kpis.values()))
    assert a.daily.equals(b.daily)


class Negative:
    def order(self, state: PlatformState) -> OrderDecision:
        return OrderDecision(np.full(state.shape, -1.0))


class NaNs:
    def order(self, state: PlatformState) -> OrderDecision:
        q = np.zeros(state.shape)
        q[1, 2] = np.nan
        return OrderDecision(q)


class WrongShape:
    def order(self, state: PlatformState) -> OrderDecision:
        return OrderDecision(np.zeros((2, 3)))


class BadFeed:
    def rank(self, state: PlatformState) -> Exposure:
        return Exposure(np.array([0, 999]))


class FreePrice:
    def price(self, state: PlatformState) -> np.ndarray:
        return np.zeros(state.shape[1])


@pytest.mark.parametrize(("policies", "message"), [
    (PolicySet(ordering=Negative()), r"Negative returned OrderDecision.point_units .* not >= 0"),
    (PolicySet(ordering=NaNs()), r"NaNs returned OrderDecision.point_units with 1 NaN.*\(1, 2\)"),
    (PolicySet(ordering=WrongShape()), r"WrongShape returned OrderDecision.point_units of shape"),
    (PolicySet(exposure=BadFeed()), r"BadFeed returned Exposure.ranking with unknown product"),
    (PolicySet(pricing=FreePrice()), r"FreePrice returned price .* not > 0"),
])
def test_bad_policy_output_is_named_before_any_day(tiny_config: TwinConfig, policies: PolicySet,
                                                    message: str) -> None:
    days: list[dict] = []
    with pytest.raises(PolicyOutputError, match=message):
        run_twin(RunSpec(tiny_config, policies), on_day=days.append)
    assert days == []


def test_policy_without_its_method_is_refused() -> None:
    with pytest.raises(TwinConfigError, match="policy.ordering: object has no order"):
        PolicySet(ordering=object())
