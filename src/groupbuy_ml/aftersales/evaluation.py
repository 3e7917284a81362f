"""Scoring a fitted text classifier: test metrics, per-domain rows, throughput.

Used by the experiment runner and the benchmarks alike, so a RESULTS.md row and an MLflow run
hold the same numbers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.classifier import TextClassifier
from groupbuy_ml.aftersales.metrics import classification_metrics
from groupbuy_ml.data.loaders.reviews import DOMAIN_NAMES

__all__ = ["domain_metrics", "score_frame", "texts_per_second"]


def score_frame(model: TextClassifier, frame: pd.DataFrame,
                prefix: str = "") -> tuple[dict[str, float], np.ndarray]:
    """Metrics of ``model`` on ``frame`` (``text``, ``label``) with ``prefix`` on each name,
    and the probabilities (labels unseen in training count as wrong)."""
    proba = model.predict_proba(frame["text"].tolist())
    classes = list(model.classes_)
    known = frame["label"].isin(classes).to_numpy()
    metrics = classification_metrics(frame["label"][known], proba[known], classes)
    if not known.all():  # a class the training labels lack: always wrong
        metrics["accuracy"] *= known.mean()
    metrics["n"] = float(len(frame))
    return {f"{prefix}{k}": v for k, v in metrics.items()}, proba


def domain_metrics(model: TextClassifier, frame: pd.DataFrame, domains: Sequence[str],
                   prefix: str = "") -> dict[str, float]:
    """:func:`score_frame` per domain of ``domains`` present in ``frame``, named by the
    domain's ASCII name (``fruit_macro_f1``)."""
    out: dict[str, float] = {}
    for domain in domains:
        part = frame.loc[frame["domain"] == domain]
        if len(part):
            name = DOMAIN_NAMES.get(domain, domain)
            out.update(score_frame(model, part, f"{prefix}{name}_")[0])
    return out


def texts_per_second(model: TextClassifier, texts: Sequence[str], repeats: int = 1) -> float:
    """Texts scored per second by one batched ``predict_proba`` call over ``texts``
    (normalisation included), best of ``repeats``."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        model.predict_proba(list(texts))
        best = min(best, time.perf_counter() - started)
    return len(texts) / best
