"""MLflow's error codes and the HTTP statuses its server answers them with, and how ours map onto them.

A client tells "not found" from "bad request" by `error_code` (e.g. `get_experiment_by_name` returns None on
RESOURCE_DOES_NOT_EXIST, `create_registered_model` needs RESOURCE_ALREADY_EXISTS exactly), so the mapping is
part of the protocol, done once here."""

from __future__ import annotations

from ..entities import Conflict, InvalidInput, MLExtError, NotFound, StorageFull, TooLarge

RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
INVALID_STATE = "INVALID_STATE"
ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
INTERNAL_ERROR = "INTERNAL_ERROR"
PERMISSION_DENIED = "PERMISSION_DENIED"

_STATUS = {
    RESOURCE_DOES_NOT_EXIST: 404,
    RESOURCE_ALREADY_EXISTS: 400,
    INVALID_PARAMETER_VALUE: 400,
    INVALID_STATE: 400,
    ENDPOINT_NOT_FOUND: 404,
    PERMISSION_DENIED: 403,
    INTERNAL_ERROR: 500,
}


class MlflowError(MLExtError):
    """An error that must reach the MLflow client with this exact code."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message, field)
        self.code = code
        self.status = _STATUS.get(code, 400)


def already_exists(message: str, field: str | None = None) -> MlflowError:
    return MlflowError(RESOURCE_ALREADY_EXISTS, message, field)


def mlflow_error(error: MLExtError) -> tuple[int, dict[str, str]]:
    """The status and body MLflow's server would answer for one of our errors."""
    if isinstance(error, MlflowError):
        code = error.code
    elif isinstance(error, NotFound):
        code = RESOURCE_DOES_NOT_EXIST
    elif isinstance(error, Conflict):
        code = INVALID_PARAMETER_VALUE
    elif isinstance(error, TooLarge):
        return 413, {"error_code": INVALID_PARAMETER_VALUE, "message": error.message}
    elif isinstance(error, InvalidInput):
        code = INVALID_PARAMETER_VALUE
    elif isinstance(error, StorageFull):
        return 507, {"error_code": INTERNAL_ERROR, "message": error.message}
    else:
        code = INTERNAL_ERROR
    return _STATUS[code], {"error_code": code, "message": error.message}
