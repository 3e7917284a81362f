"""P(a group buy reaches its threshold before the 23:00 cut-off): models and their scores.

- :class:`FormationModel`: gradient-boosted trees (LightGBM; Ke et al. 2017, NeurIPS) on the
  launch features, calibrated on a validation set by isotonic regression (Zadrozny & Elkan
  2002, KDD) -- or, with ``checkpoint=m``, the sequential update at minute ``m`` of the day with
  the participants who had joined by then (share of the threshold) as extra features.
- :class:`LogisticFormation`: the logistic-regression baseline on the same features.
- :class:`BaseRate`: the training formation rate for every group.
- :func:`formation_scores`: Brier score, AUC, log loss and expected calibration error;
  :func:`reliability_table`: the reliability diagram's bins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.groups.features import FEATURES

__all__ = ["BaseRate", "FormationModel", "LogisticFormation", "formation_scores",
           "reliability_table"]


def _columns(checkpoint: int | None) -> list[str]:
    cols = list(FEATURES)
    if checkpoint is not None:
        cols += [f"share_by_{checkpoint}", f"log_missing_by_{checkpoint}"]
    return cols


def _frame(data: pd.DataFrame, checkpoint: int | None) -> pd.DataFrame:
    x = data.copy()
    if checkpoint is not None:
        joined = x[f"participants_by_{checkpoint}"].to_numpy(np.float64)
        k = x["threshold"].to_numpy(np.float64)
        x[f"share_by_{checkpoint}"] = joined / k
        x[f"log_missing_by_{checkpoint}"] = np.log1p(np.maximum(k - joined, 0))
    return x[_columns(checkpoint)].astype(np.float64)


def _check(data: pd.DataFrame, what: str) -> None:
    if data.empty:
        raise InvalidDataError(f"{what}: no group buys; run the twin for more closed-loop days")


@dataclass
class BaseRate:
    """Every group buy forms with the training rate."""

    rate: float = float("nan")

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> BaseRate:
        _check(train, "train")
        self.rate = float(train["formed"].mean())
        return self

    def predict_proba(self, data: pd.DataFrame) -> np.ndarray:
        return np.full(len(data), self.rate)


@dataclass
class LogisticFormation:
    """Logistic regression on the launch features (numeric scaled, category one-hot)."""

    checkpoint: int | None = None
    C: float = 1.0
    model: Any = field(default=None, repr=False)

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> LogisticFormation:
        _check(train, "train")
        x = _frame(train, self.checkpoint).fillna(0.0)
        numeric = [c for c in x.columns if c != "category_code"]
        pre = ColumnTransformer([("num", StandardScaler(), numeric),
                                 ("cat", OneHotEncoder(handle_unknown="ignore"),
                                  ["category_code"])])
        self.model = make_pipeline(pre, LogisticRegression(C=self.C, max_iter=2000))
        self.model.fit(x, train["formed"].to_numpy())
        return self

    def predict_proba(self, data: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(_frame(data, self.checkpoint).fillna(0.0))[:, 1]


@dataclass
class FormationModel:
    """LightGBM on the launch (or checkpoint) features, isotonic-calibrated on ``valid``
    (without a validation set the raw LightGBM probabilities are used, and ``calibrated``
    says so)."""

    checkpoint: int | None = None
    n_estimators: int = 200
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_child_samples: int = 20
    seed: int = 0
    model: Any = field(default=None, repr=False)
    calibrator: Any = field(default=None, repr=False)
    calibrated: bool = False

    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> FormationModel:
        import lightgbm as lgb

        _check(train, "train")
        self.model = lgb.LGBMClassifier(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
            random_state=self.seed, n_jobs=1, verbose=-1)
        y = train["formed"].to_numpy()
        if len(np.unique(y)) < 2:
            raise InvalidDataError("train.formed: every group buy had the same outcome; "
                                   "a formation model needs both formed and failed groups")
        self.model.fit(_frame(train, self.checkpoint), y, categorical_feature=["category_code"])
        if valid is not None and len(valid) and valid["formed"].nunique() == 2:
            raw = self.model.predict_proba(_frame(valid, self.checkpoint))[:, 1]
            self.calibrator = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            self.calibrator.fit(raw, valid["formed"].to_numpy())
            self.calibrated = True
        return self

    def predict_proba(self, data: pd.DataFrame) -> np.ndarray:
        raw = self.model.predict_proba(_frame(data, self.checkpoint))[:, 1]
        return self.calibrator.predict(raw) if self.calibrated else raw


def formation_scores(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Brier score, ROC-AUC, log loss and ECE (``bins`` equal-width bins)."""
    y, p = np.asarray(y), np.clip(np.asarray(p, np.float64), 1e-6, 1 - 1e-6)
    rel = reliability_table(y, p, bins)
    ece = float((rel["n"] * (rel["mean_predicted"] - rel["observed"]).abs()).sum() / len(y))
    return {"n": float(len(y)), "rate": float(y.mean()), "brier": float(brier_score_loss(y, p)),
            "auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan"),
            "log_loss": float(log_loss(y, p, labels=[0, 1])), "ece": ece}


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """The reliability diagram: per probability bin, groups, mean prediction, observed rate."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    frame = pd.DataFrame({"bin": idx, "p": p, "y": y})
    out = frame.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"),
                                   observed=("y", "mean")).reset_index()
    out["low"], out["high"] = edges[out["bin"]], edges[out["bin"] + 1]
    return out[["low", "high", "n", "mean_predicted", "observed"]]
