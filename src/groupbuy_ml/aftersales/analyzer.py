"""Sentiment and complaint aspects of reviews in one call: what serving and the operations
feedback loop use.

:class:`ReviewAnalyzer` holds a fitted sentiment classifier (classes 0 negative / 1 positive)
and, optionally, a fitted aspect model (:class:`~groupbuy_ml.aftersales.aspects.
WeakAspectClassifier` or an :class:`~groupbuy_ml.aftersales.aspects.AspectLexicon`). Aspects
are reported for reviews predicted negative only (the aspect models were built for
complaints); each row also says how the text was normalised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.aspects import ASPECTS
from groupbuy_ml.aftersales.classifier import as_texts
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["ReviewAnalyzer"]


class ReviewAnalyzer:
    """``analyze(texts)`` -> one row per review: ``p_negative``, ``negative``, one probability
    column per aspect (0 for positive reviews), ``aspects`` (names above the aspect model's
    threshold), ``informative``, ``converted``, ``truncated``.

    Args:
        sentiment: a fitted classifier with ``classes_`` holding 0 and 1.
        aspects: a fitted aspect model (``predict_proba`` and ``threshold``, or a lexicon's
            ``label``), or ``None``.
        negative_threshold: a review is negative when ``p_negative`` is at least this.
    """

    def __init__(self, sentiment: Any, aspects: Any = None,
                 negative_threshold: float = 0.5) -> None:
        classes = [int(c) for c in np.asarray(sentiment.classes_).tolist()]
        if sorted(classes) != [0, 1]:
            raise ValueError(f"the sentiment model must have classes 0 and 1, has {classes}")
        self.sentiment, self.aspects = sentiment, aspects
        self.negative_column = classes.index(0)
        self.negative_threshold = negative_threshold
        self.normalizer: TextNormalizer = getattr(sentiment, "normalizer", TextNormalizer())

    def analyze(self, texts: Any) -> pd.DataFrame:
        items = as_texts(texts)
        inspected = [self.normalizer.inspect(t) for t in items]
        p_negative = self.sentiment.predict_proba(items)[:, self.negative_column]
        negative = p_negative >= self.negative_threshold
        aspect_p = np.zeros((len(items), len(ASPECTS)))
        threshold = 0.5
        if self.aspects is not None and negative.any():
            chosen = [t for t, n in zip(items, negative, strict=True) if n]
            if hasattr(self.aspects, "predict_proba"):
                aspect_p[negative] = self.aspects.predict_proba(chosen)
                threshold = float(self.aspects.threshold)
            else:
                aspect_p[negative] = self.aspects.label(chosen)
        frame = pd.DataFrame(aspect_p, columns=list(ASPECTS))
        frame.insert(0, "negative", negative)
        frame.insert(0, "p_negative", p_negative)
        frame["aspects"] = [[a for a, p in zip(ASPECTS, row, strict=True) if p >= threshold]
                            for row in aspect_p]
        frame["informative"] = [i.informative for i in inspected]
        frame["converted"] = [i.converted for i in inspected]
        frame["truncated"] = [i.truncated for i in inspected]
        return frame

    def predict(self, texts: Any) -> pd.DataFrame:
        """:meth:`analyze` (the MLflow pyfunc entry)."""
        return self.analyze(texts)
