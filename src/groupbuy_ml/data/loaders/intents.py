"""Chinese user intents: the SMP2017-ECDT benchmark and real JD.com customer-service turns.

``shared/data/intents`` (research use; card ``data/cards/chinese_intents.md``):

- ``smp2017_ecdt_task1.tsv``: 3,069 queries ``Sentence\\tTag`` of 31 voice-assistant intents
  (SMP2017-ECDT task 1, Zhang et al., arXiv:1709.10217). The file holds two blocks each sorted
  by tag: its train part (2,299) and its dev part (770); :func:`load_smp2017` marks them in
  ``block`` (``train`` / ``dev``), found where the tag order starts again.
- ``jddc_chat_sample.tsv``: 12,136 turns of 994 JD.com customer-service sessions (JDDC 2019),
  no intent labels; :func:`load_jddc_turns` reads them in order with ``session_id``,
  ``customer_id``, ``is_staff``, ``sku`` and ``text`` (masked spans such as ``[订单x]`` kept).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.loaders.reviews import decode_utf8
from groupbuy_ml.data.schemas.text import texts_schema
from groupbuy_ml.data.validation import validate

__all__ = ["load_jddc_turns", "load_smp2017"]

SMP_FILE = "smp2017_ecdt_task1.tsv"
JDDC_FILE = "jddc_chat_sample.tsv"
JDDC_COLUMNS = ["session_id", "customer_id", "is_staff", "flag_a", "flag_b", "sku", "text"]


def load_smp2017(root: Path | str | None = None) -> pd.DataFrame:
    """SMP2017-ECDT task 1: ``text``, ``label`` (intent), ``domain`` = ``smp2017``, ``block``."""
    path = require_file(dataset_dir("intents", root), SMP_FILE)
    raw = pd.read_csv(io.StringIO(decode_utf8(path.read_bytes(), str(path))), sep="\t",
                      dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    if list(raw.columns) != ["Sentence", "Tag"]:
        raise DataValidationError(str(path), [{"column": "<header>", "count": 1, "examples": [],
                                               "expected": "the header Sentence<TAB>Tag"}])
    tags = raw["Tag"].tolist()
    restarts = [i for i in range(1, len(tags)) if tags[i] < tags[i - 1]]
    if len(restarts) != 1:
        raise DataValidationError(str(path), [{
            "column": "Tag", "count": len(restarts), "examples": [],
            "expected": "two blocks sorted by tag (train, then dev)"}])
    block = ["train"] * restarts[0] + ["dev"] * (len(tags) - restarts[0])
    frame = pd.DataFrame({"text": raw["Sentence"], "label": raw["Tag"], "domain": "smp2017",
                          "block": block, "row": pd.RangeIndex(len(raw), dtype="int64")})
    return validate(frame, texts_schema, path)


def load_jddc_turns(root: Path | str | None = None) -> pd.DataFrame:
    """Every turn of the JDDC sample, in file order, with ``turn`` numbered within a session."""
    path = require_file(dataset_dir("intents", root), JDDC_FILE)
    raw = pd.read_csv(io.StringIO(decode_utf8(path.read_bytes(), str(path))), sep="\t",
                      header=None, names=JDDC_COLUMNS, dtype=str, keep_default_na=False,
                      quoting=csv.QUOTE_NONE)
    bad = ~raw["is_staff"].isin(["0", "1"])
    if bad.any():
        raise DataValidationError(str(path), [{
            "column": "is_staff", "count": int(bad.sum()), "row_label": "line",
            "examples": [(i + 1, v) for i, v in raw.loc[bad, "is_staff"].head(5).items()],
            "expected": "0 (customer) or 1 (agent)"}])
    frame = raw.drop(columns=["flag_a", "flag_b"])
    frame["is_staff"] = frame["is_staff"].astype("int64")
    frame["text"] = frame["text"].str.strip()
    frame["row"] = pd.RangeIndex(len(frame), dtype="int64")  # 0-based line: a stable id
    frame["turn"] = frame.groupby("session_id", sort=False).cumcount().astype("int64")
    frame.attrs["source"] = str(path)
    return frame
