"""``MOCK``: API Gateway answers by itself with a fixed status, body and headers (the console's
"Enable CORS" preflight is one)."""

from __future__ import annotations

from dataclasses import dataclass

from ..context import IntegrationResult, InvocationContext
from ..plugins import DeploymentError, IntegrationConfig, substitute_stage_variables

TYPE = "MOCK"


@dataclass(frozen=True, slots=True)
class Mock:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def validate(config: IntegrationConfig) -> Mock:
    mock = config.integration.mock
    where = config.env.where(config.resource, config.method)
    if mock is None:
        return Mock(200, (), b"")
    if not 100 <= mock.status_code <= 599:
        raise DeploymentError(f"{where}: mock status code {mock.status_code} is not an HTTP status")
    headers = tuple((name, substitute_stage_variables(str(value), config.env.variables, where))
                    for name, value in mock.headers.items())
    return Mock(mock.status_code, headers, mock.body.encode())


async def invoke(ctx: InvocationContext, mock: Mock) -> IntegrationResult:
    return IntegrationResult(mock.status, list(mock.headers), mock.body)
