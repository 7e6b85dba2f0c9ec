"""Stored rows as apigateway's output shapes (RestApi, Resource, Method, Integration, Authorizer, Deployment,
Stage), as AWS returns them: members AWS leaves out when unset are left out; ``x-poolgate-…`` members (what
only poolgate.yaml can say) are never sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .registry import Shape

Record = Mapping[Any, Any]
"""A stored row (``RowMapping``) or a dict of the same columns."""

METHOD_SETTING_DEFAULTS: Shape = {
    "metricsEnabled": False, "dataTraceEnabled": False, "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0, "cachingEnabled": False, "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False, "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
"""What GetStage reports for a method setting left unset: the account-level throttling defaults and the
MethodSetting defaults (https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html; recorded:
localstack test_apigateway_common.snapshot.json ``test_update_stage_remove_wildcard``)."""


def _public(config: Record) -> Shape:
    return {key: value for key, value in config.items() if not key.startswith("x-poolgate-")}


def epoch(when: float) -> int:
    """Dates as AWS's REST-JSON sends them: whole seconds since the epoch."""
    return int(when)


def rest_api(row: Record) -> Shape:
    config = _public(row["config"])
    shape: Shape = {"id": row["id"], "name": row["name"]}
    if "description" in config:
        shape["description"] = config["description"]
    shape["createdDate"] = epoch(row["created"])
    for key in ("version", "binaryMediaTypes", "minimumCompressionSize"):
        if config.get(key) not in (None, []):
            shape[key] = config[key]
    shape["apiKeySource"] = config.get("apiKeySource", "HEADER")
    shape["endpointConfiguration"] = config.get("endpointConfiguration",
                                                {"types": ["EDGE"], "ipAddressType": "ipv4"})
    policy = config.get("policy")
    if policy is not None:
        # AWS quirk: the policy comes back as JSON text with its quotes escaped once more, which
        # localstack reproduces for Terraform (localstack-core/localstack/services/apigateway/patches.py).
        shape["policy"] = json.dumps(json.dumps(policy, separators=(",", ":")))[1:-1]
    if config.get("tags"):
        shape["tags"] = config["tags"]
    shape["disableExecuteApiEndpoint"] = bool(config.get("disableExecuteApiEndpoint", False))
    shape["rootResourceId"] = row["root_id"]
    return shape


def resource(row: Record, methods: Mapping[str, Record],
             integrations: Mapping[tuple[str, str], Record], embed: bool) -> Shape:
    """Without ``embed=methods`` each method is listed as ``{}``, as GetResources does."""
    shape: Shape = {"id": row["id"]}
    if row["parent_id"] is not None:  # the root resource has neither parentId nor pathPart
        shape["parentId"] = row["parent_id"]
        shape["pathPart"] = row["path_part"]
    shape["path"] = row["path"]
    if methods:
        shape["resourceMethods"] = {
            verb: method(found, integrations.get((row["id"], verb))) if embed else {}
            for verb, found in sorted(methods.items())}
    return shape


def method(row: Record, wired: Record | None) -> Shape:
    shape = _public(row["config"])
    if row["responses"]:
        shape["methodResponses"] = dict(row["responses"])
    if wired is not None:
        shape["methodIntegration"] = integration(wired)
    return shape


def integration(row: Record) -> Shape:
    shape = _public(row["config"])
    if row["responses"]:
        shape["integrationResponses"] = dict(row["responses"])
    return shape


def authorizer(row: Record) -> Shape:
    return {"id": row["id"], **_public(row["config"])}


def deployment(row: Record, summary: Shape | None = None) -> Shape:
    shape: Shape = {"id": row["id"]}
    if row["description"] is not None:
        shape["description"] = row["description"]
    shape["createdDate"] = epoch(row["created"])
    if summary is not None:
        shape["apiSummary"] = summary
    return shape


def api_summary(snapshot: Record) -> Shape:
    """GetDeployment's ``embed=apisummary``: resource path → verb → authorization of the deployed methods."""
    summary: Shape = {}
    for item in snapshot["resources"]:
        if item["methods"]:
            summary[item["path"]] = {
                verb: {"authorizationType": spec["method"].get("authorizationType", "NONE"),
                       "apiKeyRequired": bool(spec["method"].get("apiKeyRequired", False))}
                for verb, spec in sorted(item["methods"].items())}
    return summary


def stage(row: Record) -> Shape:
    config = row["config"]
    shape: Shape = {"deploymentId": row["deployment_id"], "stageName": row["name"]}
    if config.get("description") is not None:
        shape["description"] = config["description"]
    shape["cacheClusterEnabled"] = bool(config.get("cacheClusterEnabled", False))
    shape["cacheClusterStatus"] = "NOT_AVAILABLE"
    shape["methodSettings"] = {key: {**METHOD_SETTING_DEFAULTS, **value}
                               for key, value in config.get("methodSettings", {}).items()}
    if config.get("variables"):
        shape["variables"] = dict(config["variables"])
    if config.get("documentationVersion") is not None:
        shape["documentationVersion"] = config["documentationVersion"]
    if config.get("tags"):
        shape["tags"] = dict(config["tags"])
    shape["tracingEnabled"] = bool(config.get("tracingEnabled", False))
    shape["createdDate"] = epoch(row["created"])
    shape["lastUpdatedDate"] = epoch(row["modified"])
    return shape
