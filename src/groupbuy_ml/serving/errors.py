"""Errors a service raises for a request it cannot answer, each with its HTTP status.

They travel back from Ray Serve replicas as plain values (:meth:`ServiceError.to_response`) and
become JSON bodies naming the field at fault. The rules every endpoint follows:

- 4xx: what the client can fix. The body names the field and says what was expected. A
  :class:`~groupbuy_ml.errors.UserInputError` raised by the library while answering becomes a
  422 with its message (:func:`as_service_error`).
- 5xx and 503: never the internal error, a file path or a URI (a tracking URI can hold a
  password). The body says what failed and carries an ``error_id``; the log holds the details
  under that id.
- One request's failure is that request's answer only: batched requests are answered one by
  one when their batch fails (:meth:`ChampionService.answer_batch
  <groupbuy_ml.serving.services.champion_service.ChampionService.answer_batch>`).
"""

from __future__ import annotations

import logging
import uuid

from groupbuy_ml.errors import UserInputError
from groupbuy_ml.serving.schemas.common import ErrorDetail, ErrorResponse

__all__ = ["InternalServiceError", "ModelUnavailableError", "NotFoundError", "ServiceError",
           "SolverFailedError", "UnprocessableError", "as_service_error", "internal_error"]

log = logging.getLogger(__name__)


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


class InternalServiceError(ServiceError):
    """A bug while answering (500): the body says so with an id, the log has the traceback."""

    status = 500
    code = "internal_error"


class SolverFailedError(InternalServiceError):
    """The routing solver crashed or failed (500), as opposed to finding no plan in time."""

    code = "solver_failed"


def new_error_id() -> str:
    """A short id that ties a 5xx answer to its log lines."""
    return uuid.uuid4().hex[:12]


def internal_error(what: str, error: BaseException | None = None,
                   kind: type[InternalServiceError] = InternalServiceError,
                   detail: str | None = None) -> InternalServiceError:
    """Log ``error`` (with its traceback) or ``detail`` under a new id; return the 5xx answer,
    which names only ``what`` failed and the id."""
    error_id = new_error_id()
    if error is not None:
        log.error("%s [error_id %s]", what, error_id, exc_info=error)
    else:
        log.error("%s [error_id %s]%s", what, error_id, f": {detail}" if detail else "")
    return kind(f"{what}; logged on the server as error_id {error_id}")


def as_service_error(error: Exception) -> ServiceError | None:
    """The answer for an error raised while serving a request: the error itself for a
    :class:`ServiceError`, a 422 for a :class:`~groupbuy_ml.errors.UserInputError` (the library
    says what the client can fix), ``None`` for anything else (a bug: the caller logs it)."""
    if isinstance(error, ServiceError):
        return error
    if isinstance(error, UserInputError):
        return UnprocessableError(str(error), "body")
    return None
