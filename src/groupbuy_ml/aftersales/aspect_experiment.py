"""The complaint-aspect experiment: seeds, expanded lexicon and weak classifier side by side
on the hand-labelled sample (``data/labels/complaint_aspects``).

The unlabelled training texts are the negative reviews of the training split of the waimai,
fruit and dairy sets (the split every sentiment model uses; the labelled sample comes from its
test split, so none of it is ever trained on). The dev part chooses the lexicon's ``top_k`` and
the classifier's threshold; the test part is scored once with what dev chose.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from groupbuy_ml.aftersales.aspects import ASPECTS, AspectLexicon, WeakAspectClassifier
from groupbuy_ml.aftersales.labelled import labels_dir, load_aspect_labels
from groupbuy_ml.aftersales.metrics import multilabel_metrics
from groupbuy_ml.aftersales.sources import ReviewSource
from groupbuy_ml.data.fingerprint import fingerprint_files
from groupbuy_ml.tracking import resolve_tracking, tracked_run

__all__ = ["aspect_training_texts", "fit_aspect_models", "run_aspect_experiment"]


def aspect_training_texts(root: str | Path | None = None, max_rows: int | None = None
                          ) -> list[str]:
    """Negative reviews of the training split of waimai, fruit and dairy (unlabelled)."""
    frames = [ReviewSource("waimai", root=root).load().train,
              ReviewSource("shopping", ["水果", "蒙牛"], root=root).load().train]
    train = pd.concat(frames, ignore_index=True)
    negative = train.loc[train["label"] == 0]
    if max_rows is not None:
        negative = negative.sample(min(max_rows, len(negative)), random_state=0)
    return negative["text"].tolist()


def fit_aspect_models(texts: Sequence[str], dev: pd.DataFrame, top_k_grid: Sequence[int],
                      threshold_grid: Sequence[float]) -> dict[str, Any]:
    """Seeds, the expanded lexicon (``top_k`` chosen on ``dev`` micro-F1) and the weak
    classifier on it (threshold chosen on ``dev``); returns the models and the choices."""
    truth = dev[list(ASPECTS)].to_numpy()
    seeds = AspectLexicon()
    ranked = seeds.rank_ngrams(texts)
    best_k, best_f1, best_lexicon = 0, -1.0, seeds
    choices: dict[str, float] = {}
    for k in top_k_grid:
        lexicon = seeds.extend(ranked, k)
        f1 = multilabel_metrics(truth, lexicon.label(dev["text"]), ASPECTS)["micro_f1"]
        choices[f"dev_lexicon_micro_f1_top{k}"] = f1
        if f1 > best_f1:
            best_k, best_f1, best_lexicon = k, f1, lexicon
    started = time.perf_counter()
    classifier = WeakAspectClassifier(best_lexicon).fit(texts)
    fit_seconds = time.perf_counter() - started
    proba = classifier.predict_proba(dev["text"])
    scores = {t: multilabel_metrics(truth, (proba >= t).astype(int), ASPECTS)["micro_f1"]
              for t in threshold_grid}
    classifier.threshold = max(scores, key=lambda t: (scores[t], -t))
    choices.update({f"dev_classifier_micro_f1_t{t:.2f}": f for t, f in scores.items()})
    return {"seeds": seeds, "lexicon": best_lexicon, "classifier": classifier, "top_k": best_k,
            "threshold": classifier.threshold, "fit_seconds": fit_seconds, "dev": choices}


def run_aspect_experiment(cfg: DictConfig) -> dict[str, float]:
    """Fit the aspect models on ``cfg.data``'s texts, choose on dev, score test once, track."""
    root = cfg.data.get("root")
    target = resolve_tracking(cfg.tracking.uri, Path(cfg.paths.root_dir).resolve())
    resolved: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    labels = load_aspect_labels(root, cfg.data.get("labels"))
    dev, test = labels.loc[labels["part"] == "dev"], labels.loc[labels["part"] == "test"]
    texts = aspect_training_texts(root, cfg.trainer.get("max_rows"))
    label_folder = Path(cfg.data.labels).parent if cfg.data.get("labels") else \
        labels_dir() / "complaint_aspects"
    fingerprints = {"labels.complaint_aspects": fingerprint_files(label_folder),
                    **ReviewSource("waimai", root=root).fingerprints(),
                    **ReviewSource("shopping", root=root).fingerprints()}
    with tracked_run(cfg.tracking.experiment, cfg.tracking.run_name or "aspects-weak", resolved,
                     target, data_fingerprints=fingerprints,
                     tags={"task": "complaint_aspects"}) as run:
        fitted = fit_aspect_models(texts, dev, list(cfg.trainer.top_k_grid),
                                   list(cfg.trainer.threshold_grid))
        metrics: dict[str, float] = {"n_unlabelled": float(len(texts)), "n_dev": float(len(dev)),
                                     "n_test": float(len(test)), "top_k": float(fitted["top_k"]),
                                     "threshold": fitted["threshold"],
                                     "fit_seconds": fitted["fit_seconds"], **fitted["dev"]}
        truth = test[list(ASPECTS)].to_numpy()
        rows = []
        for name in ("seeds", "lexicon", "classifier"):
            predicted = fitted[name].label(test["text"]) if name != "classifier" else \
                fitted[name].predict(test["text"])
            scored = multilabel_metrics(truth, predicted, ASPECTS)
            metrics.update({f"{name}_{k}": v for k, v in scored.items()})
            rows.append({"method": name, **scored})
        metrics.update({f"none_rate_{k}": v for k, v in
                        {"test": float(test["none"].mean())}.items()})
        run.log_table(pd.DataFrame(rows), "aspect_test_metrics.csv")
        run.log_dict({a: list(c) for a, c in fitted["lexicon"].cues.items()}, "lexicon.json")
        run.log_metrics(metrics)
        if cfg.tracking.log_model:
            run.log_python_model(fitted["classifier"], name="model")
        metrics["run_id"] = run.run_id  # type: ignore[assignment]
    return metrics


