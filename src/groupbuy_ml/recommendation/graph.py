"""The user-product-scene graph of the simulated market as a PyG ``HeteroData``.

Node types: ``user`` (households; features: family structure one-hot, household size, price
sensitivity, loyalty), ``product`` (category one-hot, log price, shelf life, perishable) and
``scene`` (baby, kids, fitness, elderly, pet). Edge types:

- ``(user, interacts, product)``: funnel-weighted interactions (view 1 ... order 5), with the
  day of the last interaction in ``edge_time``;
- ``(product, fits, scene)``: the product's scene lift (``product_scenes``);
- ``(user, has, scene)``: the household's scene tags;

plus the reverse of each, so message passing runs both ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch_geometric.data import HeteroData

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate.catalog import FAMILY_STRUCTURES, SCENES


def _one_hot(values: pd.Series, levels: list[str]) -> np.ndarray:
    return (values.to_numpy()[:, None] == np.array(levels)[None, :]).astype(np.float32)


def _edges(data: HeteroData, src: str, rel: str, dst: str, row: np.ndarray, col: np.ndarray,
           weight: np.ndarray) -> None:
    index = torch.from_numpy(np.vstack([row, col]).astype(np.int64))
    data[src, rel, dst].edge_index = index
    data[src, rel, dst].edge_weight = torch.from_numpy(weight.astype(np.float32))
    data[dst, f"rev_{rel}", src].edge_index = index.flip(0)
    data[dst, f"rev_{rel}", src].edge_weight = data[src, rel, dst].edge_weight


def build_market_graph(market_dir: str | Path, interactions: pd.DataFrame) -> HeteroData:
    """The heterogeneous graph of ``market_dir`` with ``interactions`` (user_id, item_id,
    weight[, timestamp]) as the user-product edges (e.g. the training part of a split)."""
    households = load_market_table(market_dir, "households")
    products = load_market_table(market_dir, "products")
    scenes = load_market_table(market_dir, "product_scenes")
    data = HeteroData()
    data["user"].x = torch.from_numpy(np.hstack([
        _one_hot(households["family_structure"], list(FAMILY_STRUCTURES)),
        households[["household_size", "loyalty"]].to_numpy(np.float32),
        _one_hot(households["price_sensitivity"], ["low", "medium", "high"]),
    ]))
    categories = sorted(products["category"].unique())
    data["product"].x = torch.from_numpy(np.hstack([
        _one_hot(products["category"], categories),
        np.log(products[["base_price"]].to_numpy(np.float32)),
        np.log1p(products[["shelf_life_days"]].to_numpy(np.float32)),
        products[["perishable"]].to_numpy(np.float32),
    ]))
    data["scene"].num_nodes = len(SCENES)
    data["scene"].name = list(SCENES)
    weight = interactions["weight"].to_numpy() if "weight" in interactions else np.ones(
        len(interactions))
    _edges(data, "user", "interacts", "product", interactions["user_id"].to_numpy(),
           interactions["item_id"].to_numpy(), weight)
    if "timestamp" in interactions:
        day = interactions["timestamp"].to_numpy().astype("datetime64[D]").astype(np.int64)
        data["user", "interacts", "product"].edge_time = torch.from_numpy(day)
    scene_of = {s: k for k, s in enumerate(SCENES)}
    _edges(data, "product", "fits", "scene", scenes["product_id"].to_numpy(),
           scenes["scene"].map(scene_of).to_numpy(), scenes["lift"].to_numpy())
    tags = households[[f"scene_{s}" for s in SCENES]].to_numpy()
    user, scene = np.nonzero(tags)
    _edges(data, "user", "has", "scene", households["household_id"].to_numpy()[user], scene,
           np.ones(len(user)))
    return data


def edge_matrix(data: HeteroData, edge_type: tuple[str, str, str],
                weighted: bool = False) -> sp.csr_matrix:
    """One edge type of ``data`` as a sparse (source x destination) matrix."""
    src, _, dst = edge_type
    store = data[edge_type]
    row, col = store.edge_index.numpy()
    values = store.edge_weight.numpy() if weighted else np.ones(len(row), np.float32)
    shape = (data[src].num_nodes, data[dst].num_nodes)
    matrix = sp.csr_matrix((values, (row, col)), shape=shape)
    if not weighted:
        matrix.data[:] = 1.0
    return matrix
