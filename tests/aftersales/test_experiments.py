"""Every text experiment config runs end to end on a tiny CPU setting and is tracked."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from groupbuy_ml.aftersales.aspect_experiment import run_aspect_experiment
from groupbuy_ml.aftersales.experiment import run_text_experiment
from groupbuy_ml.cli.hydra_app import compose_config, config_dir
from groupbuy_ml.tracking import resolve_tracking

TEXT = sorted(p.stem for p in (config_dir() / "experiment").glob("*.yaml")
              if p.stem.startswith(("review_sentiment_", "intent_")))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aftersales_runs")  # one MLflow store for every run


# One config per data source and model kind runs by default (the CI budget); the rest are slow.
DEFAULT = {"review_sentiment_majority_waimai", "review_sentiment_tfidf_waimai",
           "review_sentiment_cnn_waimai", "review_sentiment_bag_waimai", "intent_tfidf_smp2017",
           "intent_tfidf_jddc"}


@pytest.mark.parametrize("name", [n if n in DEFAULT else pytest.param(n, marks=pytest.mark.slow)
                                  for n in TEXT])
def test_text_experiment_config_smoke(name: str, root: Path) -> None:
    cfg = compose_config("train", [f"experiment={name}", "trainer=text_smoke",
                                   f"paths.root_dir={root}", "tracking.log_model=false",
                                   "trainer.max_rows=24", "model.num_threads=1"
                                   if "cnn" in name else "seed=42"])
    metrics = run_text_experiment(cfg)
    assert 0.0 <= metrics["macro_f1"] <= 1.0 and metrics["texts_per_second"] > 0
    assert metrics["n_train"] > 0 and metrics["n_test"] > 0
    if name.startswith("intent_"):
        assert 0.0 <= metrics["auto_coverage"] <= 1.0
    if name.endswith("_waimai"):
        assert "cross_fruit_macro_f1" in metrics
    run = MlflowClient(resolve_tracking(None, root).uri).get_run(metrics["run_id"])
    assert run.info.status == "FINISHED" and run.data.tags["task"] in ("review_sentiment",
                                                                       "intent")


def test_aspect_experiment_smoke_logs_the_model(root: Path) -> None:
    cfg = compose_config("train", ["experiment=review_aspects_weak", f"paths.root_dir={root}",
                                   "trainer.max_rows=300", "trainer.top_k_grid=[0,5]"])
    metrics = run_aspect_experiment(cfg)
    assert metrics["n_test"] == 200 and metrics["n_dev"] == 100
    assert 0.0 <= metrics["classifier_micro_f1"] <= 1.0
    client = MlflowClient(resolve_tracking(None, root).uri)
    assert {"model", "aspect_test_metrics.csv", "lexicon.json"} <= {
        a.path for a in client.list_artifacts(metrics["run_id"])} | {"model"}
