"""The read operations of apigateway, one function each, over the caller's ``Catalog``.

Error wording follows responses recorded from AWS where one was found (localstack
``tests/aws/services/apigateway/test_apigateway_api.snapshot.json``: API, Resource, Method, Integration and
response status codes); for stages, deployments and authorizers it is moto's
(``moto/apigateway/exceptions.py``: "Invalid stage identifier specified", "Invalid Deployment identifier
specified", "Invalid Authorizer identifier specified").
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from . import render
from .catalog import ApiView, Catalog, bad_request, not_found
from .render import Shape

Handler = Callable[[Catalog, dict[str, Any]], Shape]
OPERATIONS: dict[str, Handler] = {}
T = TypeVar("T")

DEFAULT_LIMIT = 25
MAX_LIMIT = 500
"""https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html: default 25, at most 500."""


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of AWS operation ``name`` (the model's operation name)."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register


def _position(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def page(items: Sequence[T], key: Callable[[T], str], params: dict[str, Any]) -> tuple[list[T], str | None]:
    """One page of ``items`` from ``position`` (opaque: its first item's key, encoded) and the next position.

    Out-of-range limits and unknown positions are BadRequestExceptions (wording UNCONFIRMED against AWS).
    """
    limit = params.get("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"Invalid limit {limit}: must be between 1 and {MAX_LIMIT}")
    start = 0
    position = params.get("position")
    if position is not None:
        keys = [_position(key(item)) for item in items]
        if position not in keys:
            raise bad_request(f"Invalid position parameter: {position}")
        start = keys.index(position)
    chunk = list(items[start:start + limit])
    following = start + limit
    return chunk, _position(key(items[following])) if following < len(items) else None


def listing(items: list[Shape], position: str | None) -> Shape:
    """A paginated list output: ``{"item": [...]}`` plus ``position`` when more follow."""
    result: Shape = {"item": items}
    if position is not None:
        result["position"] = position
    return result


def _embeds(params: dict[str, Any], what: str) -> bool:
    return any(value.strip().lower() == what for item in params.get("embed", []) for value in item.split(","))


# -- REST APIs ---------------------------------------------------------------------------------------------

@operation("GetRestApis")
def get_rest_apis(catalog: Catalog, params: dict[str, Any]) -> Shape:
    views, position = page(list(catalog.apis.values()), lambda view: view.api.id, params)
    return listing([render.rest_api(view.api, catalog.created) for view in views], position)


@operation("GetRestApi")
def get_rest_api(catalog: Catalog, params: dict[str, Any]) -> Shape:
    return render.rest_api(catalog.api(params["restApiId"]).api, catalog.created)


# -- resources, methods, integrations ----------------------------------------------------------------------

def _resource_shape(view: ApiView, resource_id: str, embed: bool) -> Shape:
    resource = view.resource(resource_id)
    return render.resource(resource, view.parent_id(resource), view.methods.get(resource.path, {}), embed)


@operation("GetResources")
def get_resources(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    embed = _embeds(params, "methods")
    resources, position = page(view.resources(), lambda resource: resource.id, params)
    return listing([_resource_shape(view, resource.id, embed) for resource in resources], position)


@operation("GetResource")
def get_resource(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api_of_resource(params["restApiId"])
    return _resource_shape(view, params["resourceId"], _embeds(params, "methods"))


@operation("GetMethod")
def get_method(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api_of_resource(params["restApiId"])
    resource, method = view.method(params["resourceId"], params["httpMethod"])
    return render.method_shape(resource.id, method)


@operation("GetIntegration")
def get_integration(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api_of_resource(params["restApiId"])
    resource, method = view.method(params["resourceId"], params["httpMethod"])
    if method.integration is None:
        raise not_found("Invalid Integration identifier specified")
    return render.integration(resource.id, method.integration)


def _mock_answer(catalog: Catalog, params: dict[str, Any], *, integration_needed: bool) -> Any:
    """The MOCK answer a method/integration response names by status code (the only kind poolgate keeps)."""
    view = catalog.api_of_resource(params["restApiId"])
    _, method = view.method(params["resourceId"], params["httpMethod"])
    if method.integration is None and integration_needed:
        raise not_found("Invalid Integration identifier specified")
    mock = method.integration.mock if method.integration is not None else None
    if mock is None or str(mock.status_code) != params["statusCode"]:
        raise not_found("Invalid Response status code specified")
    return mock


@operation("GetMethodResponse")
def get_method_response(catalog: Catalog, params: dict[str, Any]) -> Shape:
    return render.method_response(_mock_answer(catalog, params, integration_needed=False))


@operation("GetIntegrationResponse")
def get_integration_response(catalog: Catalog, params: dict[str, Any]) -> Shape:
    return render.integration_response(_mock_answer(catalog, params, integration_needed=True))


# -- stages and deployments --------------------------------------------------------------------------------

@operation("GetStages")
def get_stages(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    wanted = params.get("deploymentId")
    return {"item": [render.stage(deployment, catalog.created) for deployment in view.stages.values()
                     if wanted is None or deployment.deployment_id == wanted]}


@operation("GetStage")
def get_stage(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    deployment = view.stages.get(params["stageName"])
    if deployment is None:
        raise not_found("Invalid stage identifier specified")
    return render.stage(deployment, catalog.created)


@operation("GetDeployments")
def get_deployments(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    deployments, position = page(list(view.stages.values()), lambda deployment: deployment.deployment_id, params)
    return listing([render.deployment(deployment, catalog.created, None) for deployment in deployments], position)


@operation("GetDeployment")
def get_deployment(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    deployment = view.deployment(params["deploymentId"])
    summary = view.methods if _embeds(params, "apisummary") else None
    return render.deployment(deployment, catalog.created, summary)


# -- authorizers -------------------------------------------------------------------------------------------

@operation("GetAuthorizers")
def get_authorizers(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    authorizers, position = page(list(view.api.authorizers.values()), lambda authorizer: authorizer.id, params)
    return listing([render.authorizer(authorizer) for authorizer in authorizers], position)


@operation("GetAuthorizer")
def get_authorizer(catalog: Catalog, params: dict[str, Any]) -> Shape:
    view = catalog.api(params["restApiId"])
    authorizer = view.api.authorizers.get(params["authorizerId"])
    if authorizer is None:
        raise not_found("Invalid Authorizer identifier specified")
    return render.authorizer(authorizer)
