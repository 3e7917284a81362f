"""Request and response models of the HTTP API (pydantic), one module per endpoint."""

from groupbuy_ml.serving.schemas.common import (
    ErrorDetail,
    ErrorResponse,
    HealthResponse,
    ModelRef,
    ModelsResponse,
)
from groupbuy_ml.serving.schemas.forecast import (
    CovariateRow,
    ForecastPoint,
    ForecastRequest,
    ForecastResponse,
    Ordering,
    SeriesForecast,
    SeriesKey,
)
from groupbuy_ml.serving.schemas.merchandising import (
    FormationRequest,
    FormationResponse,
    PriceRequest,
    PriceResponse,
)
from groupbuy_ml.serving.schemas.recommend import (
    HouseholdProfile,
    RecommendedItem,
    RecommendRequest,
    RecommendResponse,
)
from groupbuy_ml.serving.schemas.route import (
    DepotIn,
    DroppedStop,
    FleetIn,
    PlannedRoute,
    RouteRequest,
    RouteResponse,
    StopIn,
)
from groupbuy_ml.serving.schemas.text import (
    IntentRequest,
    IntentResponse,
    ReviewRequest,
    ReviewResponse,
)

__all__ = [
    "CovariateRow", "DepotIn", "DroppedStop", "ErrorDetail", "ErrorResponse", "FleetIn",
    "ForecastPoint", "ForecastRequest", "ForecastResponse", "FormationRequest",
    "FormationResponse", "HealthResponse", "HouseholdProfile", "PriceRequest", "PriceResponse",
    "IntentRequest", "IntentResponse", "ReviewRequest", "ReviewResponse",
    "ModelRef", "ModelsResponse", "Ordering", "PlannedRoute", "RecommendRequest",
    "RecommendResponse", "RecommendedItem", "RouteRequest", "RouteResponse", "SeriesForecast",
    "SeriesKey", "StopIn",
]
