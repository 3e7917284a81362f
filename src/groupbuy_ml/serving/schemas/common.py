"""Shared pieces of the request and response models: strict bases, ids, errors, model refs.

Every request model forbids unknown fields, rejects NaN and infinity and bounds every string,
list and number, so that no input a client (or a fuzzer) can send reaches the services
unchecked: what fails here is a 422 naming the field, never a 500.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints

__all__ = [
    "MAX_ID",
    "ErrorDetail",
    "ErrorResponse",
    "HealthResponse",
    "Id",
    "ModelRef",
    "ModelsResponse",
    "RequestModel",
    "ResponseModel",
]

MAX_ID = 2**53
"""Largest integer id accepted (exact in JSON numbers and float64)."""

IntId = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
StrId = Annotated[StrictStr, StringConstraints(min_length=1, max_length=64,
                                         pattern=r"^[A-Za-z0-9_.:\-]+$")]
Id = IntId | StrId
"""An entity id: a non-negative integer or a short token of letters, digits and ``_.:-``."""


class RequestModel(BaseModel):
    """Base of every request body: unknown fields and non-finite numbers are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class ResponseModel(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(extra="forbid")


class ModelRef(ResponseModel):
    """The registered model version that answered (or that an endpoint serves now)."""

    name: str
    alias: str
    version: int
    run_id: str | None = None
    model_class: str | None = None
    loaded_at: str | None = Field(None, description="UTC time this replica loaded it")


class ModelsResponse(ResponseModel):
    """``GET /v1/models``: what each endpoint serves now (``null``: no model loaded)."""

    forecast: ModelRef | None
    recommend: ModelRef | None
    route: dict[str, str]
    review: ModelRef | None = None
    intent: ModelRef | None = None


class HealthResponse(ResponseModel):
    """``GET /healthz``."""

    status: str


class ErrorDetail(ResponseModel):
    """One problem with a request: where (``field``, a dotted path) and what."""

    field: str
    message: str
    type: str


class ErrorResponse(ResponseModel):
    """The body of every 4xx/5xx answer."""

    error: str = Field(description="machine-readable code, e.g. validation_error, not_found")
    message: str
    detail: list[ErrorDetail] = Field(default_factory=list)
