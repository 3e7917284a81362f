"""Group formation: the models rank and calibrate; bad input and config name the field (the
threshold configs run in tests/experiments/merchandising)."""

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.groups import BaseRate, FormationModel, FormationThreshold, LogisticFormation
from groupbuy_ml.groups.features import FEATURES
from groupbuy_ml.groups.model import formation_scores, reliability_table


def synthetic_log(n: int, seed: int) -> pd.DataFrame:
    """Groups form when Poisson participants reach the threshold; expected participants are
    exp(log_units_per_threshold) times the threshold."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(size=n) for c in FEATURES})
    frame["category_code"] = rng.integers(0, 3, n)
    k = rng.integers(3, 30, n)
    frame["threshold"] = k
    frame["log_threshold"] = np.log(k)
    frame["log_units_per_threshold"] = rng.normal(0.0, 0.5, n)
    joined = rng.poisson(np.exp(frame["log_units_per_threshold"]) * k)
    frame["participants_by_1080"] = rng.binomial(joined, 0.6)
    frame["formed"] = (joined >= k).astype(int)
    return frame


def test_models_beat_the_base_rate_and_the_update_helps() -> None:
    train, valid, test = synthetic_log(1500, 0), synthetic_log(500, 1), synthetic_log(800, 2)
    base = formation_scores(test["formed"], BaseRate().fit(train).predict_proba(test))
    logit = formation_scores(test["formed"], LogisticFormation().fit(train).predict_proba(test))
    lgbm = FormationModel(n_estimators=60).fit(train, valid)
    assert lgbm.calibrated
    at_launch = formation_scores(test["formed"], lgbm.predict_proba(test))
    at_six = formation_scores(test["formed"], FormationModel(
        checkpoint=1080, n_estimators=60).fit(train, valid).predict_proba(test))
    assert logit["brier"] < base["brier"] and at_launch["brier"] < base["brier"]
    assert at_launch["auc"] > 0.75 and at_six["brier"] < at_launch["brier"]
    rel = reliability_table(test["formed"].to_numpy(), lgbm.predict_proba(test))
    assert rel["n"].sum() == len(test)


def test_a_log_with_one_outcome_is_rejected() -> None:
    log = synthetic_log(100, 0).assign(formed=1)
    with pytest.raises(InvalidDataError, match="formed"):
        FormationModel().fit(log)
    with pytest.raises(InvalidDataError, match="no group buys"):
        BaseRate().fit(log.iloc[:0])


def test_threshold_policy_config_errors_name_the_field() -> None:
    with pytest.raises(ConfigError, match="factors"):
        FormationThreshold(factors=(0.0, 1.0))
    with pytest.raises(ConfigError, match="target"):
        FormationThreshold(target=1.0)
