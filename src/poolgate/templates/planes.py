"""The in-process entry points of the control planes a template is applied through: the same operations, with
the same validation, as the cognito-idp, apigateway, lambda and IAM APIs serve over HTTP (never a private path).

Each call runs as the server's own account and region; a refusal is the operation's ``ServiceError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from ..apigw_control import plane as apigw_plane  # noqa: F401  (registers the apigateway operations)
from ..apigw_control import routes as apigw_routes
from ..apigw_control.registry import OPERATIONS as APIGW_OPERATIONS
from ..apigw_control.registry import Call as ApigwCall
from ..awsproto.dispatch import Caller
from ..awsproto.validate import validation_errors
from ..cognito.service import COGNITO
from ..errors import ServiceError
from ..iamapi import IAM
from ..iamapi.common import IN_PROCESS
from ..lambda_control import plane as lambda_plane  # noqa: F401  (registers the lambda operations)
from ..lambda_control import routes as lambda_routes
from ..lambda_control.functions import OPERATIONS as LAMBDA_OPERATIONS
from ..lambda_control.functions import Call as LambdaCall
from ..services import Services

NOT_FOUND = frozenset({"ResourceNotFoundException", "NotFoundException", "NoSuchEntity"})


@cache
def _apigw_models() -> dict[str, Any]:
    return {route.name: route.model for route in apigw_routes.routes()}


@cache
def _lambda_models() -> dict[str, Any]:
    return {route.name: route.model for route in lambda_routes.routes()}


@dataclass(slots=True)
class Planes:
    """The server's planes, as a template's resources call them."""

    services: Services
    app: Any
    """The ``PoolgateApp``: its lambda plane's defined functions and its data plane."""

    def caller(self) -> Caller:
        settings = self.services.settings
        return Caller(region=settings.region, account=settings.account, signed=True, access_key=None,
                      source_ip="127.0.0.1", request_id=self.services.ids.uuid())

    async def cognito(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        operation = COGNITO.operations[name]
        shape = COGNITO.model.operation_model(name).input_shape
        return await operation.handler(self.services, self.caller(), COGNITO.checked(name, coerce(shape, params)))

    async def apigateway(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        model = _apigw_models()[name]
        params = coerce(model.input_shape, params)
        problem = validation_errors(model.input_shape, params)
        if problem:
            raise ServiceError("ValidationException", problem, 400)
        operation = APIGW_OPERATIONS[name]
        dataplane = self.app.dataplane
        if operation.writes:
            async with self.services.db.begin() as conn:
                call = ApigwCall(self.services, self.caller(), conn, True, dataplane)
                return await operation.handler(call, params)
        async with self.services.db.read() as conn:
            return await operation.handler(ApigwCall(self.services, self.caller(), conn, False, dataplane), params)

    async def lambda_(self, name: str, params: dict[str, Any]) -> Any:
        model = _lambda_models()[name]
        params = coerce(model.input_shape, params)
        problem = validation_errors(model.input_shape, params)
        if problem:
            raise ServiceError("ValidationException", problem, 400)
        call = LambdaCall(self.services, self.caller(), self.services.extras.get("function_runtime"),
                          self.app.lambdas.defined)
        return await LAMBDA_OPERATIONS[name](call, params)

    async def iam(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """An IAM API operation, run as the server's own account (``iamapi.common.IN_PROCESS``)."""
        shape = IAM.model.operation_model(name).input_shape
        params = coerce(shape, params)
        problem = validation_errors(shape, params)
        if problem:
            raise ServiceError("ValidationError", problem, 400)
        return await IAM.operations[name](self.services, IN_PROCESS, params) or {}

    async def exists(self, probe: list[Any]) -> bool:
        """Whether the resource a recorded probe (plane, operation, parameters) reads is still there."""
        plane, name, params = probe
        try:
            await getattr(self, plane)(name, params)
        except ServiceError as err:
            if err.code in NOT_FOUND:
                return False
            raise
        return True


def coerce(shape: Shape | None, value: Any) -> Any:
    """Template scalars as the operation's model types them: CloudFormation passes numbers and booleans as text
    as often as not (``MinimumLength: "8"``, ``GenerateSecret: "true"``)."""
    if shape is None:
        return value
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {k: coerce(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [coerce(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: coerce(shape.value, v) for k, v in value.items()}
    if shape.type_name in ("integer", "long") and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if shape.type_name == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if shape.type_name == "string" and isinstance(value, bool):
        return str(value).lower()
    if shape.type_name == "string" and isinstance(value, int | float):
        return str(value)
    return value


def members(plane: str, name: str) -> set[str]:
    """The input members of an operation."""
    if plane == "cognito":
        shape = COGNITO.model.operation_model(name).input_shape
    elif plane == "apigateway":
        shape = _apigw_models()[name].input_shape
    elif plane == "iam":
        shape = IAM.model.operation_model(name).input_shape
    else:
        shape = _lambda_models()[name].input_shape
    return set(shape.members) if shape is not None else set()
