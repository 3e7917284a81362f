"""The text experiments a Hydra config describes: load, fit (validation chooses), score the
test part once, track everything in MLflow.

- :func:`run_text_experiment`: a sentiment or intent classifier (``configs/experiment/
  review_sentiment_*``, ``intent_*``): test accuracy / macro-F1 / ROC-AUC / ECE / Brier,
  validation metrics, fit seconds, texts scored per second; rows per domain
  (``trainer.report_domains``) and on other datasets (``evaluate_on``: the cross-domain rows);
  for intents, the answering threshold chosen on validation (``trainer.target_accuracy``) and
  the share of test questions answered automatically at it.
- :func:`run_aspect_experiment` (:mod:`groupbuy_ml.aftersales.aspect_experiment`): the
  complaint-aspect models on the hand-labelled sample.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.aftersales.evaluation import domain_metrics, score_frame, texts_per_second
from groupbuy_ml.aftersales.intents import choose_threshold
from groupbuy_ml.aftersales.metrics import coverage_at
from groupbuy_ml.tracking import resolve_tracking, tracked_run

__all__ = ["run_text_experiment"]


def run_text_experiment(cfg: DictConfig) -> dict[str, float]:
    """Fit ``cfg.model`` on ``cfg.data``'s train part (validation for early stopping and
    settings), score validation and test, log the run; returns the metrics (test unprefixed,
    validation ``val_``, cross-domain ``<name>_``)."""
    source = instantiate(cfg.data)
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    split = source.load()
    model = instantiate(cfg.model)
    others = {name: instantiate(spec) for name, spec in (cfg.get("evaluate_on") or {}).items()}
    fingerprints = dict(source.fingerprints())
    for other in others.values():
        fingerprints.update(other.fingerprints())
    run_name = cfg.tracking.run_name or f"{type(model).__name__}-{source.name}"
    tags = {"model": type(model).__name__, "dataset": source.name,
            "task": str(cfg.get("text_task", "text_classification"))}
    trainer = cfg.trainer
    with tracked_run(cfg.tracking.experiment, run_name, resolved, target,
                     data_fingerprints=fingerprints, tags=tags) as run:
        started = time.perf_counter()
        model.fit(split.train["text"].tolist(), split.train["label"].tolist(),
                  validation=(split.validation["text"].tolist(),
                              split.validation["label"].tolist()))
        metrics: dict[str, float] = {"fit_seconds": time.perf_counter() - started,
                                     **{k: float(v) for k, v in split.sizes().items()}}
        val_metrics, val_proba = score_frame(model, split.validation, "val_")
        test_metrics, test_proba = score_frame(model, split.test)
        metrics.update(val_metrics)
        metrics.update(test_metrics)
        metrics["texts_per_second"] = texts_per_second(
            model, split.test["text"].tolist(), int(trainer.get("throughput_repeats", 1)))
        metrics.update(domain_metrics(model, split.test, list(trainer.get("report_domains")
                                                               or [])))
        for name, other in others.items():
            metrics.update(score_frame(model, other.load().test, f"{name}_")[0])
        if trainer.get("target_accuracy") is not None:
            threshold, curve = choose_threshold(split.validation["label"].tolist(), val_proba,
                                                list(model.classes_),
                                                float(trainer.target_accuracy))
            metrics["threshold"] = threshold
            model.answer_threshold_ = threshold  # served with the model (/v1/intent)
            at = coverage_at(split.test["label"].tolist(), test_proba, list(model.classes_),
                             threshold)
            metrics.update({f"auto_{k}": v for k, v in at.items()})
            run.log_table(curve, "validation_coverage_curve.csv")
        history = getattr(model, "history_", None)
        if history:
            run.log_history([{k: v for k, v in row.items() if k != "c"} | {"epoch": i}
                             if "epoch" not in row else row for i, row in enumerate(history)])
        run.log_metrics(metrics)
        if cfg.tracking.log_model:
            run.log_python_model(model, name="model")
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics
