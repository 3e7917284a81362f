"""HTTP serving of the champion models (Ray Serve), loaded from the MLflow registry by alias with
:func:`groupbuy_ml.tracking.load_champion`."""
