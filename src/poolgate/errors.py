"""Error roots, one per plane; each plane renders its own errors exactly once at its boundary.

    PoolgateError
    ├── ServiceError        control plane: AWS JSON error shape (``__type``, ``message``)
    ├── OAuthError          identity plane: RFC 6749 error codes
    └── GatewayError        data plane: a GatewayResponseType with status and message
"""

from __future__ import annotations


class PoolgateError(Exception):
    """Root of every error poolgate raises on purpose."""


class ServiceError(PoolgateError):
    """An AWS service error: ``code`` is the error shape's name in botocore's model."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def not_authorized(message: str) -> ServiceError:
    return ServiceError("NotAuthorizedException", message)


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def resource_not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


class OAuthError(PoolgateError):
    """An RFC 6749 error (``invalid_request``, ``invalid_grant`` …)."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


class GatewayError(PoolgateError):
    """A data-plane failure, rendered as API Gateway's gateway response of ``response_type``."""

    def __init__(
        self,
        response_type: str,
        status: int,
        message: str | None,
        error_type: str,
        *,
        message_key: str = "message",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or response_type)
        self.response_type = response_type
        self.status = status
        self.message = message
        self.error_type = error_type
        self.message_key = message_key
        self.headers = headers or {}
