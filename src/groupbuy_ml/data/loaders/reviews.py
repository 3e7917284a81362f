"""Chinese customer reviews with sentiment labels, and any review CSV a user brings.

Real sets (``shared/data/reviews``, copied from SophonPlus/ChineseNlpCorpus, research use; card
``data/cards/chinese_reviews.md``):

- ``waimai_10k.csv``: 11,987 food-delivery reviews, ``label`` 1 positive / 0 negative;
- ``online_shopping_10_cats.zip``: 62,774 e-commerce reviews in 10 categories (fruit 水果,
  dairy 蒙牛, books, phones, hotels ...); its one empty review is dropped (counted in
  ``frame.attrs["dropped_empty"]``), nothing else is touched: label noise stays.

Every loader returns the texts schema (:mod:`groupbuy_ml.data.schemas.text`): ``text``, ``label``
(int 0/1), ``domain`` (``waimai`` or the shopping category) and ``row`` (the 0-based data row
in the file, a stable id for labelled samples). Files must be UTF-8; another
encoding raises :class:`~groupbuy_ml.data.errors.DataValidationError` with the byte offset and
the fix.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas.text import texts_schema
from groupbuy_ml.data.validation import validate

__all__ = ["DOMAIN_NAMES", "SHOPPING_CATEGORIES", "decode_utf8", "load_shopping_reviews",
           "load_waimai_reviews",
           "read_review_csv"]

WAIMAI_FILE = "waimai_10k.csv"
SHOPPING_FILE = "online_shopping_10_cats.zip"
SHOPPING_CATEGORIES = ("书籍", "平板", "手机", "水果", "洗发水", "热水器", "蒙牛", "衣服", "计算机",
                       "酒店")
DOMAIN_NAMES = {"waimai": "waimai", "书籍": "books", "平板": "tablet", "手机": "phone",
                "水果": "fruit", "洗发水": "shampoo", "热水器": "water_heater", "蒙牛": "dairy",
                "衣服": "clothes", "计算机": "computer", "酒店": "hotel"}
"""ASCII names of the domains (metric names, reports)."""


def decode_utf8(raw: bytes, source: str) -> str:
    """``raw`` decoded as UTF-8 (a leading BOM dropped).

    Raises:
        DataValidationError: naming ``source``, the byte offset of the first bad byte and the fix
            (e.g. ``iconv -f GBK -t UTF-8``), when the bytes are not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        hint = ""
        try:
            raw.decode("gb18030")
            hint = " (it decodes as GBK/GB18030: convert it with `iconv -f GB18030 -t UTF-8`)"
        except UnicodeDecodeError:
            pass
        raise DataValidationError(source, [{
            "column": "<file>", "count": 1, "examples": [(error.start, raw[error.start:
                                                                           error.start + 4])],
            "row_label": "byte", "expected": f"UTF-8 text{hint}"}]) from None


def read_review_csv(path: Path | str, text_column: str = "review", label_column: str = "label",
                    domain: str | None = None, domain_column: str | None = None) -> pd.DataFrame:
    """Read a CSV of labelled reviews (UTF-8) into the texts schema.

    Args:
        path: the file.
        text_column, label_column: the columns holding the text and the 0/1 label.
        domain: the ``domain`` of every row (default: the file name without suffix), unless
            ``domain_column`` names a column that holds it per row.

    Raises:
        DataValidationError: a missing column, a label other than 0/1, an empty text (the line
            is named) or a file that is not UTF-8.
    """
    path = Path(path)
    return _reviews_frame(decode_utf8(path.read_bytes(), str(path)), str(path), text_column,
                          label_column, domain or path.stem, domain_column)


def load_waimai_reviews(root: Path | str | None = None) -> pd.DataFrame:
    """The 11,987 food-delivery reviews (``domain`` = ``waimai``)."""
    path = require_file(dataset_dir("reviews", root), WAIMAI_FILE)
    return read_review_csv(path, domain="waimai")


def load_shopping_reviews(root: Path | str | None = None,
                          categories: Sequence[str] | None = None) -> pd.DataFrame:
    """The e-commerce reviews of ``categories`` (all ten when ``None``); ``domain`` = category.

    Raises:
        LookupError: an unknown category (the known ones are listed).
    """
    unknown = sorted(set(categories or ()) - set(SHOPPING_CATEGORIES))
    if unknown:
        raise LookupError(f"unknown shopping categories {unknown}; known: "
                          f"{list(SHOPPING_CATEGORIES)}")
    path = require_file(dataset_dir("reviews", root), SHOPPING_FILE)
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("online_shopping_10_cats.csv")
    source = f"{path}:online_shopping_10_cats.csv"
    frame = _reviews_frame(decode_utf8(raw, source), source, "review", "label", None, "cat",
                           drop_empty=True)
    if categories is not None:
        frame = frame.loc[frame["domain"].isin(list(categories))].reset_index(drop=True)
    return frame


def _reviews_frame(text: str, source: str, text_column: str, label_column: str,
                   domain: str | None, domain_column: str | None,
                   drop_empty: bool = False) -> pd.DataFrame:
    raw = pd.read_csv(io.StringIO(text), dtype={text_column: str}, keep_default_na=False)
    wanted = [text_column, label_column] + ([domain_column] if domain_column else [])
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        raise DataValidationError(source, [{
            "column": c, "count": 1, "examples": [],
            "expected": f"a column named {c!r}; the file has {list(raw.columns)}"}
            for c in missing])
    empty = raw[text_column].str.strip() == ""
    frame = pd.DataFrame({"text": raw[text_column].astype(str),
                          "label": raw[label_column],
                          "domain": raw[domain_column].astype(str) if domain_column
                          else str(domain),
                          "row": pd.RangeIndex(len(raw), dtype="int64")})
    frame.index = frame.index + 2  # 1-based file lines after the header, for the messages
    if drop_empty:
        frame = frame.loc[~empty.to_numpy()]
    elif empty.any():
        lines = list(frame.index[empty.to_numpy()][:5])
        raise DataValidationError(source, [{
            "column": text_column, "count": int(empty.sum()), "row_label": "line",
            "examples": [(line, "") for line in lines],
            "expected": "a non-empty review on every line (remove the empty ones)"}])
    bad = ~frame["label"].isin([0, 1])
    if bad.any():
        raise DataValidationError(source, [{
            "column": label_column, "count": int(bad.sum()), "row_label": "line",
            "examples": list(frame.loc[bad, "label"].head(5).items()),
            "expected": "0 (negative) or 1 (positive)"}])
    frame["label"] = frame["label"].astype("int64")
    frame = validate(frame.reset_index(drop=True), texts_schema, source)
    frame.attrs["source"] = source
    frame.attrs["dropped_empty"] = int(empty.sum()) if drop_empty else 0
    return frame
