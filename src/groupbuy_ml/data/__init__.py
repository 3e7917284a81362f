"""Data layer: the simulated market, table schemas, validation and loaders of real datasets."""

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.validation import validate

__all__ = ["DataValidationError", "validate"]
