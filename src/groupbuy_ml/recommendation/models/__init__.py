"""Recommenders behind one interface (:class:`Recommender`: fit, score, recommend)."""

from groupbuy_ml.recommendation.models.bpr import LightGCNRecommender, MatrixFactorizationBPR
from groupbuy_ml.recommendation.models.bspm import BSPM
from groupbuy_ml.recommendation.models.chebycf import ChebyCF
from groupbuy_ml.recommendation.models.graph_filter import GraphFilterCF
from groupbuy_ml.recommendation.models.popularity import Popularity
from groupbuy_ml.recommendation.models.recommender import Recommender
from groupbuy_ml.recommendation.models.scene_filter import SceneGraphFilterCF
from groupbuy_ml.recommendation.models.validated import ValidatedBSPM, ValidatedChebyCF

__all__ = ["BSPM", "ChebyCF", "GraphFilterCF", "LightGCNRecommender", "MatrixFactorizationBPR",
           "Popularity", "Recommender", "SceneGraphFilterCF", "ValidatedBSPM",
           "ValidatedChebyCF"]
