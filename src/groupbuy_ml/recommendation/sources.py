"""Interaction datasets as configurable objects (what a Hydra ``data`` config builds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.fingerprint import fingerprint_files
from groupbuy_ml.data.loaders import load_interaction_split
from groupbuy_ml.data.loaders.paths import shared_data_dir
from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.sources import MarketSource
from groupbuy_ml.recommendation.market import temporal_split


@dataclass(frozen=True)
class InteractionData:
    """A train / test split of interactions with the id ranges both share."""

    train: pd.DataFrame
    test: pd.DataFrame
    num_users: int
    num_items: int


class InteractionFilesSource:
    """A dataset in the LightGCN format (``train.txt`` / ``test.txt``): Gowalla by default.

    Args:
        root: the folder; None = the shared data folder's ``gowalla/``.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else None

    @property
    def folder(self) -> Path:
        return self.root or shared_data_dir() / "gowalla"

    @property
    def name(self) -> str:
        return self.folder.name

    def load(self) -> InteractionData:
        split = load_interaction_split(self.folder / "train.txt", self.folder / "test.txt")
        return InteractionData(split.train, split.test, split.num_users, split.num_items)

    def fingerprints(self) -> dict[str, str]:
        return {self.name: fingerprint_files([self.folder / "train.txt",
                                              self.folder / "test.txt"])}


class MarketInteractionsSource:
    """Household x product interactions of the simulated market, split in time.

    Args:
        market: a :class:`~groupbuy_ml.data.sources.MarketSource` (simulated when missing).
        test_days: the last days whose orders are held out.
    """

    name = "market"

    def __init__(self, market: MarketSource, test_days: int = 7) -> None:
        self.market, self.test_days = market, test_days

    def load(self) -> InteractionData:
        folder = self.market.ensure()
        train, test = temporal_split(folder, self.test_days)
        households = load_market_table(folder, "households", ["household_id"])
        products = load_market_table(folder, "products", ["product_id"])
        return InteractionData(train, test, len(households), len(products))

    def fingerprints(self) -> dict[str, str]:
        d = self.market.ensure()
        return {"market": fingerprint_files([d / "events", d / "orders",
                                             d / "households.parquet", d / "products.parquet"])}
