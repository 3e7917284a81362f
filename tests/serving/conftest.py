"""A tiny market with a trained forecaster and recommender promoted to ``champion``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from groupbuy_ml.data.market import load_market_table, market_panel
from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.forecasting import LightGBMForecaster
from groupbuy_ml.recommendation import SceneGraphFilterCF, interaction_matrix
from groupbuy_ml.recommendation.market import market_interactions
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.tracking import TrackingTarget, promote, resolve_tracking, tracked_run

FORECAST, RECOMMEND = "forecast_test", "recommend_test"


@dataclass
class ServingStore:
    """Where the tiny models live, and how to promote another version."""

    root: Path
    market: Path
    target: TrackingTarget
    promotions: int = 0

    def config(self, **overrides: object) -> ServingConfig:
        values = dict(root=str(self.root), tracking_uri=self.target.uri,
                      forecast_model=FORECAST, recommend_model=RECOMMEND,
                      review_model=None, aspect_model=None, intent_model=None,
                      market_dir=str(self.market), poll_interval_s=0.5)
        values.update(overrides)
        return ServingConfig(**values)

    def train_forecaster(self, num_leaves: int = 7) -> int:
        """Fit, log and promote a forecaster scored better than every earlier one (a pretend
        RMSSE that falls with each call); returns the new champion version."""
        self.promotions += 1
        rmsse = 1.0 / self.promotions
        panel = market_panel(self.market)
        model = LightGBMForecaster(horizon=7, n_estimators=15, validation_days=0,
                                   min_data_in_leaf=5, num_leaves=num_leaves,
                                   quantiles=[0.1, 0.5, 0.9], num_threads=1).fit(panel)
        with tracked_run(FORECAST, f"lgbm-{num_leaves}", {"num_leaves": num_leaves},
                         self.target) as run:
            run.log_metrics({"rmsse": rmsse})
            run.log_python_model(model)
        return promote(FORECAST, "rmsse", self.target, mode="min").version

    def train_recommender(self) -> int:
        """Fit, log and promote a recommender scored better than every earlier one."""
        self.promotions += 1
        recall = 1.0 - 1.0 / (self.promotions + 1)
        households = load_market_table(self.market, "households", ["household_id"])
        products = load_market_table(self.market, "products", ["product_id"])
        train = interaction_matrix(market_interactions(self.market), len(households),
                                   len(products))
        model = SceneGraphFilterCF.from_market(self.market, n_components=4).fit(train)
        with tracked_run(RECOMMEND, "scene-gfcf", {"n_components": 4}, self.target) as run:
            run.log_metrics({"recall_at_20": recall})
            run.log_python_model(model)
        return promote(RECOMMEND, "recall_at_20", self.target, mode="max").version


    def train_text_models(self) -> None:
        """Log and promote the tiny review, aspect and intent models (champion version 1)."""
        models = tiny_text_models()
        for name, model in ((REVIEW, models.sentiment), (ASPECT, models.aspects),
                            (INTENT, models.intent)):
            with tracked_run(name, name, {}, self.target) as run:
                run.log_metrics({"val_macro_f1": 1.0})
                run.log_python_model(model)
            promote(name, "val_macro_f1", self.target, mode="max")

    def text_config(self, **overrides: object) -> ServingConfig:
        """:meth:`config` with the text endpoints on (after :meth:`train_text_models`)."""
        return self.config(review_model=REVIEW, aspect_model=ASPECT, intent_model=INTENT,
                           **overrides)


@pytest.fixture(scope="session")
def serving_store(tmp_path_factory: pytest.TempPathFactory) -> ServingStore:
    root = tmp_path_factory.mktemp("serving")
    market = root / "market"
    simulate_market(MarketConfig(n_pickup_points=3, n_products=8, n_days=45, n_suppliers=3,
                                 households_per_pickup_point=25, seed=3), market)
    store = ServingStore(root, market, resolve_tracking(None, root))
    store.train_forecaster()
    store.train_recommender()
    return store


REVIEW, ASPECT, INTENT = "review_test", "aspects_test", "intent_test"


@dataclass(frozen=True)
class TextModels:
    """Tiny fitted after-sales models (TF-IDF: fitted in well under a second)."""

    sentiment: object
    aspects: object
    intent: object


def tiny_text_models() -> TextModels:
    from groupbuy_ml.aftersales.aspects import WeakAspectClassifier
    from groupbuy_ml.aftersales.baselines import TfidfLinearClassifier

    good = ["很好吃", "送得很快", "新鲜满意", "好评"]
    bad = ["送餐太慢了", "苹果烂了", "汤洒了", "太贵了不值"]
    sentiment = TfidfLinearClassifier(c_grid=[10.0]).fit(good * 5 + bad * 5, [1] * 20 + [0] * 20)
    aspects = WeakAspectClassifier(threshold=0.3).fit(bad * 5 + ["一般"] * 5)
    questions = {"order_status": "我的订单什么时候到", "refund_return": "我要退款",
                 "invoice": "发票怎么开", "other": "谢谢"}
    intent = TfidfLinearClassifier(c_grid=[10.0]).fit(list(questions.values()) * 5,
                                                      list(questions) * 5)
    intent.answer_threshold_ = 0.3
    return TextModels(sentiment, aspects, intent)


@pytest.fixture(scope="session")
def text_models() -> TextModels:
    return tiny_text_models()
