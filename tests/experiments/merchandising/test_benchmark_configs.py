"""Every merchandising experiment config runs end to end on a tiny city (smoke tests)."""

from pathlib import Path

import pytest
from benchmark import cfg, elasticity, formation, stallion, twin

from groupbuy_ml.pricing.benchmark import CONFIG_DIR

TINY_TWIN = {"market": {"n_pickup_points": 4, "n_products": 14, "n_suppliers": 5,
                        "households_per_pickup_point": 40},
             "warm_up_days": 10, "burn_in_days": 1, "days": 3, "delivery": {"mode": "off"}}
TWIN_CONFIGS = sorted(p.stem for p in (CONFIG_DIR / "merchandising").glob("*_twin.yaml")
                      if p.stem != "formation_twin")


@pytest.mark.parametrize("name", TWIN_CONFIGS)
def test_twin_policy_configs_run(name: str, tmp_path: Path) -> None:
    c = cfg(name)
    assert c["baseline"] in c["policies"] and (c["bound"] is None or c["bound"] in c["policies"])
    # every policy config of the hook is benchmarked (and so smoke-tested here)
    configs = {p.stem for p in (CONFIG_DIR / "policy" / c["hook"]).glob("*.yaml")}
    assert configs == set(c["policies"])
    out = twin(cfg(name, twin=TINY_TWIN, seeds=[0]), tmp_path, name)
    assert out["policy"].tolist() == c["policies"] and (tmp_path / f"{name}.csv").exists()
    assert (out["gmv"] > 0).all()
    if c["hook"] == "threshold":  # thresholds only go down: at least as many groups form
        rate = out.set_index("policy")["formation_rate"]
        assert (rate >= rate[c["baseline"]] - 1e-9).all()


def test_elasticity_config_runs(tmp_path: Path) -> None:
    market = {"n_pickup_points": 3, "n_products": 10, "n_days": 35, "n_suppliers": 4,
              "households_per_pickup_point": 40}
    out = elasticity(cfg("elasticity_market", market=market, seeds=[0]), tmp_path)
    assert set(out["level"]) == set(cfg("elasticity_market")["levels"])


def test_formation_config_runs(tmp_path: Path) -> None:
    tiny = {**TINY_TWIN, "days": 20}
    out = formation(cfg("formation_twin", twin=tiny, train_seeds=[0], valid_seeds=[1],
                        test_seeds=[2], checkpoints=[None, 1080],
                        lightgbm_grid=[{"n_estimators": 20}], logistic_C=[1.0]), tmp_path)
    assert set(out["model"]) == {"logistic", "lightgbm", "base_rate"}


@pytest.mark.slow
def test_stallion_config_runs(tmp_path: Path) -> None:
    data = (CONFIG_DIR.parent / cfg("elasticity_stallion")["data"]).resolve()
    if not data.exists():
        pytest.skip(f"the shared Stallion data is not at {data}")
    out = stallion(cfg("elasticity_stallion", data=str(data), levels={"segment": ["segment"]}),
                   tmp_path)
    assert (out["status"] == "ok").all()
