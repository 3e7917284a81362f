"""Errors a service raises for a request it cannot answer, each with its HTTP status.

They travel back from Ray Serve replicas as plain values (:meth:`ServiceError.to_response`) and
become JSON bodies naming the field at fault; nothing a client sends should end in a 500.
"""

from __future__ import annotations

from groupbuy_ml.serving.schemas.common import ErrorDetail, ErrorResponse

__all__ = ["ModelUnavailableError", "NotFoundError", "ServiceError", "UnprocessableError"]


class ServiceError(Exception):
    """A request the service cannot answer: ``status`` and ``code`` say how, ``field`` where."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return self.message

    def to_response(self) -> ErrorResponse:
        """The JSON body of the answer."""
        detail = [] if self.field is None else [
            ErrorDetail(field=self.field, message=self.message, type=self.code)]
        return ErrorResponse(error=self.code, message=self.message, detail=detail)


class NotFoundError(ServiceError):
    """An id the model or the data does not know (404)."""

    status = 404
    code = "not_found"


class UnprocessableError(ServiceError):
    """A well-formed request the model cannot serve, e.g. a horizon beyond its own (422)."""

    status = 422
    code = "unprocessable"


class ModelUnavailableError(ServiceError):
    """No champion is loaded for the endpoint yet (503)."""

    status = 503
    code = "model_unavailable"
