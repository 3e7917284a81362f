"""The fixed train / validation / test split every text model of a benchmark shares.

Neither review set has an official split, so the library fixes one: stratified by the columns
given (label, and category for the shopping set), each stratum shuffled with one seed and cut
at the same fractions. The same frame, columns, fractions and seed always give the same split,
whatever model is trained on it. Validation chooses (early stopping, thresholds, model choice);
test is scored once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.errors import UserInputError

__all__ = ["SPLITS", "TextSplit", "split_texts", "stratified_split"]

SPLITS = ("train", "validation", "test")


def stratified_split(frame: pd.DataFrame, by: Sequence[str],
                     fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
                     seed: int = 0) -> pd.Series:
    """A ``split`` label (``train``, ``validation``, ``test``) for every row of ``frame``.

    Each stratum (rows with equal values in ``by``) is shuffled with ``seed`` and cut at the
    cumulative ``fractions`` (rounded to whole rows), so every split holds each stratum in the
    same proportion.

    Raises:
        UserInputError: fractions that are negative or do not sum to 1, or an unknown column.
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-9:
        raise UserInputError(f"split fractions must be three non-negative numbers summing to 1, "
                             f"got {fractions}")
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise UserInputError(f"cannot stratify by {missing}: the frame has {list(frame.columns)}")
    rng = np.random.default_rng(seed)
    labels = np.empty(len(frame), dtype=object)
    cuts = np.cumsum(fractions)[:2]
    groups = frame.groupby(list(by), sort=True).indices if by else {(): np.arange(len(frame))}
    for key in sorted(groups, key=str):
        rows = rng.permutation(groups[key])
        first, second = (np.round(cuts * len(rows))).astype(int)
        labels[rows[:first]] = "train"
        labels[rows[first:second]] = "validation"
        labels[rows[second:]] = "test"
    return pd.Series(labels, index=frame.index, name="split")


class TextSplit:
    """Train, validation and test frames of one split (each keeps every column)."""

    def __init__(self, train: pd.DataFrame, validation: pd.DataFrame,
                 test: pd.DataFrame) -> None:
        self.train, self.validation, self.test = train, validation, test

    def sizes(self) -> dict[str, int]:
        """Rows per split."""
        return {"n_train": len(self.train), "n_validation": len(self.validation),
                "n_test": len(self.test)}


def split_texts(frame: pd.DataFrame, by: Sequence[str] = ("domain", "label"),
                fractions: tuple[float, float, float] = (0.7, 0.1, 0.2),
                seed: int = 0) -> TextSplit:
    """``frame`` cut into a :class:`TextSplit` by :func:`stratified_split`."""
    split = stratified_split(frame, by, fractions, seed)
    parts = [frame.loc[split == name].reset_index(drop=True) for name in SPLITS]
    return TextSplit(*parts)
