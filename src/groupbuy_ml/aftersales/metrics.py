"""Metrics of text classifiers: accuracy, macro-F1, ROC-AUC, calibration, multi-label and
the coverage an answering threshold gives.

- Accuracy, macro-F1 and ROC-AUC are scikit-learn's (``f1_score(average="macro")``: the
  unweighted mean of the per-class F1, so a rare class counts as much as a frequent one;
  ROC-AUC of the positive class for two classes, one-vs-rest macro for more).
- Expected calibration error (Naeini, Cooper & Hauskrecht 2015, "Obtaining well calibrated
  probabilities using Bayesian binning", AAAI; the top-label form of Guo et al. 2017, "On
  calibration of modern neural networks", ICML): predictions binned by their top probability
  into ``n_bins`` equal-width bins, ECE = sum over bins of (bin share) x |accuracy - mean
  confidence|.
- Brier score (Brier 1950): mean over texts of the squared distance between the probability
  vector and the one-hot truth, summed over classes.
- :func:`coverage_curve`: for a threshold t, the share of questions whose top probability is
  at least t (answered automatically) and the accuracy on those; the rest go to a person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

__all__ = ["brier_score", "classification_metrics", "coverage_at", "coverage_curve",
           "expected_calibration_error", "multilabel_metrics"]


def _indices(y_true: ArrayLike, classes: Sequence) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(classes)}
    try:
        return np.array([lookup[y] for y in np.asarray(y_true).tolist()], dtype=np.int64)
    except KeyError as error:
        raise ValueError(f"label {error.args[0]!r} is not one of the classes {list(classes)}"
                         ) from None


def expected_calibration_error(y_true: ArrayLike, proba: np.ndarray, classes: Sequence,
                               n_bins: int = 15) -> float:
    """Top-label ECE with ``n_bins`` equal-width confidence bins (see the module docstring)."""
    truth = _indices(y_true, classes)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in np.unique(bins):
        inside = bins == b
        ece += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(ece)


def brier_score(y_true: ArrayLike, proba: np.ndarray, classes: Sequence) -> float:
    """Mean squared distance between probability vectors and one-hot truths."""
    onehot = np.eye(len(classes))[_indices(y_true, classes)]
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def classification_metrics(y_true: ArrayLike, proba: np.ndarray,
                           classes: Sequence) -> dict[str, float]:
    """Accuracy, macro-F1, ROC-AUC (when every class occurs), ECE and Brier of ``proba``.

    Args:
        y_true: the true labels.
        proba: ``(n, len(classes))`` probabilities, columns in the order of ``classes``.
        classes: the class labels.
    """
    truth = _indices(y_true, classes)
    predicted = proba.argmax(axis=1)
    labels = np.arange(len(classes))
    metrics = {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro",
                                   zero_division=0)),
        "ece": expected_calibration_error(y_true, proba, classes),
        "brier": brier_score(y_true, proba, classes),
    }
    present = np.unique(truth)
    if len(classes) == 2 and len(present) == 2:
        metrics["roc_auc"] = float(roc_auc_score(truth, proba[:, 1]))
    elif len(classes) > 2 and len(present) == len(classes):
        metrics["roc_auc"] = float(roc_auc_score(truth, proba, multi_class="ovr",
                                                 average="macro", labels=labels))
    return metrics


def multilabel_metrics(truth: np.ndarray, predicted: np.ndarray,
                       names: Sequence[str]) -> dict[str, float]:
    """Per-label precision / recall / F1, micro- and macro-F1 and the exact-match share.

    ``truth`` and ``predicted`` are ``(n, len(names))`` 0/1 arrays. A label with no true and
    no predicted positive has F1 1 (nothing to find, nothing wrongly found).
    """
    truth, predicted = np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool)
    metrics: dict[str, float] = {}
    f1s = []
    for j, name in enumerate(names):
        tp = float((truth[:, j] & predicted[:, j]).sum())
        fp = float((~truth[:, j] & predicted[:, j]).sum())
        fn = float((truth[:, j] & ~predicted[:, j]).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        metrics.update({f"{name}_precision": precision, f"{name}_recall": recall,
                        f"{name}_f1": f1})
        f1s.append(f1)
    tp = float((truth & predicted).sum())
    wrong = float((truth ^ predicted).sum())
    metrics["micro_f1"] = 2 * tp / (2 * tp + wrong) if tp + wrong else 1.0
    metrics["macro_f1"] = float(np.mean(f1s))
    metrics["exact_match"] = float((truth == predicted).all(axis=1).mean())
    return metrics


def coverage_curve(y_true: ArrayLike, proba: np.ndarray, classes: Sequence,
                   thresholds: Sequence[float] | None = None) -> pd.DataFrame:
    """Per threshold: ``coverage`` (share answered automatically), ``accuracy`` on those
    (NaN when none is answered) and ``answered`` (their count)."""
    truth = _indices(y_true, classes)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    grid = np.round(np.arange(0.0, 1.0, 0.05), 2) if thresholds is None else thresholds
    rows = []
    for t in grid:
        answered = confidence >= t
        rows.append({"threshold": float(t), "coverage": float(answered.mean()),
                     "accuracy": float(correct[answered].mean()) if answered.any() else np.nan,
                     "answered": int(answered.sum())})
    return pd.DataFrame(rows)


def coverage_at(y_true: ArrayLike, proba: np.ndarray, classes: Sequence,
                threshold: float) -> dict[str, float]:
    """Coverage and answered accuracy at one threshold."""
    row = coverage_curve(y_true, proba, classes, [threshold]).iloc[0]
    return {"coverage": float(row["coverage"]), "answered_accuracy": float(row["accuracy"])}
