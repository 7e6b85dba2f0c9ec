"""Import a REST API from an OpenAPI 3 or Swagger 2 document (YAML or JSON) with API Gateway's extensions
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).

Understood:

- document: ``info.title`` (the API name), ``paths`` (with path-level ``parameters``), top-level ``security``
  (the default for operations without their own), ``x-amazon-apigateway-api-key-source``,
  ``x-amazon-apigateway-binary-media-types``, ``x-amazon-apigateway-gateway-responses``,
  ``x-amazon-apigateway-policy`` (``execute-api:/…`` expands to this API's ARN);
- security schemes (``components.securitySchemes`` / ``securityDefinitions``): an
  ``x-amazon-apigateway-authorizer`` of type ``cognito_user_pools``, ``token`` or ``request`` (the header of
  Cognito and TOKEN authorizers is the scheme's ``name``; ``x-poolgate-reject-revoked-tokens: true`` turns
  on poolgate's revocation check), ``x-amazon-apigateway-authtype: awsSigv4`` (AWS_IAM) and the API key
  scheme ``{type: apiKey, name: x-api-key, in: header}`` (apiKeyRequired). An operation's
  ``security: [{Pool: []}]`` wants an ID token, ``[{Pool: [scope]}]`` an access token with one of the scopes;
  the schemes of all its requirement objects apply together, as API Gateway reads them;
- operations: ``get`` … ``patch``, ``x-amazon-apigateway-any-method`` (ANY), ``parameters``,
  ``x-amazon-apigateway-auth: {type: AWS_IAM|NONE}`` and a required ``x-amazon-apigateway-integration`` of
  type ``aws_proxy``, ``http``, ``http_proxy`` or ``mock``. A mock answers with the integration response
  that matches the request template's ``{"statusCode": N}`` (else ``default``): its ``statusCode``, its
  ``responseTemplates`` body (literal text, no VTL) and its static ``responseParameters`` headers.

Accepted without effect: ``x-amazon-apigateway-documentation``, ``-endpoint-configuration``,
``-importexport-version``, ``-minimum-compression-size``, ``-request-validators``/``-request-validator``,
``-tag-value``, integration ``passthroughBehavior``/``contentHandling``/``credentials``/cache and TLS
settings, and templates or responses of proxy integrations (API Gateway ignores those too). Anything else
named ``x-amazon-apigateway-…``, any other integration type and every invalid value is refused with a
``ConfigError`` naming the file, the JSON path and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..clock import IdGenerator
from .build import (
    add_resource,
    authorization_type,
    build_authorizer,
    build_integration,
    integration_type,
    make_mock,
    method_request_parameters,
    new_rest_api,
    parse_api_key_source,
    parse_binary_media_types,
    parse_gateway_responses,
    parse_policy,
    path_variables,
)
from .checks import Checker
from .domain import ANY, Authorizer, Integration, Method, MockResponse, RestApi

_X = "x-amazon-apigateway-"
_IGNORED_EXTENSIONS = {f"{_X}{name}" for name in (
    "documentation", "endpoint-configuration", "importexport-version", "minimum-compression-size",
    "request-validators", "tag-value")}
_TOP_LEVEL = {
    3: {"openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs", "webhooks",
        "jsonSchemaDialect"},
    2: {"swagger", "info", "host", "basePath", "schemes", "consumes", "produces", "paths", "definitions",
        "parameters", "responses", "securityDefinitions", "security", "tags", "externalDocs"},
}
_API_EXTENSIONS = {f"{_X}{name}" for name in (
    "api-key-source", "binary-media-types", "gateway-responses", "policy")}
_VERBS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS", "head": "HEAD",
          "patch": "PATCH", f"{_X}any-method": ANY}
_PATH_ITEM_KEYS = {*_VERBS, "parameters", "summary", "description", "servers", "$ref"}
_OPERATION_KEYS = {"tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody",
                   "responses", "callbacks", "deprecated", "security", "servers", "consumes", "produces",
                   "schemes", f"{_X}integration", f"{_X}auth", f"{_X}request-validator"}
_INTEGRATION_KEYS = {"type", "uri", "httpMethod", "timeoutInMillis", "requestParameters", "requestTemplates",
                     "responses", "passthroughBehavior", "contentHandling", "credentials", "cacheKeyParameters",
                     "cacheNamespace", "connectionType", "connectionId", "tlsConfig"}
_AUTHORIZER_KEYS = {"type", "providerARNs", "authorizerUri", "authorizerCredentials", "identitySource",
                    "identityValidationExpression", "authorizerResultTtlInSeconds"}
_VTL = re.compile(r"\$(?:input|context|util|stageVariables|method)\b|#(?:set|if|foreach)\b")


def load_openapi(file: Path, *, api_id: str | None, region: str, account: str, ids: IdGenerator | None = None,
                 text: str | None = None) -> RestApi:
    """The RestApi an OpenAPI 3 / Swagger 2 document declares; ``api_id`` defaults to a generated one."""
    ch = Checker(file)
    try:
        raw = yaml.safe_load(text if text is not None else Path(file).read_text())
    except (OSError, UnicodeDecodeError) as exc:
        ch.fail("$", f"cannot read the document: {exc}")
    except yaml.YAMLError as exc:
        ch.fail("$", f"not valid YAML or JSON: {exc}")
    return _Importer(ch, raw, ids or IdGenerator()).run(api_id, region, account)


@dataclass(slots=True)
class _Scheme:
    kind: str  # authorizer | api_key | iam | unsupported
    authorizer: Authorizer | None = None


class _Importer:
    def __init__(self, ch: Checker, raw: Any, ids: IdGenerator) -> None:
        self.ch = ch
        self.raw = raw
        self.ids = ids
        self.schemes: dict[str, _Scheme] = {}
        self.schemes_where = "$.components.securitySchemes"

    def run(self, api_id: str | None, region: str, account: str) -> RestApi:
        ch, raw = self.ch, self.raw
        ch.expect(isinstance(raw, dict), "$", "the document must be a mapping")
        version = self._version()
        ch.only_keys(raw, "$", _TOP_LEVEL[version] | _API_EXTENSIONS | _IGNORED_EXTENSIONS, vendor=True)
        info = ch.mapping(raw.get("info"), "$.info")
        name = ch.string(info.get("title"), "$.info.title")
        api = new_rest_api(api_id or self.ids.short_id(10), name, region, account, str(ch.file), self.ids)
        api.api_key_source = parse_api_key_source(ch, raw.get(f"{_X}api-key-source"), f"$.{_X}api-key-source")
        api.binary_media_types = parse_binary_media_types(ch, raw.get(f"{_X}binary-media-types"),
                                                          f"$.{_X}binary-media-types")
        api.gateway_responses = parse_gateway_responses(ch, raw.get(f"{_X}gateway-responses"),
                                                        f"$.{_X}gateway-responses")
        api.policy = parse_policy(ch, raw.get(f"{_X}policy"), f"$.{_X}policy", api)
        if version == 3:
            schemes = ch.mapping(ch.mapping(raw.get("components"), "$.components").get("securitySchemes"),
                                 self.schemes_where)
        else:
            self.schemes_where = "$.securityDefinitions"
            schemes = ch.mapping(raw.get("securityDefinitions"), self.schemes_where)
        for scheme_name, spec in schemes.items():
            self.schemes[scheme_name] = self._scheme(api, scheme_name, spec, f"{self.schemes_where}.{scheme_name}")
        default_security = raw.get("security")
        for path, item in ch.mapping(raw.get("paths"), "$.paths").items():
            self._path(api, path, item, default_security, f"$.paths.{path}")
        return api

    def _version(self) -> int:
        ch, raw = self.ch, self.raw
        if "openapi" in raw:
            ch.expect(isinstance(raw["openapi"], str) and raw["openapi"].startswith("3."), "$.openapi",
                      "only OpenAPI 3.x (openapi: 3.0.1) and Swagger 2.0 documents are supported")
            return 3
        if "swagger" in raw:
            ch.expect(str(raw["swagger"]) == "2.0", "$.swagger", 'only swagger: "2.0" is supported')
            return 2
        ch.fail("$", 'not an OpenAPI document: neither openapi: 3.x nor swagger: "2.0"')

    def _resolve(self, node: Any, where: str) -> Any:
        """Follow local ``$ref``s (``#/components/parameters/Id``)."""
        for _ in range(32):
            if not (isinstance(node, dict) and "$ref" in node):
                return node
            ref = node["$ref"]
            self.ch.expect(isinstance(ref, str) and ref.startswith("#/"), f"{where}.$ref",
                           "only local references (#/…) are supported")
            target: Any = self.raw
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                self.ch.expect(isinstance(target, dict) and part in target, f"{where}.$ref",
                               f"unresolved reference {ref}")
                target = target[part]
            node = target
        self.ch.fail(where, "circular $ref")

    # -- security schemes ----------------------------------------------------------------------------------

    def _scheme(self, api: RestApi, name: str, spec: Any, where: str) -> _Scheme:
        ch = self.ch
        spec = ch.mapping(self._resolve(spec, where), where)
        authtype = spec.get(f"{_X}authtype")
        authtype = ch.string(authtype, f"{where}.{_X}authtype").lower() if authtype is not None else None
        ch.only_keys(spec, where, {"type", "name", "in", "description", "scheme", "bearerFormat", "flows", "flow",
                                   "openIdConnectUrl", "authorizationUrl", "tokenUrl", "scopes",
                                   f"{_X}authtype", f"{_X}authorizer"}, vendor=True)
        if f"{_X}authorizer" not in spec:
            ch.expect(authtype != "cognito_user_pools", where,
                      f"{_X}authtype cognito_user_pools needs an {_X}authorizer with providerARNs")
            if authtype == "awssigv4":
                return _Scheme("iam")
            if (spec.get("type") == "apiKey" and spec.get("in") == "header"
                    and str(spec.get("name", "")).lower() == "x-api-key"):
                return _Scheme("api_key")
            return _Scheme("unsupported")
        here = f"{where}.{_X}authorizer"
        auth = ch.mapping(spec[f"{_X}authorizer"], here)
        ch.only_keys(auth, here, _AUTHORIZER_KEYS)
        kind = ch.one_of(auth.get("type"), f"{here}.type", ("COGNITO_USER_POOLS", "TOKEN", "REQUEST"))
        if authtype == "cognito_user_pools":
            ch.expect(kind == "COGNITO_USER_POOLS", f"{where}.{_X}authtype",
                      f"cognito_user_pools does not match the authorizer type {auth['type']!r}")
        fields: dict[str, Any] = {key: auth[key] for key in ("providerARNs", "authorizerUri", "identitySource",
                                             "identityValidationExpression", "authorizerResultTtlInSeconds")
                  if key in auth}
        if kind != "REQUEST":
            # API Gateway reads the header of Cognito and TOKEN authorizers from the scheme, not identitySource.
            ch.expect(spec.get("type") == "apiKey" and spec.get("in") == "header", where,
                      f"a {kind} authorizer's scheme must be {{type: apiKey, in: header, name: <header>}}")
            fields["identitySource"] = f"method.request.header.{ch.string(spec.get('name'), f'{where}.name')}"
        if "x-poolgate-reject-revoked-tokens" in spec:
            fields["rejectRevokedTokens"] = spec["x-poolgate-reject-revoked-tokens"]
        authorizer = build_authorizer(ch, self.ids, name, kind, fields, here)
        api.authorizers[authorizer.id] = authorizer
        return _Scheme("authorizer", authorizer)

    # -- paths and operations ------------------------------------------------------------------------------

    def _path(self, api: RestApi, path: str, item: Any, default_security: Any, where: str) -> None:
        ch = self.ch
        item = ch.mapping(self._resolve(item, where), where)
        if "trace" in item:
            ch.fail(f"{where}.trace", "API Gateway does not support TRACE")
        ch.only_keys(item, where, _PATH_ITEM_KEYS, vendor=True)
        resource = add_resource(api, ch, path, where, self.ids)
        shared = self._parameters(item.get("parameters"), f"{where}.parameters", path)
        for key, verb in _VERBS.items():
            if key in item:
                resource.methods[verb] = self._method(api, path, verb, item[key], shared, default_security,
                                                      f"{where}.{key}")

    def _parameters(self, value: Any, where: str, path: str) -> dict[tuple[str, str], bool]:
        """(location, name) → required, for path, query and header parameters."""
        ch = self.ch
        if value is None:
            return {}
        ch.expect(isinstance(value, list), where, "must be a list of parameters")
        result = {}
        for index, param in enumerate(value):
            here = f"{where}[{index}]"
            param = ch.mapping(self._resolve(param, here), here)
            name = ch.string(param.get("name"), f"{here}.name")
            location = ch.one_of(param.get("in"), f"{here}.in", ("path", "query", "header", "cookie", "body",
                                                                 "formData"), upper=False)
            if location == "path":
                ch.expect(name in path_variables(path), f"{here}.name",
                          f"path parameter {name!r} does not appear in the resource path {path}")
            if location in ("path", "query", "header"):
                result[(location, name)] = ch.boolean(param.get("required"), f"{here}.required")
        return result

    def _method(self, api: RestApi, path: str, verb: str, op: Any, shared: dict[tuple[str, str], bool],
                default_security: Any, where: str) -> Method:
        ch = self.ch
        op = ch.mapping(self._resolve(op, where), where)
        ch.only_keys(op, where, _OPERATION_KEYS, vendor=True)
        parameters = {**shared, **self._parameters(op.get("parameters"), f"{where}.parameters", path)}
        declared = {f"method.request.{'querystring' if location == 'query' else location}.{name}": required
                    for (location, name), required in parameters.items()}
        method = Method(http_method=verb,
                        request_parameters=method_request_parameters(ch, path, declared, f"{where}.parameters"))
        if "security" in op:
            self._security(method, op["security"], f"{where}.security")
        elif default_security is not None:
            self._security(method, default_security, "$.security")
        if f"{_X}auth" in op:
            here = f"{where}.{_X}auth"
            auth = ch.mapping(op[f"{_X}auth"], here)
            ch.only_keys(auth, here, ("type",))
            kind = ch.one_of(auth.get("type"), f"{here}.type", ("NONE", "AWS_IAM"))
            ch.expect(kind == "NONE" or method.authorizer_id is None, here, "a method has one authorizer")
            if kind == "AWS_IAM":
                method.authorization_type = "AWS_IAM"
        here = f"{where}.{_X}integration"
        ch.expect(f"{_X}integration" in op, here, "required: every method needs an integration")
        method.integration = self._integration(op[f"{_X}integration"], verb, path, method, here)
        return method

    def _security(self, method: Method, value: Any, where: str) -> None:
        ch = self.ch
        ch.expect(isinstance(value, list), where, "must be a list of security requirements")
        authorizer: Authorizer | None = None
        for index, requirement in enumerate(value):
            for name, scopes in ch.mapping(requirement, f"{where}[{index}]").items():
                here = f"{where}[{index}].{name}"
                scheme = self.schemes.get(name)
                where_declared = self.schemes_where.removeprefix("$.")
                ch.expect(scheme is not None, here, f"authorizer {name!r} is referenced but not declared in "
                                                    f"{where_declared}")
                assert scheme is not None
                scopes = ch.string_list(scopes, here)
                if scheme.kind == "unsupported":
                    ch.fail(here, f"security scheme {name!r} is not an API Gateway authorizer "
                                  f"({_X}authorizer), awsSigv4 or the x-api-key header API key")
                if scheme.kind == "authorizer":
                    assert scheme.authorizer is not None
                    ch.expect(authorizer in (None, scheme.authorizer) and method.authorization_type != "AWS_IAM",
                              here, "a method has one authorizer")
                    authorizer = scheme.authorizer
                    ch.expect(not scopes or authorizer.type == "COGNITO_USER_POOLS", here,
                              "scopes apply to cognito_user_pools authorizers only")
                    method.authorizer_id = authorizer.id
                    method.authorization_type = authorization_type(authorizer)
                    method.authorization_scopes += [scope for scope in scopes if scope not in
                                                    method.authorization_scopes]
                else:
                    ch.expect(not scopes, here, "scopes apply to cognito_user_pools authorizers only")
                    if scheme.kind == "api_key":
                        method.api_key_required = True
                    else:
                        ch.expect(authorizer is None, here, "a method has one authorizer")
                        method.authorization_type = "AWS_IAM"

    def _integration(self, value: Any, verb: str, path: str, method: Method, where: str) -> Integration:
        ch = self.ch
        spec = ch.mapping(self._resolve(value, where), where)
        ch.only_keys(spec, where, _INTEGRATION_KEYS)
        kind = integration_type(ch, spec.get("type"), f"{where}.type")
        if spec.get("connectionType") is not None:
            ch.one_of(spec["connectionType"], f"{where}.connectionType", ("INTERNET",))
        mock = None
        if kind == "MOCK":
            mock = self._mock(spec, where)
        elif kind == "HTTP":
            ch.expect(not spec.get("requestTemplates"), f"{where}.requestTemplates",
                      "mapping templates are only supported for MOCK integrations")
            for key, response in ch.mapping(spec.get("responses"), f"{where}.responses").items():
                here = f"{where}.responses.{key}"
                response = ch.mapping(response, here)
                ch.expect(not response.get("responseTemplates") and not response.get("responseParameters"), here,
                          "integration response mappings are only supported for MOCK integrations")
        return build_integration(ch, spec, verb=verb, path=path, method_parameters=method.request_parameters,
                                 mock=mock, where=where)

    def _mock(self, spec: dict[str, Any], where: str) -> MockResponse:
        ch = self.ch
        templates = ch.string_map(spec.get("requestTemplates"), f"{where}.requestTemplates")
        status = 200
        if templates:
            media_type = "application/json" if "application/json" in templates else next(iter(templates))
            match = re.search(r'"?statusCode"?\s*:\s*(\d{3})', templates[media_type])
            ch.expect(match is not None, f"{where}.requestTemplates.{media_type}",
                      'a MOCK request template must set the status, e.g. {"statusCode": 200}')
            assert match is not None
            status = int(match.group(1))
        responses = ch.mapping(spec.get("responses"), f"{where}.responses")
        chosen: str | None = None
        for key in responses:
            if key == "default":
                continue
            try:
                if re.fullmatch(key, str(status)):
                    chosen = key
                    break
            except re.error as exc:
                ch.fail(f"{where}.responses.{key}", f"not a valid selection pattern: {exc}")
        chosen = chosen or ("default" if "default" in responses else None)
        if chosen is None:
            return make_mock(status, "", {}, None)
        here = f"{where}.responses.{chosen}"
        response = ch.mapping(responses[chosen], here)
        ch.only_keys(response, here, ("statusCode", "responseParameters", "responseTemplates", "contentHandling"))
        status_code = ch.integer(response.get("statusCode", status), f"{here}.statusCode", 100, 599)
        headers = {}
        for key, value in ch.string_map(response.get("responseParameters"), f"{here}.responseParameters").items():
            at = f"{here}.responseParameters.{key}"
            ch.expect(key.startswith("method.response.header."), at, "must look like method.response.header.NAME")
            ch.expect(len(value) >= 2 and value[0] == value[-1] == "'", at,
                      "a MOCK response header takes a static value in single quotes, e.g. \"'*'\"")
            headers[key.removeprefix("method.response.header.")] = value[1:-1]
        templates = ch.string_map(response.get("responseTemplates"), f"{here}.responseTemplates")
        content_type, body = None, ""
        if templates:
            content_type = "application/json" if "application/json" in templates else next(iter(templates))
            body = templates[content_type]
            ch.expect(_VTL.search(body) is None, f"{here}.responseTemplates.{content_type}",
                      "MOCK response templates must be literal text (VTL is not supported)")
        return make_mock(status_code, body, headers, content_type)
