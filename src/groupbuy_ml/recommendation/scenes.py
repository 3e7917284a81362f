"""Top products for a scene in a community: "what do families with a baby in community C want".

The households of community ``C`` that carry scene ``S`` and all households of ``C`` are scored by
a fitted recommender; products rank by their lift, the scene's mean score over everyone's mean
score, so the shelf shows what sets the scene apart (staples everybody buys score high for every
scene and would crowd it). Seen items are not masked: this is a shelf, not a discovery list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.catalog import SCENES
from groupbuy_ml.errors import ConfigError, InvalidDataError, UnknownNameError
from groupbuy_ml.recommendation.models.recommender import Recommender


def scene_top_products(model: Recommender, households: pd.DataFrame, scene: str,
                       community_id: int | None = None, k: int = 10) -> pd.DataFrame:
    """The ``k`` products with the highest scene lift (scene mean score / everyone's).

    Args:
        model: a recommender fitted on the same households (user_id = household_id).
        households: the market's ``households`` table.
        scene: one of :data:`~groupbuy_ml.data.simulate.catalog.SCENES`.
        community_id: restrict to one community (None: the whole city).
        k: products returned.

    Returns:
        columns product_id, lift, scene_score (mean over the scene's households), households
        (how many were averaged).
    """
    if scene not in SCENES:
        raise ConfigError(f"unknown scene {scene!r}; expected one of {list(SCENES)}")
    if community_id is not None:
        if community_id not in set(households["community_id"]):
            raise UnknownNameError(f"unknown community_id {community_id}")
        households = households[households["community_id"] == community_id]
    chosen = households[households[f"scene_{scene}"]]
    if chosen.empty:
        raise InvalidDataError(f"no household with scene {scene!r} in community {community_id}")
    users = chosen["household_id"].to_numpy(dtype=np.int64)
    scene_mean = model.score(users).mean(dim=0)
    everyone = model.score(households["household_id"].to_numpy(dtype=np.int64)).mean(dim=0)
    lift = scene_mean / everyone.clamp(min=1e-12)
    top = lift.topk(min(k, len(lift)))
    return pd.DataFrame({"product_id": top.indices.numpy(), "lift": top.values.numpy(),
                         "scene_score": scene_mean[top.indices].numpy(),
                         "households": len(users)})
