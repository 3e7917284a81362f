"""What every text goes through before a model sees it, and the errors for text it cannot take.

:class:`TextNormalizer` (one object, one method: ``__call__(text) -> str``) applies, in order:

1. a type check: anything but ``str`` raises :class:`NotTextError`;
2. Unicode NFKC (full-width letters, digits and punctuation become half-width: ``ＡＢＣ１２``
   -> ``ABC12``), zero-width characters and byte-order marks removed, runs of whitespace
   collapsed to one space;
3. traditional -> simplified characters with OpenCC's ``t2s`` tables (``味道著實一般`` ->
   ``味道著实一般``), only for texts that hold a traditional character (most hold none, and the
   check is a set lookup);
4. Latin letters lower-cased (mixed Chinese and English, ``iPhone很好用`` -> ``iphone很好用``);
5. cut to ``max_chars`` characters (a 10,000-character review keeps its first ``max_chars``;
   :meth:`TextNormalizer.inspect` reports ``truncated``).

An empty or whitespace-only text raises :class:`EmptyTextError`. A text of emoji or punctuation
only (``👍👍``, ``。。。``) is kept: it is scored like any other (the characters carry sentiment
when the model has seen them, and map to the unknown id when it has not) and
:meth:`TextNormalizer.inspect` flags it ``informative=False`` so a caller can treat its answer
with care. Non-UTF-8 files are refused by the loaders
(:func:`groupbuy_ml.data.loaders.reviews.decode_utf8`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groupbuy_ml.errors import UserInputError

__all__ = ["EmptyTextError", "InspectedText", "NotTextError", "TextNormalizer", "is_informative"]

_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff"
                        "\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class EmptyTextError(UserInputError):
    """A text that is empty or only whitespace: there is nothing to analyse."""


class NotTextError(UserInputError):
    """A value that is not a string (a number, ``None``, bytes ...)."""


def is_informative(text: str) -> bool:
    """Whether ``text`` holds a Chinese character, a Latin letter or a digit."""
    return _CONTENT.search(text) is not None


@functools.lru_cache(maxsize=1)
def _opencc() -> tuple[Any, frozenset[str]]:
    """OpenCC's t2s converter and the set of characters it may change."""
    import opencc

    converter = opencc.OpenCC("t2s")
    folder = Path(opencc.__file__).parent / "dictionary"
    changing: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            first = values.split(" ")[0] if values else key
            changing.update(k for i, k in enumerate(key) if i >= len(first) or first[i] != k)
    return converter, frozenset(changing)


def to_simplified(text: str) -> str:
    """``text`` with traditional characters turned simplified (unchanged when it has none)."""
    converter, changing = _opencc()
    if changing.isdisjoint(text):
        return text
    return converter.convert(text)


@dataclass(frozen=True)
class InspectedText:
    """A normalised text and what normalising did to it."""

    text: str
    truncated: bool
    converted: bool
    informative: bool


@dataclass(frozen=True)
class TextNormalizer:
    """Normalise a text for the models (see the module docstring for every step).

    Args:
        max_chars: longer texts are cut to their first ``max_chars`` characters.
        to_simplified: convert traditional characters to simplified.
        lowercase: lower-case Latin letters.
    """

    max_chars: int = 512
    to_simplified: bool = True
    lowercase: bool = True

    def __call__(self, text: Any) -> str:
        """The normalised text (raises :class:`NotTextError` / :class:`EmptyTextError`)."""
        return self.inspect(text).text

    def inspect(self, text: Any) -> InspectedText:
        """The normalised text with flags: truncated, converted, informative."""
        if not isinstance(text, str):
            raise NotTextError(f"expected a text (str), got {type(text).__name__}: "
                               f"{str(text)[:40]!r}")
        clean = _SPACE.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).strip()
        if not clean:
            raise EmptyTextError("the text is empty (or only whitespace): send the review or "
                                 "question itself")
        converted = False
        if self.to_simplified:
            simple = to_simplified(clean)
            converted, clean = simple != clean, simple
        if self.lowercase:
            clean = clean.lower()
        truncated = len(clean) > self.max_chars
        clean = clean[: self.max_chars]
        return InspectedText(clean, truncated, converted, is_informative(clean))
