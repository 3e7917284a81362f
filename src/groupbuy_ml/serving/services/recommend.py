"""RecommendService: top-k products from the champion recommender, known or new households.

Known households are scored in one call per batch (GF-CF: one sparse-dense product for all the
batch's users), then each request masks what the household already interacted with and what
its scene/category filter excludes and takes its top-k. A household the model has not seen is
scored from a profile (scene tags and/or first products): ``score_new_household`` of the
scene-bordered GF-CF, ``score_rows`` of GF-CF, the popularity row of ``Popularity``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.simulate.catalog import SCENES
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.serving.champion import Loaded
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import (
    NotFoundError,
    ServiceError,
    UnprocessableError,
)
from groupbuy_ml.serving.schemas.common import ModelRef
from groupbuy_ml.serving.schemas.recommend import (
    HouseholdProfile,
    RecommendedItem,
    RecommendRequest,
    RecommendResponse,
)
from groupbuy_ml.serving.services.champion_service import ChampionService, watch_champion

__all__ = ["RecommendService", "RecommendState", "load_recommend_state"]


@dataclass(frozen=True)
class RecommendState:
    """A loaded recommender with its catalogue.

    Attributes:
        model: a fitted :class:`~groupbuy_ml.recommendation.Recommender`.
        n_users, n_items: the model's id ranges (ids are row/column numbers).
        categories: category of each product id (``None`` without a market folder).
        scene_items: scene -> 0/1 mask of the products that fit it (empty without a catalogue).
    """

    model: Any
    n_users: int
    n_items: int
    categories: np.ndarray | None
    scene_items: dict[str, np.ndarray]


def load_recommend_state(model: Any, market_dir: Path | None) -> RecommendState:
    """Index the catalogue (categories, product scenes) a recommender's filters need."""
    n_users, n_items = model.train_matrix_.shape
    categories, scene_items = None, {}
    if market_dir is not None:
        products = load_market_table(market_dir, "products", ["product_id", "category"])
        categories = np.full(n_items, None, dtype=object)
        inside = products["product_id"].to_numpy() < n_items
        categories[products["product_id"].to_numpy()[inside]] = products["category"][inside]
        fits = load_market_table(market_dir, "product_scenes", ["product_id", "scene"])
        for scene in SCENES:
            mask = np.zeros(n_items, dtype=bool)
            ids = fits.loc[fits["scene"] == scene, "product_id"].to_numpy()
            mask[ids[ids < n_items]] = True
            scene_items[scene] = mask
    return RecommendState(model, int(n_users), int(n_items), categories, scene_items)


class RecommendService(ChampionService[RecommendState]):
    """Answers :class:`RecommendRequest` with the champion recommender."""

    @classmethod
    def from_registry(cls, config: ServingConfig, poll: bool = True) -> RecommendService:
        """Load ``config.recommend_model@alias`` and the catalogue; poll for moves when
        ``poll``. Without a champion yet the service answers 503 until one appears."""
        if not config.recommend_model:
            raise ConfigError("config.recommend_model is not set")
        market = config.market_path()

        def prepare(model: Any, ref: ModelRef) -> RecommendState:
            return load_recommend_state(model, market)

        return cls(watch_champion(config.recommend_model, config, prepare, poll))

    def handle_batch(self, requests: Sequence[RecommendRequest]
                     ) -> list[RecommendResponse | ServiceError]:
        """Answer several requests on one champion snapshot; errors are returned, not raised."""
        loaded = self.watcher.current
        if loaded is None:
            return [self.unavailable() for _ in requests]
        state = loaded.state
        known = sorted({r.user_id for r in requests
                        if r.user_id is not None and r.user_id < state.n_users})
        rows: dict[int, torch.Tensor] = {}
        if known:
            scores = state.model.score(np.asarray(known, dtype=np.int64))
            rows = {u: scores[j] for j, u in enumerate(known)}
        results: list[RecommendResponse | ServiceError] = []
        for request in requests:
            try:
                results.append(self._answer(loaded, request, rows))
            except Exception as error:
                results.append(self._failure(error))
        return results

    def _answer(self, loaded: Loaded[RecommendState], request: RecommendRequest,
                rows: dict[int, torch.Tensor]) -> RecommendResponse:
        state = loaded.state
        mask = _filter_mask(state, request)
        if request.user_id is not None and request.user_id in rows:
            scores, cold = rows[request.user_id].clone(), False
            if request.exclude_seen:
                seen = state.model.train_matrix_[request.user_id].indices
                scores[torch.from_numpy(seen.astype(np.int64))] = -torch.inf
        elif request.profile is not None:
            scores, cold = _cold_start(state, request.profile), True
            if request.exclude_seen and request.profile.product_ids:
                scores[torch.tensor(request.profile.product_ids)] = -torch.inf
        else:
            raise NotFoundError(f"unknown user_id {request.user_id}: the model knows households "
                                f"0..{state.n_users - 1}; send a profile for a new household",
                                "body.user_id")
        if mask is not None:
            scores[torch.from_numpy(~mask)] = -torch.inf
        top = torch.topk(scores, min(request.k, state.n_items))
        items = []
        for score, item in zip(top.values.tolist(), top.indices.tolist(), strict=True):
            if score == -np.inf:
                break
            category = None if state.categories is None else state.categories[item]
            items.append(RecommendedItem(rank=len(items) + 1, product_id=int(item),
                                         score=round(float(score), 6), category=category))
        return RecommendResponse(model=loaded.ref, user_id=request.user_id, cold_start=cold,
                                 items=items)


def _filter_mask(state: RecommendState, request: RecommendRequest) -> np.ndarray | None:
    """Products allowed by the scene and category filters (``None``: no filter)."""
    if request.scene is None and request.category is None:
        return None
    if state.categories is None:
        field = "body.scene" if request.scene is not None else "body.category"
        raise UnprocessableError("filters need the product catalogue; the server has no "
                                 "market_dir configured", field)
    mask = np.ones(state.n_items, dtype=bool)
    if request.scene is not None:
        mask &= state.scene_items[request.scene]
    if request.category is not None:
        match = state.categories == request.category
        if not match.any():
            known = sorted({c for c in state.categories if c is not None})
            raise NotFoundError(f"unknown category {request.category!r}; known: {known}",
                                "body.category")
        mask &= match
    return mask


def _cold_start(state: RecommendState, profile: HouseholdProfile) -> torch.Tensor:
    """Scores of every product for a household the model was not fitted on."""
    bad = [p for p in profile.product_ids if p >= state.n_items]
    if bad:
        raise NotFoundError(f"unknown product id {bad[0]}: the model knows products "
                            f"0..{state.n_items - 1}", "body.profile.product_ids")
    seen = np.zeros(state.n_items, dtype=np.float32)
    seen[profile.product_ids] = 1.0
    model = state.model
    if hasattr(model, "score_new_household"):
        tags = np.array([s in profile.scenes for s in SCENES], dtype=np.float32)
        return model.score_new_household(tags, seen if profile.product_ids else None)[0].clone()
    if hasattr(model, "score_rows"):
        if not profile.product_ids:
            raise UnprocessableError(f"the served model ({type(model).__name__}) has no scene "
                                     "graph: give profile.product_ids", "body.profile.product_ids")
        return model.score_rows(seen[None, :])[0].clone()
    if hasattr(model, "popularity_"):
        return model.popularity_.clone()
    raise UnprocessableError(f"the served model ({type(model).__name__}) has no cold-start "
                             "path; send a known user_id", "body.profile")
