"""What the OpenAPI importer and the poolgate.yaml API form share: building resources, authorizers,
integrations, mock responses, gateway responses and API-level settings from AWS-named fields, with the
checks API Gateway applies (and a few of poolgate's own, named as such).

Both loaders read their own syntax and hand these functions dicts keyed by the apigateway service
model's names (``providerARNs``, ``identitySource``, ``uri``, ``timeoutInMillis`` …), so equivalent
definitions produce equal ``RestApi`` models.
"""

from __future__ import annotations

import re
from typing import Any

from ..clock import IdGenerator
from .checks import Checker
from .domain import ANY, HTTP_METHODS, Authorizer, GatewayResponse, Integration, MockResponse, Resource, RestApi
from .uris import expand_policy_resources, is_lambda_invocation_uri

AUTHORIZER_TYPES = ("COGNITO_USER_POOLS", "TOKEN", "REQUEST")
INTEGRATION_TYPES = ("AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")
API_KEY_SOURCES = ("HEADER", "AUTHORIZER")
GATEWAY_RESPONSE_TYPES = (
    "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
    "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
    "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
    "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED",
    "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
)
DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"
DEFAULT_CONTENT_TYPE = "application/json"

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._-]+|\{[A-Za-z0-9._-]+\+?\})$")
_PATH_PART_PROBLEM = ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                      "and an optional plus sign before the closing brace.")  # AWS's own message
_STAGE_VARIABLE = r"\$\{stageVariables\.[A-Za-z0-9_]+\}"
_MEDIA_TYPE = re.compile(r"^[\w.+*-]+/[\w.+*-]+(?:;.*)?$")
_HEADER_SOURCE = re.compile(r"^method\.request\.header\.[^\s,.][^\s,]*$")
_IDENTITY_SOURCE_PART = re.compile(
    r"^(?:method\.request\.(?:header|querystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$")
_PROVIDER = re.compile(
    r"^(?:arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+_[0-9A-Za-z]+"
    r"|[\w-]+_[0-9A-Za-z]+|https?://\S+|.*" + _STAGE_VARIABLE + r".*)$")
_REQUEST_TARGET = re.compile(
    r"^integration\.request\.(?:path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+$")
_METHOD_SOURCE = re.compile(
    r"^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.([^\s]+)$")
_OTHER_SOURCE = re.compile(r"^(?:'[^']*'|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+"
                           r"|method\.request\.body(?:\.\S+)?)$")
_METHOD_PARAMETER = re.compile(r"^method\.request\.(path|querystring|header)\.([^\s]+)$")
_URI_PLACEHOLDER = re.compile(r"(?<!\$)\{([A-Za-z0-9._-]+)\}")


def new_rest_api(api_id: str, name: str, region: str, account: str, source: str, ids: IdGenerator) -> RestApi:
    api = RestApi(id=api_id, name=name, region=region, account=account, source=source)
    api.resources["/"] = Resource(id=ids.short_id(6), path="/")
    return api


# -- resources ---------------------------------------------------------------------------------------------

def path_variables(path: str) -> list[str]:
    """``/files/{owner}/{proxy+}`` → ``["owner", "proxy"]``."""
    return [part.strip("{}").rstrip("+") for part in path.split("/") if part.startswith("{")]


def _is_variable(part: str) -> bool:
    return part.startswith("{")


def add_resource(api: RestApi, ch: Checker, path: str, where: str, ids: IdGenerator) -> Resource:
    """The resource at ``path``, created with every missing ancestor ("/pets/{petId}" implies "/pets", "/")."""
    ch.expect(path.startswith("/"), where, "a resource path must start with /")
    if path in api.resources:
        return api.resources[path]
    parts = path.strip("/").split("/") if path != "/" else []
    ch.expect(path == "/" or not path.endswith("/"), where, "a resource path must not end with /")
    seen: set[str] = set()
    for index, part in enumerate(parts):
        ch.expect(part != "", where, "a resource path must not contain an empty part (//)")
        ch.expect(_PATH_PART.match(part) is not None, where, f"{part!r}: {_PATH_PART_PROBLEM}")
        if part.endswith("+}"):
            ch.expect(index == len(parts) - 1, where, f"the greedy path variable {part} must be the last path part")
        if _is_variable(part):
            name = part.strip("{}").rstrip("+")
            ch.expect(name not in seen, where, f"the path variable {{{name}}} appears twice")
            seen.add(name)
    current = ""
    for part in parts:
        parent = current or "/"
        current = f"{current}/{part}"
        if current in api.resources:
            continue
        if _is_variable(part):
            for sibling in api.resources:
                if sibling != "/" and sibling.rsplit("/", 1)[0] == (current.rsplit("/", 1)[0]):
                    last = sibling.rsplit("/", 1)[1]
                    ch.expect(not _is_variable(last), where,
                              f"A sibling ({last}) of this resource already has a variable path part -- only one "
                              f"is allowed (under {parent})")
        api.resources[current] = Resource(id=ids.short_id(6), path=current)
    return api.resources[path]


