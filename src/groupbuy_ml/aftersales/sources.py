"""Datasets of the text experiments as configurable objects (what ``configs/data/*`` build).

Each source returns a :class:`~groupbuy_ml.aftersales.splits.TextSplit` (train, validation,
test; every frame with ``text``, ``label``, ``domain``) and the fingerprints of the files it
read. ``max_rows`` keeps a stratified few rows per split for smoke runs. A review file is read
and split once per process (keyed on its path, modification time and size); every ``load``
gets copies.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from groupbuy_ml.aftersales.intents import IntentRules
from groupbuy_ml.aftersales.labelled import load_intent_labels
from groupbuy_ml.aftersales.splits import TextSplit, split_texts
from groupbuy_ml.data.fingerprint import fingerprint_files
from groupbuy_ml.data.loaders.intents import JDDC_FILE, SMP_FILE, load_jddc_turns, load_smp2017
from groupbuy_ml.data.loaders.paths import dataset_dir
from groupbuy_ml.data.loaders.reviews import (
    SHOPPING_FILE,
    WAIMAI_FILE,
    load_shopping_reviews,
    load_waimai_reviews,
)

__all__ = ["JDDCIntentSource", "ReviewSource", "SMP2017Source", "shrink"]

FRACTIONS = (0.7, 0.1, 0.2)


def shrink(split: TextSplit, max_rows: int | None, seed: int = 0) -> TextSplit:
    """At most ``max_rows`` rows per part, drawn stratified by label (all when ``None``)."""
    if max_rows is None:
        return split

    def few(frame: pd.DataFrame) -> pd.DataFrame:
        if len(frame) <= max_rows:
            return frame
        share = max_rows / len(frame)
        parts = [g.sample(max(1, round(len(g) * share)), random_state=seed)
                 for _, g in frame.groupby("label", sort=True)]
        return pd.concat(parts).reset_index(drop=True)

    return TextSplit(few(split.train), few(split.validation), few(split.test))


@functools.lru_cache(maxsize=4)
def _review_split(key: tuple, root: str | Path | None, seed: int) -> TextSplit:
    """The fixed split of one review file, read once per process (``key``: the dataset, the
    file and its modification time and size, so a changed file is read again)."""
    dataset = key[0]
    frame = load_waimai_reviews(root) if dataset == "waimai" else load_shopping_reviews(root)
    return split_texts(frame, ("domain", "label"), FRACTIONS, seed)


class ReviewSource:
    """Labelled reviews split by :func:`~groupbuy_ml.aftersales.splits.split_texts`.

    Args:
        dataset: ``waimai`` (food delivery) or ``shopping`` (ten e-commerce categories, split
            over all ten so the split of a category does not depend on which are kept).
        categories: shopping categories to keep (``None``: all).
        root: the reviews folder (``None``: ``shared/data/reviews``).
        seed: the split seed (0 is the benchmark's).
        max_rows: smoke runs: at most this many rows per part.
        extra_train: another dataset (``waimai`` / ``shopping``) whose train part joins the
            training texts (validation and test stay this dataset's).
    """

    def __init__(self, dataset: str = "waimai", categories: Sequence[str] | None = None,
                 root: str | Path | None = None, seed: int = 0,
                 max_rows: int | None = None, extra_train: str | None = None) -> None:
        for value in (dataset, extra_train or dataset):
            if value not in ("waimai", "shopping"):
                raise ValueError(f"dataset must be 'waimai' or 'shopping', got {value!r}")
        self.dataset, self.categories, self.root = dataset, categories, root
        self.seed, self.max_rows, self.extra_train = seed, max_rows, extra_train
        self.name = dataset if categories is None else f"{dataset}-{'+'.join(categories)}"
        if extra_train:
            self.name += f"+train-{extra_train}"

    def _split(self, dataset: str) -> TextSplit:
        file = dataset_dir("reviews", self.root) / (WAIMAI_FILE if dataset == "waimai"
                                                    else SHOPPING_FILE)
        stat = file.stat() if file.is_file() else None
        key = (dataset, str(file.resolve()), stat and (stat.st_mtime_ns, stat.st_size))
        split = _review_split(key, self.root, self.seed)
        return TextSplit(*(f.copy() for f in (split.train, split.validation, split.test)))

    def load(self) -> TextSplit:
        split = self._split(self.dataset)
        if self.categories is not None:
            keep = list(self.categories)
            split = TextSplit(*(f.loc[f["domain"].isin(keep)].reset_index(drop=True)
                                for f in (split.train, split.validation, split.test)))
        split = shrink(split, self.max_rows, self.seed)
        if self.extra_train:
            extra = shrink(self._split(self.extra_train), self.max_rows, self.seed).train
            split = TextSplit(pd.concat([split.train, extra], ignore_index=True),
                              split.validation, split.test)
        return split

    def fingerprints(self) -> dict[str, str]:
        out = {}
        for dataset in {self.dataset, self.extra_train or self.dataset}:
            file = WAIMAI_FILE if dataset == "waimai" else SHOPPING_FILE
            out[f"reviews.{dataset}"] = fingerprint_files(dataset_dir("reviews", self.root)
                                                          / file)
        return out


class SMP2017Source:
    """SMP2017-ECDT task 1: its train block cut into train / validation (stratified by intent,
    ``validation_fraction``), its dev block as the test part (the official test set is not
    available)."""

    def __init__(self, root: str | Path | None = None, validation_fraction: float = 0.1,
                 seed: int = 0, max_rows: int | None = None) -> None:
        self.root, self.validation_fraction = root, validation_fraction
        self.seed, self.max_rows, self.name = seed, max_rows, "smp2017"

    def load(self) -> TextSplit:
        frame = load_smp2017(self.root)
        train = frame.loc[frame["block"] == "train"].reset_index(drop=True)
        parts = split_texts(train, ("label",),
                            (1 - self.validation_fraction, self.validation_fraction, 0.0),
                            self.seed)
        test = frame.loc[frame["block"] == "dev"].reset_index(drop=True)
        return shrink(TextSplit(parts.train, parts.validation, test), self.max_rows, self.seed)

    def fingerprints(self) -> dict[str, str]:
        return {"intents.smp2017": fingerprint_files(dataset_dir("intents", self.root)
                                                     / SMP_FILE)}


class JDDCIntentSource:
    """JD.com customer turns: train = the unlabelled pool (customer turns of every session
    outside the hand-labelled sample) with weak labels from :class:`IntentRules`;
    validation = the labelled ``dev`` turns; test = the labelled ``test`` turns.

    Args:
        root: the intents folder (``None``: ``shared/data/intents``).
        labels: the labelled sample (``None``: ``data/labels/shopping_intents/sample.csv``).
        few_shot: also train on the labelled dev turns (they still choose the threshold).
        max_rows: smoke runs: at most this many rows per part.
    """

    def __init__(self, root: str | Path | None = None, labels: str | Path | None = None,
                 few_shot: bool = False, max_rows: int | None = None) -> None:
        self.root, self.labels, self.few_shot, self.max_rows = root, labels, few_shot, max_rows
        self.name = "jddc"

    def load(self) -> TextSplit:
        labelled = load_intent_labels(self.root, self.labels).rename(columns={"intent": "label"})
        labelled["domain"] = "jddc"
        turns = load_jddc_turns(self.root)
        pool = turns.loc[(turns["is_staff"] == 0) & (turns["text"] != "")
                         & ~turns["session_id"].isin(set(labelled["session_id"]))].copy()
        pool["label"] = IntentRules().label(pool["text"].tolist())
        pool["domain"] = "jddc"
        columns = ["text", "label", "domain", "row", "session_id"]
        train = pool[columns].reset_index(drop=True)
        dev = labelled.loc[labelled["part"] == "dev", columns].reset_index(drop=True)
        test = labelled.loc[labelled["part"] == "test", columns].reset_index(drop=True)
        if self.few_shot:
            train = pd.concat([train, dev], ignore_index=True)
        split = TextSplit(train, dev, test)
        split.train.attrs["weak_label_share"] = {
            k: float(v) for k, v in pd.Series(pool["label"]).value_counts(normalize=True).items()}
        return shrink(split, self.max_rows) if self.max_rows else split

    def fingerprints(self) -> dict[str, str]:
        from groupbuy_ml.aftersales.labelled import labels_dir

        labels = Path(self.labels) if self.labels else labels_dir() / "shopping_intents"
        return {"intents.jddc": fingerprint_files(dataset_dir("intents", self.root) / JDDC_FILE),
                "labels.shopping_intents": fingerprint_files(labels)}


