"""The honest peers every text benchmark reports: the majority class and a character n-gram
TF-IDF + logistic regression model.

The linear model is the strong classical baseline of Chinese sentiment and intent work
(character n-grams need no word segmenter; cf. Wang & Manning 2012, "Baselines and bigrams:
simple, good sentiment and topic classification", ACL). Its regularisation strength is chosen
on the validation part from a grid, so the peer is tuned as carefully as the neural model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from groupbuy_ml.aftersales.classifier import TextClassifier, Validation
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["MajorityClassifier", "TfidfLinearClassifier"]


class MajorityClassifier(TextClassifier):
    """Predicts the training class frequencies for every text (the floor)."""

    def __init__(self, normalizer: TextNormalizer | None = None) -> None:
        self.normalizer = normalizer or TextNormalizer()

    def fit(self, texts: Sequence[str], labels: Sequence[Any],
            validation: Validation | None = None) -> Self:
        self.classes_, counts = np.unique(np.asarray(labels), return_counts=True)
        self.prior_ = counts / counts.sum()
        return self

    def predict_proba(self, texts: Any) -> np.ndarray:
        return np.tile(self.prior_, (len(self.prepare(texts)), 1))


class TfidfLinearClassifier(TextClassifier):
    """Character n-gram TF-IDF (scikit-learn) + multinomial logistic regression.

    Args:
        ngram_range: character n-gram lengths.
        min_df: an n-gram must occur in this many training texts.
        max_features: keep the most frequent n-grams only (``None``: all).
        c_grid: inverse regularisation strengths tried; the best validation macro-F1 wins
            (the first value is used when no validation part is given).
        class_weight: ``"balanced"`` re-weights classes by inverse frequency.
        max_iter: L-BFGS iterations.
        normalizer: text normalisation.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_df: int = 2,
                 max_features: int | None = None, c_grid: Sequence[float] = (1.0, 4.0, 16.0),
                 class_weight: str | None = None, max_iter: int = 1000,
                 normalizer: TextNormalizer | None = None) -> None:
        self.ngram_range, self.min_df, self.max_features = tuple(ngram_range), min_df, \
            max_features
        self.c_grid, self.class_weight, self.max_iter = list(c_grid), class_weight, max_iter
        self.normalizer = normalizer or TextNormalizer()

    def fit(self, texts: Sequence[str], labels: Sequence[Any],
            validation: Validation | None = None) -> Self:
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range,
                                           min_df=self.min_df, max_features=self.max_features,
                                           sublinear_tf=True, lowercase=False)
        features = self.vectorizer_.fit_transform(self.prepare(texts))
        y = np.asarray(labels)
        grid = self.c_grid if validation is not None else self.c_grid[:1]
        val_x = self.vectorizer_.transform(self.prepare(validation[0])) if validation else None
        self.history_: list[dict[str, float]] = []
        best: tuple[float, LogisticRegression] | None = None
        for c in grid:
            started = time.perf_counter()
            model = LogisticRegression(C=c, class_weight=self.class_weight,
                                       max_iter=self.max_iter).fit(features, y)
            row = {"c": float(c), "fit_seconds": time.perf_counter() - started}
            if validation is not None:
                score = float(f1_score(np.asarray(validation[1]), model.predict(val_x),
                                       average="macro"))
                row["val_macro_f1"] = score
                if best is None or score > best[0]:
                    best = (score, model)
            else:
                best = (float("nan"), model)
            self.history_.append(row)
        assert best is not None
        self.model_ = best[1]
        self.c_ = float(self.model_.C)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, texts: Any) -> np.ndarray:
        return self.model_.predict_proba(self.vectorizer_.transform(self.prepare(texts)))
