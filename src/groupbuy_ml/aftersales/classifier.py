"""The interface every text classifier of the library shares (sentiment, intents, aspects).

``fit(texts, labels, validation=(texts, labels))`` trains (the validation part chooses early
stopping and settings, never the test part); ``predict_proba(texts)`` gives one probability
column per entry of ``classes_``; ``predict(texts)`` the most probable class. Texts go through
the classifier's :class:`~groupbuy_ml.aftersales.text.TextNormalizer` first, in training and
prediction alike. ``predict`` also takes a DataFrame with a ``text`` column, which is what an
MLflow pyfunc model receives.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["TextClassifier", "Validation", "as_texts"]

Validation = tuple[Sequence[str], Sequence[Any]]
"""Texts and labels of the validation part."""


def as_texts(texts: Any) -> list[str]:
    """A list of texts from a list, a Series or a frame with a ``text`` column."""
    if isinstance(texts, pd.DataFrame):
        if "text" not in texts.columns:
            raise KeyError(f"a frame of texts needs a 'text' column; it has {list(texts.columns)}")
        texts = texts["text"]
    if isinstance(texts, str):
        raise TypeError("pass a list of texts, not one string")
    return list(texts)


class TextClassifier(ABC):
    """Base of the text classifiers: normalisation, ``predict`` from ``predict_proba``."""

    classes_: np.ndarray
    normalizer: TextNormalizer

    def prepare(self, texts: Any) -> list[str]:
        """The texts normalised as this model sees them."""
        return [self.normalizer(t) for t in as_texts(texts)]

    @abstractmethod
    def fit(self, texts: Sequence[str], labels: Sequence[Any],
            validation: Validation | None = None) -> Self:
        """Train on ``texts`` / ``labels``; ``validation`` chooses settings when given."""

    @abstractmethod
    def predict_proba(self, texts: Any) -> np.ndarray:
        """``(n, len(classes_))`` class probabilities."""

    def predict(self, texts: Any) -> np.ndarray:
        """The most probable class of each text."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]
