"""groupbuy-ml: machine learning for community group buying (社区团购) and C2M platforms.

Sub-packages, one per capability (see ``shared/design/architecture.md``):

- :mod:`groupbuy_ml.data`: the simulated market, schemas, loaders for real benchmark data.
- :mod:`groupbuy_ml.forecasting`: demand forecasters, metrics, order quantities.
- :mod:`groupbuy_ml.recommendation`: graph recommenders on the user-product-scene graph.
- :mod:`groupbuy_ml.federated`: Flower apps for training across shops without pooling data.
- :mod:`groupbuy_ml.routing`: next-morning delivery routing (CVRPTW).
- :mod:`groupbuy_ml.tracking`: MLflow runs, data fingerprints, the model registry.
- :mod:`groupbuy_ml.serving`: HTTP endpoints for the champion models.
"""

__version__ = "0.1.0"
