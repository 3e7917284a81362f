"""Every recommendation experiment config runs end to end on a tiny CPU setting."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hydra.utils import instantiate
from mlflow.tracking import MlflowClient
from omegaconf import open_dict

from groupbuy_ml.cli.hydra_app import compose_config, config_dir
from groupbuy_ml.recommendation.experiment import run_recommendation_experiment
from groupbuy_ml.tracking import resolve_tracking

EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("recommend_*.yaml"))
TINY_MARKET = {"n_pickup_points": 3, "n_products": 12, "n_days": 21, "seed": 5}


def write_lightgcn_files(folder: Path, users: int = 30, items: int = 25) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir()
    for name, n in (("train.txt", 5), ("test.txt", 2)):
        lines = [" ".join(map(str, [u, *rng.choice(items, n, replace=False)]))
                 for u in range(users)]
        (folder / name).write_text("\n".join(lines) + "\n")


# Same pipeline and data path as recommend_bspm_gowalla (CI budget): its model config is still
# built and fitted in the default run by test_validated_filter_model_configs_fit_tiny_data.
SLOW_SMOKE = {"recommend_chebycf_gowalla"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_SMOKE
                                  else n for n in EXPERIMENTS])
def test_recommendation_config_smoke(name: str, tmp_path: Path) -> None:
    overrides = [f"experiment={name}", f"paths.root_dir={tmp_path}"]
    if "gfcf" in name:
        overrides.append("model.n_components=8")
    if "bspm" in name:  # one grid point: the selection itself is tested in test_bspm.py
        overrides += ["model.sharpen_times=[2.5]", "model.idl_betas=[0.2]",
                      "model.n_components=[8]"]
    if "chebycf" in name:
        overrides += ["model.flatnesses=[1.5]", "model.ideal_weights=[0.2]",
                      "model.n_components=[8]", "model.degree_powers=[0.4]"]
    if "lightgcn" in name or "mf_bpr" in name:
        overrides += ["model.max_epochs=2", "model.embedding_dim=8"]
    cfg = compose_config("train", overrides)
    with open_dict(cfg):
        if "market" in cfg.data:
            cfg.data.market.simulation = {**cfg.data.market.simulation, **TINY_MARKET}
            cfg.data.test_days = 3
        else:  # any folder in the LightGCN format, given only its path
            write_lightgcn_files(tmp_path / "tiny")
            cfg.data.root = str(tmp_path / "tiny")
    metrics = run_recommendation_experiment(cfg)
    assert 0 <= metrics["recall_at_20"] <= 1 and metrics["n_users"] > 0
    if "bspm" in name or "chebycf" in name:  # chosen on validation, reported with the run
        assert 0 <= metrics["chosen_val_recall"] <= 1
    run = MlflowClient(resolve_tracking(None, tmp_path).uri).get_run(metrics["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.metrics["recall_at_20"] == pytest.approx(metrics["recall_at_20"])


@pytest.mark.parametrize("model", ["bspm", "bspm_validated", "chebycf", "chebycf_validated"])
def test_validated_filter_model_configs_fit_tiny_data(model: str) -> None:
    small = ["model.n_components=[6]" if "validated" in model else "model.n_components=6"]
    cfg = compose_config("train", [f"model={model}", *small])
    rng = np.random.default_rng(1)
    train = sp.csr_matrix((rng.uniform(size=(30, 20)) < 0.3).astype(np.float32))
    fitted = instantiate(cfg.model).fit(train)
    top, _ = fitted.recommend(np.arange(5), 3)
    assert top.shape == (5, 3)
    seen = train[np.arange(5)].toarray()
    assert not seen[np.arange(5)[:, None], top.numpy()].any()  # training items masked
    if "validated" in model:
        assert fitted.chosen_ == max(fitted.history_, key=lambda row: row["val_recall"])
