"""What the apigateway control plane reads: the data plane's compiled deployments, seen by one caller.

The ids are the data plane's own: API ids from poolgate.yaml (or derived from it), resource and authorizer
ids generated when the API was loaded, deployment ids given when each stage was compiled. So the
``resourceId``/``deploymentId`` a Lambda proxy event carries are the ones GetResources/GetStage return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..apigw.domain import Method, Resource, RestApi
from ..dataplane.deployment import Deployment
from ..errors import ServiceError


@dataclass(slots=True)
class ApiView:
    """One REST API as served: the model, its compiled stages and the methods its router answers."""

    api: RestApi
    stages: dict[str, Deployment]
    """By stage name, sorted."""
    methods: dict[str, dict[str, Method]] = field(default_factory=dict)
    """Resource path → verb → method, including the OPTIONS preflights ``cors:`` adds (as AWS's "Enable
    CORS" adds real OPTIONS methods)."""

    @classmethod
    def of(cls, stages: Mapping[str, Deployment]) -> ApiView:
        ordered = {name: stages[name] for name in sorted(stages)}
        first = next(iter(ordered.values()))
        methods: dict[str, dict[str, Method]] = {path: {} for path in first.api.resources}
        for route in first.routes:
            methods.setdefault(route.resource_path, {})[route.http_method] = route.method
        return cls(first.api, ordered, methods)

    def resources(self) -> list[Resource]:
        """In path order, as GetResources lists them."""
        return sorted(self.api.resources.values(), key=lambda resource: resource.path)

    def parent_id(self, resource: Resource) -> str | None:
        if resource.path == "/":
            return None
        parent = resource.path.rsplit("/", 1)[0] or "/"
        return self.api.resources[parent].id

    def resource(self, resource_id: str) -> Resource:
        for resource in self.api.resources.values():
            if resource.id == resource_id:
                return resource
        raise not_found("Invalid Resource identifier specified")

    def method(self, resource_id: str, http_method: str) -> tuple[Resource, Method]:
        resource = self.resource(resource_id)
        method = self.methods.get(resource.path, {}).get(http_method)
        if method is None:
            raise not_found("Invalid Method identifier specified")
        return resource, method

    def deployment(self, deployment_id: str) -> Deployment:
        for deployment in self.stages.values():
            if deployment.deployment_id == deployment_id:
                return deployment
        raise not_found("Invalid Deployment identifier specified")


@dataclass(slots=True)
class Catalog:
    """The APIs one caller may see: those of its account and of the region its credentials are scoped to."""

    account: str
    created: float
    """When this process compiled its deployments: every createdDate poolgate reports."""
    apis: dict[str, ApiView]

    @classmethod
    def build(cls, deployments: Mapping[str, Mapping[str, Deployment]], region: str, account: str,
              created: float) -> Catalog:
        apis = {}
        for api_id, stages in deployments.items():
            if not stages:
                continue
            view = ApiView.of(stages)
            if view.api.region == region and view.api.account == account:
                apis[api_id] = view
        return cls(account, created, apis)

    def api(self, api_id: str) -> ApiView:
        """The API, or AWS's NotFoundException naming the account and the id (the wording of a
        recorded AWS response: localstack tests/aws/services/apigateway/test_apigateway_api.snapshot.json,
        ``test_get_api_case_insensitive``)."""
        view = self.apis.get(api_id)
        if view is None:
            raise not_found(f"Invalid API identifier specified {self.account}:{api_id}")
        return view

    def api_of_resource(self, api_id: str) -> ApiView:
        """AWS quirk: operations on a resource or below it name the resource when the API is unknown
        (recorded: ``test_update_method_validation`` "wrong-rest-api", ``test_integration_response_wrong_api``
        in the same snapshot file)."""
        view = self.apis.get(api_id)
        if view is None:
            raise not_found("Invalid Resource identifier specified")
        return view


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, 404)


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)
