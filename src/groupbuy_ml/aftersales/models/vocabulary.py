"""Characters and character bigrams as integer ids: the input of the neural text models.

Chinese needs no word segmenter at this level: every character is a token, and the bigram
starting at each position (``送餐`` in ``送餐慢``) adds the most frequent two-character words
back (as in the character + bigram embeddings of Chinese sequence labelling, e.g. Chen et al.
2015, "Long short-term memory neural networks for Chinese word segmentation", EMNLP).
Id 0 pads, id 1 is an unseen token.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Self

import numpy as np
import torch

__all__ = ["PAD", "UNK", "CharBigramVocabulary"]

PAD, UNK = 0, 1


class CharBigramVocabulary:
    """Id maps of the characters and bigrams seen in training.

    Args:
        min_count: a character or bigram must occur this often in training to get an id.
        max_bigrams: keep at most this many bigrams (the most frequent).
    """

    def __init__(self, min_count: int = 2, max_bigrams: int = 100_000) -> None:
        self.min_count, self.max_bigrams = min_count, max_bigrams

    def fit(self, texts: Sequence[str]) -> Self:
        chars, bigrams = Counter(), Counter()
        for text in texts:
            chars.update(text)
            bigrams.update(text[i:i + 2] for i in range(len(text) - 1))
        keep_chars = sorted(c for c, n in chars.items() if n >= self.min_count)
        keep_bigrams = [b for b, n in bigrams.most_common(self.max_bigrams)
                        if n >= self.min_count]
        self.chars_ = {c: i + 2 for i, c in enumerate(keep_chars)}
        self.bigrams_ = {b: i + 2 for i, b in enumerate(sorted(keep_bigrams))}
        return self

    @property
    def n_chars(self) -> int:
        """Size of the character id space (padding and unknown included)."""
        return len(self.chars_) + 2

    @property
    def n_bigrams(self) -> int:
        """Size of the bigram id space (padding and unknown included)."""
        return len(self.bigrams_) + 2

    def encode(self, texts: Sequence[str], min_length: int = 1
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(chars, bigrams)``: two ``(n, L)`` int64 tensors padded with 0 to the longest text
        (at least ``min_length``, so that every convolution fits)."""
        length = max([min_length, *map(len, texts)])
        chars = np.zeros((len(texts), length), dtype=np.int64)
        bigrams = np.zeros((len(texts), length), dtype=np.int64)
        get_char, get_bigram = self.chars_.get, self.bigrams_.get
        for row, text in enumerate(texts):
            n = len(text)
            chars[row, :n] = [get_char(c, UNK) for c in text]
            # the bigram starting at each character; the last character's is unknown
            bigrams[row, :n] = [get_bigram(text[i:i + 2], UNK) if i < n - 1 else UNK
                                for i in range(n)]
        return torch.from_numpy(chars), torch.from_numpy(bigrams)
