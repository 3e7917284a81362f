"""Tiny synthetic Chinese texts: two sentiment classes a model must separate."""

from __future__ import annotations

import numpy as np
import pytest

GOOD = ["很好吃", "送得很快", "新鲜", "满意", "好评", "味道不错"]
BAD = ["太慢了", "难吃", "坏了", "差评", "烂的", "不新鲜还贵"]


def tiny_reviews(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n).tolist()
    texts = ["，".join(rng.choice(GOOD if y else BAD, 2)) + "。" for y in labels]
    return texts, labels


@pytest.fixture(scope="module")
def reviews() -> dict[str, tuple[list[str], list[int]]]:
    return {"train": tiny_reviews(120, 0), "validation": tiny_reviews(40, 1),
            "test": tiny_reviews(40, 2)}
