"""Graph recommendation on the user-product-scene graph (torch-geometric).

Input: the interactions table (:mod:`groupbuy_ml.data.schemas.interactions`), built from the
simulated market's ``events`` / ``orders`` or loaded with
:func:`groupbuy_ml.data.loaders.load_gowalla` (the LightGCN / NGCF split).
"""

from groupbuy_ml.recommendation.evaluation import evaluate_ranking
from groupbuy_ml.recommendation.matrix import interaction_matrix
from groupbuy_ml.recommendation.models import GraphFilterCF, Popularity, Recommender

__all__ = ["GraphFilterCF", "Popularity", "Recommender", "evaluate_ranking",
           "interaction_matrix"]
