"""The hand-labelled samples: how they were drawn, and reading them back with their texts.

``data/labels/complaint_aspects/sample.csv`` and ``data/labels/shopping_intents/sample.csv``
hold labels written by a person who read each text by the guide beside it, before any model
was run on them. They name texts by id (``domain`` + ``row`` for reviews, ``row`` for JDDC
turns) and a SHA-256 prefix, never by copy: the loaders here join the shared files and check
every hash, so a changed data file is an error, not a silent mismatch.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.aftersales.splits import split_texts
from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.intents import load_jddc_turns
from groupbuy_ml.data.loaders.reviews import load_shopping_reviews, load_waimai_reviews

__all__ = ["ASPECT_SAMPLE_SIZES", "DRAW_SEED", "draw_aspect_sample", "draw_intent_sample",
           "labels_dir", "load_aspect_labels", "load_intent_labels", "sha12"]

DRAW_SEED = 20261203
ASPECT_SAMPLE_SIZES = {"waimai": 150, "水果": 100, "蒙牛": 50}
ASPECT_DEV = 100          # the first drawn reviews are dev, the rest test
INTENT_SESSIONS = {"dev": 60, "test": 100}
TURNS_PER_SESSION = 3


def sha12(text: str) -> str:
    """First 12 hex digits of the SHA-256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def labels_dir() -> Path:
    """``data/labels`` of the project (the repository root, or the installed package)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "data" / "labels").is_dir():
            return folder / "data" / "labels"
    raise FileNotFoundError("data/labels not found above the installed package; run from a "
                            "checkout of groupbuy-ml")


def review_frames(root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The waimai reviews and the fruit + dairy reviews, as the sentiment benchmark loads them."""
    return {"waimai": load_waimai_reviews(root),
            "shopping": load_shopping_reviews(root, categories=["水果", "蒙牛"])}


def draw_aspect_sample(root: Path | str | None = None) -> pd.DataFrame:
    """The negative test-split reviews drawn for aspect labelling (``part`` dev / test).

    The split is the benchmark's (``split_texts(frame, seed=0)`` on the waimai set and on the
    full shopping set, fruit and dairy kept), so no drawn review is ever trained on.
    """
    rng = np.random.default_rng(DRAW_SEED)
    waimai = split_texts(load_waimai_reviews(root), seed=0).test
    shopping = split_texts(load_shopping_reviews(root), seed=0).test
    pools = {"waimai": waimai, "水果": shopping.loc[shopping["domain"] == "水果"],
             "蒙牛": shopping.loc[shopping["domain"] == "蒙牛"]}
    drawn = []
    for domain, size in ASPECT_SAMPLE_SIZES.items():
        pool = pools[domain].loc[pools[domain]["label"] == 0].sort_values("row")
        drawn.append(pool.iloc[rng.choice(len(pool), size, replace=False)])
    sample = pd.concat(drawn).iloc[rng.permutation(sum(ASPECT_SAMPLE_SIZES.values()))]
    sample = sample.reset_index(drop=True)
    sample["part"] = np.where(np.arange(len(sample)) < ASPECT_DEV, "dev", "test")
    sample["sha12"] = sample["text"].map(sha12)
    return sample[["domain", "row", "sha12", "part", "text"]]


def draw_intent_sample(root: Path | str | None = None) -> pd.DataFrame:
    """The customer turns drawn for intent labelling, whole sessions per part."""
    rng = np.random.default_rng(DRAW_SEED)
    turns = load_jddc_turns(root)
    sessions = np.array(sorted(turns["session_id"].unique()))
    order = sessions[rng.permutation(len(sessions))]
    n_dev, n_test = INTENT_SESSIONS["dev"], INTENT_SESSIONS["test"]
    parts = {**{s: "dev" for s in order[:n_dev]},
             **{s: "test" for s in order[n_dev:n_dev + n_test]}}
    customer = turns.loc[(turns["is_staff"] == 0) & (turns["text"] != "")]
    drawn = []
    for session in order[:n_dev + n_test]:
        own = customer.loc[customer["session_id"] == session]
        take = min(TURNS_PER_SESSION, len(own))
        drawn.append(own.iloc[np.sort(rng.choice(len(own), take, replace=False))])
    sample = pd.concat(drawn).reset_index(drop=True)
    sample["part"] = sample["session_id"].map(parts)
    sample["sha12"] = sample["text"].map(sha12)
    return sample[["row", "session_id", "sha12", "part", "text"]]


def _check_hashes(labels: pd.DataFrame, source: str) -> pd.DataFrame:
    bad = labels["sha12"] != labels["text"].map(sha12)
    if bad.any():
        raise DataValidationError(source, [{
            "column": "sha12", "count": int(bad.sum()),
            "examples": list(labels.loc[bad, "sha12"].head(5).items()),
            "expected": "the hash of the shared file's text at that row (the data file changed)"}])
    return labels


def load_aspect_labels(root: Path | str | None = None,
                       path: Path | str | None = None) -> pd.DataFrame:
    """The labelled aspect sample joined with its texts (hashes checked)."""
    path = Path(path) if path is not None else labels_dir() / "complaint_aspects" / "sample.csv"
    labels = pd.read_csv(path)
    waimai = load_waimai_reviews(root)
    shopping = load_shopping_reviews(root, categories=["水果", "蒙牛"])
    texts = pd.concat([waimai, shopping])[["domain", "row", "text", "label"]]
    joined = labels.merge(texts, on=["domain", "row"], how="left", validate="one_to_one")
    if joined["text"].isna().any():
        raise DataValidationError(str(path), [{"column": "row", "count": 1, "examples": [],
                                               "expected": "rows that exist in the shared file"}])
    return _check_hashes(joined, str(path))


def load_intent_labels(root: Path | str | None = None,
                       path: Path | str | None = None) -> pd.DataFrame:
    """The labelled intent sample joined with its turns (hashes checked)."""
    path = Path(path) if path is not None else labels_dir() / "shopping_intents" / "sample.csv"
    labels = pd.read_csv(path, dtype={"session_id": str})
    turns = load_jddc_turns(root)[["row", "text"]]
    joined = labels.merge(turns, on="row", how="left", validate="one_to_one")
    return _check_hashes(joined, str(path))