def method_request_parameters(ch: Checker, path: str, declared: dict[str, bool], where: str) -> dict[str, bool]:
    """The method's request parameters: every path variable (required, as API Gateway adds them) plus the
    declared query string and header parameters (``method.request.querystring.page`` → required?)."""
    variables = path_variables(path)
    result = {f"method.request.path.{name}": True for name in variables}
    for key, required in declared.items():
        match = _METHOD_PARAMETER.match(key)
        ch.expect(match is not None, f"{where}.{key}",
                  "must look like method.request.{path|querystring|header}.NAME")
        assert match is not None
        if match.group(1) == "path":
            ch.expect(match.group(2) in variables, f"{where}.{key}",
                      f"path parameter {match.group(2)!r} does not appear in the resource path {path}")
            continue
        result[key] = required
    return result


# -- authorizers -------------------------------------------------------------------------------------------

def build_authorizer(ch: Checker, ids: IdGenerator, name: str, kind: str, spec: dict[str, Any],
                     where: str) -> Authorizer:
    """An authorizer from AWS-named fields: providerARNs, identitySource, identityValidationExpression,
    authorizerResultTtlInSeconds, authorizerUri, rejectRevokedTokens (poolgate's own)."""
    ttl = ch.integer(spec.get("authorizerResultTtlInSeconds", 300), f"{where}.authorizerResultTtlInSeconds", 0, 3600)
    expression = ch.optional_string(spec.get("identityValidationExpression"), f"{where}.identityValidationExpression")
    if expression is not None:
        try:
            re.compile(expression)
        except re.error as exc:
            ch.fail(f"{where}.identityValidationExpression", f"not a valid regular expression: {exc}")
    authorizer = Authorizer(id=ids.short_id(6), name=name, type=kind, authorizer_result_ttl_in_seconds=ttl,
                            identity_validation_expression=expression)
    source = spec.get("identitySource")
    source_where = f"{where}.identitySource"
    if kind == "REQUEST":
        if source is None:
            ch.expect(ttl == 0, source_where,
                      "required for REQUEST authorizers unless authorizerResultTtlInSeconds is 0")
            authorizer.identity_source = ""
        else:
            parts = [part.strip() for part in ch.string(source, source_where).split(",")]
            for part in parts:
                ch.expect(_IDENTITY_SOURCE_PART.match(part) is not None, source_where,
                          f"{part!r} is not method.request.header.X, method.request.querystring.X, "
                          "stageVariables.X or context.X")
            authorizer.identity_source = ", ".join(parts)
    else:
        source = ch.string(source, source_where) if source is not None else DEFAULT_IDENTITY_SOURCE
        ch.expect(_HEADER_SOURCE.match(source) is not None, source_where,
                  f"{kind} authorizers read one header: method.request.header.NAME")
        authorizer.identity_source = source
    if kind == "COGNITO_USER_POOLS":
        ch.expect(spec.get("authorizerUri") is None, f"{where}.authorizerUri", "only for TOKEN and REQUEST authorizers")
        arns = ch.string_list(spec.get("providerARNs"), f"{where}.providerARNs")
        ch.expect(0 < len(arns) <= 1000, f"{where}.providerARNs", "required: 1 to 1000 user pool ARNs")
        for index, arn in enumerate(arns):
            ch.expect(_PROVIDER.match(arn) is not None, f"{where}.providerARNs[{index}]",
                      "must be a user pool ARN (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}), "
                      "a pool id or a pool's issuer URL")
        authorizer.provider_arns = arns
        authorizer.reject_revoked_tokens = ch.boolean(spec.get("rejectRevokedTokens"), f"{where}.rejectRevokedTokens")
    else:
        ch.expect(spec.get("providerARNs") is None, f"{where}.providerARNs", "only for COGNITO_USER_POOLS authorizers")
        ch.expect(spec.get("rejectRevokedTokens") is None, f"{where}.rejectRevokedTokens",
                  "only for COGNITO_USER_POOLS authorizers")
        uri = ch.string(spec.get("authorizerUri"), f"{where}.authorizerUri")
        ch.expect(is_lambda_invocation_uri(uri), f"{where}.authorizerUri",
                  "must be a Lambda invocation URI: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                  "arn:aws:lambda:{region}:{account}:function:{name}/invocations")
        authorizer.authorizer_uri = uri
    return authorizer


def authorization_type(authorizer: Authorizer) -> str:
    """The method's authorizationType for an authorizer: COGNITO_USER_POOLS or CUSTOM (TOKEN/REQUEST)."""
    return "COGNITO_USER_POOLS" if authorizer.type == "COGNITO_USER_POOLS" else "CUSTOM"


# -- integrations ------------------------------------------------------------------------------------------

def make_mock(status_code: int, body: str, headers: dict[str, str], content_type: str | None) -> MockResponse:
    """A MOCK integration's answer; it always carries a Content-Type (API Gateway answers application/json)."""
    result = dict(headers)
    if not any(name.lower() == "content-type" for name in result):
        result["Content-Type"] = content_type or DEFAULT_CONTENT_TYPE
    return MockResponse(status_code=status_code, body=body, headers=result)


def integration_type(ch: Checker, value: Any, where: str) -> str:
    """AWS_PROXY, HTTP, HTTP_PROXY or MOCK, from any spelling (OpenAPI documents use lower case)."""
    kind = ch.string(value, where).upper()
    if kind == "AWS":
        ch.fail(where, "AWS service integrations are not supported (use aws_proxy, http, http_proxy or mock)")
    ch.expect(kind in INTEGRATION_TYPES, where,
              f"unknown integration type {value!r} (expected one of aws_proxy, http, http_proxy, mock)")
    return kind


def build_integration(ch: Checker, spec: dict[str, Any], *, verb: str, path: str, method_parameters: dict[str, bool],
                      mock: MockResponse | None, where: str) -> Integration:
    """An integration from AWS-named fields: type, uri, httpMethod, timeoutInMillis, requestParameters.

    poolgate convenience: ``{name}`` placeholders in an HTTP URI that no requestParameters entry maps are
    mapped from the path variable of the same name (what the console sets up for ``{proxy}``).
    """
    kind = integration_type(ch, spec.get("type"), f"{where}.type")
    timeout = spec.get("timeoutInMillis", 29000)
    if isinstance(timeout, str) and timeout.isdigit():
        timeout = int(timeout)
    ch.expect(isinstance(timeout, int) and not isinstance(timeout, bool) and 50 <= timeout <= 29000,
              f"{where}.timeoutInMillis", "Timeout should be between 50 ms and 29000 ms")
    integration = Integration(type=kind, timeout_in_millis=timeout)
    if kind == "MOCK":
        integration.mock = mock or make_mock(200, "", {}, None)
        return integration
    uri = ch.string(spec.get("uri"), f"{where}.uri")
    http_method = spec.get("httpMethod")
    if http_method is not None:
        http_method = ch.one_of(http_method, f"{where}.httpMethod", (*HTTP_METHODS, ANY))
    if kind == "AWS_PROXY":
        ch.expect(is_lambda_invocation_uri(uri), f"{where}.uri",
                  "AWS_PROXY integrations need a Lambda invocation URI: arn:aws:apigateway:{region}:lambda:path/"
                  "2015-03-31/functions/arn:aws:lambda:{region}:{account}:function:{name}/invocations")
        ch.expect(http_method in (None, "POST"), f"{where}.httpMethod", "Lambda functions are invoked with POST")
        http_method = "POST"
    else:
        ch.expect(re.match(rf"^(?:https?://|{_STAGE_VARIABLE})", uri) is not None, f"{where}.uri",
                  "Invalid HTTP endpoint specified for URI")
        http_method = http_method or verb
    integration.uri = uri
    integration.http_method = http_method
    integration.request_parameters = _request_parameters(
        ch, ch.string_map(spec.get("requestParameters"), f"{where}.requestParameters"), method_parameters,
        f"{where}.requestParameters")
    if kind != "AWS_PROXY":
        for name in _URI_PLACEHOLDER.findall(uri):
            target = f"integration.request.path.{name}"
            if target in integration.request_parameters:
                continue
            ch.expect(f"method.request.path.{name}" in method_parameters, f"{where}.uri",
                      f"{{{name}}} is neither mapped by requestParameters.{target} nor a variable of {path}")
            integration.request_parameters[target] = f"method.request.path.{name}"
    return integration


def _request_parameters(ch: Checker, mapping: dict[str, str], method_parameters: dict[str, bool],
                        where: str) -> dict[str, str]:
    declared = {key.lower() for key in method_parameters}
    for target, source in mapping.items():
        ch.expect(_REQUEST_TARGET.match(target) is not None, f"{where}.{target}",
                  "must look like integration.request.{path|querystring|header}.NAME")
        match = _METHOD_SOURCE.match(source)
        if match:
            location = match.group(1).removeprefix("multivalue")
            ch.expect(f"method.request.{location}.{match.group(2)}".lower() in declared, f"{where}.{target}",
                      f"Invalid mapping expression specified: {source} is not a declared method request parameter")
        else:
            ch.expect(_OTHER_SOURCE.match(source) is not None, f"{where}.{target}",
                      f"Invalid mapping expression specified: {source!r} (expected method.request.*, "
                      "stageVariables.*, context.* or a 'quoted literal')")
    return mapping


# -- API-level settings ------------------------------------------------------------------------------------

def parse_gateway_responses(ch: Checker, value: Any, where: str) -> dict[str, GatewayResponse]:
    """``{RESPONSE_TYPE: {statusCode, responseParameters, responseTemplates}}`` (the same in both forms)."""
    result = {}
    for kind, spec in ch.mapping(value, where).items():
        here = f"{where}.{kind}"
        ch.expect(kind in GATEWAY_RESPONSE_TYPES, here,
                  f"unknown gateway response type (expected one of {', '.join(GATEWAY_RESPONSE_TYPES)})")
        spec = ch.mapping(spec, here)
        ch.only_keys(spec, here, ("statusCode", "responseParameters", "responseTemplates"))
        status = spec.get("statusCode")
        parameters = ch.string_map(spec.get("responseParameters"), f"{here}.responseParameters")
        for name in parameters:
            ch.expect(re.match(r"^gatewayresponse\.header\.[^\s]+$", name) is not None,
                      f"{here}.responseParameters.{name}", "must look like gatewayresponse.header.NAME")
        templates = ch.string_map(spec.get("responseTemplates"), f"{here}.responseTemplates")
        for media_type in templates:
            ch.expect(_MEDIA_TYPE.match(media_type) is not None, f"{here}.responseTemplates.{media_type}",
                      "must be a media type such as application/json")
        result[kind] = GatewayResponse(
            response_type=kind,
            status_code=None if status is None else ch.integer(status, f"{here}.statusCode", 100, 599),
            response_parameters=parameters, response_templates=templates)
    return result


def parse_binary_media_types(ch: Checker, value: Any, where: str) -> list[str]:
    types = ch.string_list(value, where)
    for index, media_type in enumerate(types):
        ch.expect(_MEDIA_TYPE.match(media_type) is not None, f"{where}[{index}]",
                  "must be a media type such as image/png or */*")
    return types


def parse_api_key_source(ch: Checker, value: Any, where: str) -> str:
    return "HEADER" if value is None else ch.one_of(value, where, API_KEY_SOURCES)


def parse_policy(ch: Checker, value: Any, where: str, api: RestApi) -> dict[str, Any] | None:
    """A resource policy; ``execute-api:/*`` resources are expanded to this API's ARN."""
    if value is None:
        return None
    policy = ch.mapping(value, where)
    statements = policy.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    ch.expect(bool(statements) and statements[0] is not None, f"{where}.Statement", "required: a list of statements")
    for index, statement in enumerate(statements):
        here = f"{where}.Statement[{index}]"
        statement = ch.mapping(statement, here)
        ch.only_keys(statement, here, ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                       "Resource", "NotResource", "Condition"))
        ch.one_of(statement.get("Effect"), f"{here}.Effect", ("Allow", "Deny"), upper=False)
        ch.expect("Resource" in statement or "NotResource" in statement, f"{here}.Resource", "required")
    return expand_policy_resources(policy, api.region, api.account, api.id)
