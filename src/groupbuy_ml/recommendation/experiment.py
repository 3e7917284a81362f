"""The recommendation experiment a Hydra config describes: load, fit, rank, evaluate, track."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.recommendation.evaluation import evaluate_ranking
from groupbuy_ml.recommendation.matrix import interaction_matrix
from groupbuy_ml.tracking import resolve_tracking, tracked_run


def run_recommendation_experiment(cfg: DictConfig) -> dict[str, float]:
    """Fit ``cfg.model`` on ``cfg.data``'s training interactions and rank every item for every
    test user (training items masked); returns recall / NDCG / hit rate / coverage at
    ``cfg.trainer.k`` (also logged to MLflow with the config, data fingerprint and model)."""
    source = instantiate(cfg.data)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    data = source.load()  # first: a model may read side information of the same data
    model = instantiate(cfg.model)
    run_name = cfg.tracking.run_name or f"{type(model).__name__}-{source.name}"
    tags = {"model": type(model).__name__, "dataset": source.name, "task": "recommendation"}
    with tracked_run(cfg.tracking.experiment, run_name, resolved, target,
                     data_fingerprints=source.fingerprints(), tags=tags) as run:
        weighted = bool(cfg.trainer.get("weighted", False))
        train = interaction_matrix(data.train, data.num_users, data.num_items, weighted)
        test = interaction_matrix(data.test, data.num_users, data.num_items)
        started = time.perf_counter()
        model.fit(train)
        metrics = evaluate_ranking(model, test, k=int(cfg.trainer.k))
        metrics["fit_seconds"] = time.perf_counter() - started - metrics["eval_seconds"]
        chosen = getattr(model, "chosen_", None)  # hyper-parameters chosen on validation
        if chosen:
            metrics.update({f"chosen_{key}": float(value) for key, value in chosen.items()})
        history = getattr(model, "history_", None)
        if history:  # training curves of the BPR-trained models
            run.log_history(history)
        run.log_metrics(metrics)
        if cfg.tracking.log_model:
            run.log_python_model(model, name="model")
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics
