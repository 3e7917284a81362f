"""Graph recommendation on the user-product-scene graph (torch-geometric).

Recommenders share one interface (fit on a users x items matrix, score, recommend top-k with
seen items masked, predict for MLflow pyfunc); :func:`evaluate_ranking` is the full-ranking
protocol of the LightGCN paper. Experiments: ``groupbuy train experiment=recommend_gfcf_gowalla``.

Input: the interactions table (:mod:`groupbuy_ml.data.schemas.interactions`), built from the
simulated market's ``events`` / ``orders`` or loaded with
:func:`groupbuy_ml.data.loaders.load_gowalla` (the LightGCN / NGCF split).
"""

from groupbuy_ml.recommendation.evaluation import evaluate_ranking
from groupbuy_ml.recommendation.matrix import interaction_matrix
from groupbuy_ml.recommendation.models import (
    BSPM,
    ChebyCF,
    GraphFilterCF,
    LightGCNRecommender,
    MatrixFactorizationBPR,
    Popularity,
    Recommender,
    SceneGraphFilterCF,
    ValidatedBSPM,
    ValidatedChebyCF,
)

__all__ = ["BSPM", "ChebyCF", "GraphFilterCF", "LightGCNRecommender", "MatrixFactorizationBPR",
           "Popularity", "Recommender", "SceneGraphFilterCF", "ValidatedBSPM",
           "ValidatedChebyCF", "evaluate_ranking", "interaction_matrix"]
