"""A REST API written directly in poolgate.yaml (an ``apis:`` entry without ``openapi:``).

Field names are the apigateway service model's, so what you know from the console, CloudFormation or
boto3 carries over; the OpenAPI form of the same API (``openapi.py``) produces an equal ``RestApi``::

    apis:
      - id: petsapi01                  # optional: 10 lowercase letters/digits, generated when absent
        name: SecurePets               # required
        account: "111122223333"        # optional: the AWS account that owns the API (default: the server's,
                                       # 000000000000); IAM principals of that account need no resource policy
        authorizers:                   # name -> authorizer
          PetsPool:
            type: COGNITO_USER_POOLS   # or TOKEN / REQUEST (Lambda authorizers)
            providerARNs: [arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_SecurePet]
            identitySource: method.request.header.Authorization     # the default
            identityValidationExpression: "^[a-z0-9]+$"             # optional, regex on the token's aud
            authorizerResultTtlInSeconds: 300                       # 0..3600, default 300
            rejectRevokedTokens: false # poolgate extension: refuse tokens revoked by GlobalSignOut/RevokeToken
          Tokens: {type: TOKEN, function: auth}   # or authorizerUri: arn:aws:apigateway:…/invocations
        defaultAuthorizer: PetsPool    # optional: for methods that say neither authorizer nor authorization
        defaultAuthorizationScopes: [] # optional, with defaultAuthorizer
        defaultApiKeyRequired: false   # optional: for methods that do not say apiKeyRequired
        cors: {allowOrigin: "*"}       # or true: answer preflights and add CORS headers (see domain.Cors)
        gatewayResponses:              # type -> {statusCode, responseParameters, responseTemplates}
          DEFAULT_4XX: {responseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: "'*'"}}
        binaryMediaTypes: [image/png]
        apiKeySource: HEADER           # or AUTHORIZER
        policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*",
                 Action: execute-api:Invoke, Resource: execute-api:/*}]}   # execute-api:/ expands to this API
        resources:                     # path -> HTTP method (GET … PATCH, ANY) -> method
          /pets:
            GET:
              authorization: COGNITO_USER_POOLS  # NONE | COGNITO_USER_POOLS | CUSTOM | AWS_IAM; implied by authorizer
              authorizer: PetsPool
              authorizationScopes: [pets/read]   # access token with one of these; without: ID token
              apiKeyRequired: false
              requestParameters: {method.request.querystring.limit: false}   # name -> required
              integration: {type: AWS_PROXY, function: pets}   # or uri: arn:aws:apigateway:…/invocations
          /files/{proxy+}:
            ANY: {integration: {type: HTTP_PROXY, uri: "http://127.0.0.1:9000/${stageVariables.version}/{proxy}"}}
          /health:
            GET: {integration: {type: MOCK, statusCode: 200, body: '{"ok":true}', headers: {X-Served-By: mock}}}
        stages: {prod: {variables: {version: v1}}}     # see stages.py for both spellings

Integrations take ``type`` (AWS_PROXY, HTTP, HTTP_PROXY, MOCK), ``uri`` (or ``function: name`` for
AWS_PROXY, shorthand for the Lambda invocation URI of that function in this region and account),
``httpMethod`` (POST for Lambda; default: the method's own), ``timeoutInMillis`` (50..29000) and
``requestParameters`` (``integration.request.path.id: method.request.path.petId``). ``{name}`` in an HTTP
URI is mapped from the path variable of that name unless requestParameters maps it. A MOCK takes
``statusCode`` (200), ``body`` (""), ``headers`` and ``contentType`` (application/json). Every resource's
ancestors exist implicitly; unknown keys and bad values are refused with a ``ConfigError``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..clock import IdGenerator
from .build import (
    AUTHORIZER_TYPES,
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
)
from .checks import Checker
from .domain import ANY, HTTP_METHODS, Authorizer, Cors, Integration, Method, RestApi
from .stages import apply_stages
from .uris import lambda_function_name, lambda_invocation_uri

_API_KEYS = ("id", "name", "account", "authorizers", "defaultAuthorizer", "defaultAuthorizationScopes",
             "defaultApiKeyRequired", "cors", "gatewayResponses", "binaryMediaTypes", "apiKeySource", "policy",
             "resources", "stages")
_AUTHORIZER_KEYS = ("type", "providerARNs", "identitySource", "identityValidationExpression",
                    "authorizerResultTtlInSeconds", "rejectRevokedTokens", "authorizerUri", "function")
_METHOD_KEYS = ("authorization", "authorizer", "authorizationScopes", "apiKeyRequired", "requestParameters",
                "integration")
_INTEGRATION_KEYS = ("type", "uri", "function", "httpMethod", "timeoutInMillis", "requestParameters")
_MOCK_KEYS = ("statusCode", "body", "headers", "contentType")
_CORS_KEYS = ("allowOrigin", "allowHeaders", "allowMethods", "allowCredentials", "maxAge")
_AUTHORIZATION_TYPES = ("NONE", "COGNITO_USER_POOLS", "CUSTOM", "AWS_IAM")


_ACCOUNT = re.compile(r"^\d{12}$")


def api_account(ch: Checker, entry: dict[str, Any], where: str, default: str) -> str:
    """The ``account:`` of an ``apis:`` entry (either form): the 12-digit account that owns the API. As on AWS,
    an IAM principal of the API's own account is allowed by an identity policy alone; principals of other
    accounts also need the API's resource policy (iam/invoke.py; "Policy evaluation outcome tables" in
    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html)."""
    value = entry.get("account", default)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # YAML reads an unquoted account id as a number; leading zeros are lost
    ch.expect(isinstance(value, str) and _ACCOUNT.match(value) is not None, f"{where}.account",
              'must be a 12-digit AWS account id, quoted (e.g. "111122223333")')
    return str(value)


def load_yaml_api(spec: dict[str, Any], *, file: str, path: str, base_dir: Path, region: str, account: str,
                  ids: IdGenerator | None = None) -> RestApi:
    """The RestApi an ``apis:`` entry declares; ``path`` is the entry's path in the file (``$.apis[0]``).

    ``base_dir`` (the config file's folder) is where relative file references would resolve; the inline
    form has none yet.
    """
    del base_dir  # nothing in the inline form refers to other files (yet)
    return _YamlApi(Checker(file), ids or IdGenerator(), region, account).load(spec, path)


class _YamlApi:
    def __init__(self, ch: Checker, ids: IdGenerator, region: str, account: str) -> None:
        self.ch = ch
        self.ids = ids
        self.region = region
        self.account = account

    def load(self, spec: Any, where: str) -> RestApi:
        ch = self.ch
        spec = ch.mapping(spec, where)
        ch.only_keys(spec, where, _API_KEYS)
        name = ch.string(spec.get("name"), f"{where}.name")
        api_id = spec.get("id")
        if api_id is not None:
            ch.expect(isinstance(api_id, str) and api_id.isalnum() and api_id == api_id.lower()
                      and 1 <= len(api_id) <= 64, f"{where}.id", "must be lowercase letters and digits (AWS: 10)")
        api = new_rest_api(api_id or self.ids.short_id(10), name, self.region, self.account, str(ch.file), self.ids)
        api.api_key_source = parse_api_key_source(ch, spec.get("apiKeySource"), f"{where}.apiKeySource")
        api.binary_media_types = parse_binary_media_types(ch, spec.get("binaryMediaTypes"), f"{where}.binaryMediaTypes")
        api.gateway_responses = parse_gateway_responses(ch, spec.get("gatewayResponses"), f"{where}.gatewayResponses")
        api.policy = parse_policy(ch, spec.get("policy"), f"{where}.policy", api)
        api.cors = self._cors(spec.get("cors"), f"{where}.cors")
        for auth_name, auth in ch.mapping(spec.get("authorizers"), f"{where}.authorizers").items():
            authorizer = self._authorizer(auth_name, auth, f"{where}.authorizers.{auth_name}")
            api.authorizers[authorizer.id] = authorizer
        default: dict[str, Any] = {
            "authorizer": self._authorizer_named(api, spec.get("defaultAuthorizer"), f"{where}.defaultAuthorizer"),
            "scopes": ch.string_list(spec.get("defaultAuthorizationScopes"), f"{where}.defaultAuthorizationScopes"),
            "api_key": ch.boolean(spec.get("defaultApiKeyRequired"), f"{where}.defaultApiKeyRequired"),
        }
        if default["scopes"]:
            ch.expect(default["authorizer"] is not None and default["authorizer"].type == "COGNITO_USER_POOLS",
                      f"{where}.defaultAuthorizationScopes", "needs a COGNITO_USER_POOLS defaultAuthorizer")
        for resource_path, methods in ch.mapping(spec.get("resources"), f"{where}.resources").items():
            here = f"{where}.resources.{resource_path}"
            resource = add_resource(api, ch, resource_path, here, self.ids)
            for verb_key, method_spec in ch.mapping(methods, here).items():
                verb = ch.one_of(verb_key, f"{here}.{verb_key}", (*HTTP_METHODS, ANY))
                ch.expect(verb not in resource.methods, f"{here}.{verb_key}", f"{verb} is declared twice")
                resource.methods[verb] = self._method(api, resource_path, verb, method_spec, default,
                                                      f"{here}.{verb_key}")
        apply_stages(api, spec.get("stages"), ch.file, f"{where}.stages")
        return api

    def _cors(self, value: Any, where: str) -> Cors | None:
        ch = self.ch
        if value is None or value is False:
            return None
        if value is True:
            return Cors()
        spec = ch.mapping(value, where)
        ch.only_keys(spec, where, _CORS_KEYS)
        cors = Cors(allow_credentials=ch.boolean(spec.get("allowCredentials"), f"{where}.allowCredentials"))
        if "allowOrigin" in spec:
            cors.allow_origin = ch.string(spec["allowOrigin"], f"{where}.allowOrigin")
        if "allowHeaders" in spec:
            cors.allow_headers = ",".join(self._text_or_list(spec["allowHeaders"], f"{where}.allowHeaders"))
        if "allowMethods" in spec:
            methods = self._text_or_list(spec["allowMethods"], f"{where}.allowMethods")
            for index, method in enumerate(methods):
                ch.one_of(method, f"{where}.allowMethods[{index}]", (*HTTP_METHODS, "*"))
            cors.allow_methods = ",".join(method.upper() for method in methods)
        if "maxAge" in spec:
            cors.max_age = ch.integer(spec["maxAge"], f"{where}.maxAge", 0, 86400 * 365)
        ch.expect(not (cors.allow_credentials and cors.allow_origin == "*"), f"{where}.allowCredentials",
                  "browsers refuse credentials with Access-Control-Allow-Origin: * (name the origin)")
        return cors

    def _text_or_list(self, value: Any, where: str) -> list[str]:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return self.ch.string_list(value, where)

    def _authorizer(self, name: str, value: Any, where: str) -> Authorizer:
        ch = self.ch
        spec = dict(ch.mapping(value, where))
        ch.only_keys(spec, where, _AUTHORIZER_KEYS)
        kind = ch.one_of(spec.get("type"), f"{where}.type", AUTHORIZER_TYPES)
        if "function" in spec:
            ch.expect("authorizerUri" not in spec, f"{where}.function", "give either function or authorizerUri")
            spec["authorizerUri"] = self._function_uri(spec.pop("function"), f"{where}.function")
        return build_authorizer(ch, self.ids, name, kind, spec, where)

    def _authorizer_named(self, api: RestApi, name: Any, where: str) -> Authorizer | None:
        if name is None:
            return None
        authorizer = api.authorizer_by_name(self.ch.string(name, where))
        self.ch.expect(authorizer is not None, where,
                       f"authorizer {name!r} is referenced but not declared in authorizers")
        return authorizer

    def _function_uri(self, function: Any, where: str) -> str:
        name = self.ch.string(function, where)
        self.ch.expect(lambda_function_name(name) == name and not name.startswith("arn:"), where,
                       "must be a function name (letters, digits, - and _; ${stageVariables.x} allowed)")
        return lambda_invocation_uri(name, self.region, self.account)

    def _method(self, api: RestApi, path: str, verb: str, value: Any, default: dict[str, Any], where: str) -> Method:
        ch = self.ch
        spec = ch.mapping(value, where)
        ch.only_keys(spec, where, _METHOD_KEYS)
        declared = {key: ch.boolean(required, f"{where}.requestParameters.{key}")
                    for key, required in ch.mapping(spec.get("requestParameters"),
                                                    f"{where}.requestParameters").items()}
        method = Method(http_method=verb, request_parameters=method_request_parameters(
            ch, path, declared, f"{where}.requestParameters"))
        explicit = "authorizer" in spec or "authorization" in spec
        authorizer = self._authorizer_named(api, spec.get("authorizer"), f"{where}.authorizer") if explicit \
            else default["authorizer"]
        scopes = ch.string_list(spec.get("authorizationScopes"), f"{where}.authorizationScopes") \
            if "authorizationScopes" in spec or explicit else list(default["scopes"])
        kind = authorization_type(authorizer) if authorizer else "NONE"
        if "authorization" in spec:
            given = ch.one_of(spec["authorization"], f"{where}.authorization", _AUTHORIZATION_TYPES)
            if given in ("COGNITO_USER_POOLS", "CUSTOM"):
                ch.expect(authorizer is not None, f"{where}.authorizer", f"required with authorization {given}")
            else:
                ch.expect(authorizer is None, f"{where}.authorizer", f"not allowed with authorization {given}")
            ch.expect(given == kind or authorizer is None, f"{where}.authorization",
                      f"the authorizer {spec.get('authorizer')!r} is a {authorizer.type if authorizer else ''} "
                      f"authorizer: authorization must be {kind}")
            kind = given
        method.authorization_type = kind
        if authorizer is not None:
            method.authorizer_id = authorizer.id
        ch.expect(not scopes or (authorizer is not None and authorizer.type == "COGNITO_USER_POOLS"),
                  f"{where}.authorizationScopes", "scopes apply to COGNITO_USER_POOLS authorizers only")
        method.authorization_scopes = scopes
        method.api_key_required = ch.boolean(spec.get("apiKeyRequired"), f"{where}.apiKeyRequired",
                                             default=default["api_key"])
        here = f"{where}.integration"
        ch.expect("integration" in spec, here, "required: every method needs an integration")
        method.integration = self._integration(spec["integration"], verb, path, method, here)
        return method

    def _integration(self, value: Any, verb: str, path: str, method: Method, where: str) -> Integration:
        ch = self.ch
        spec = dict(ch.mapping(value, where))
        kind = integration_type(ch, spec.get("type"), f"{where}.type")
        ch.only_keys(spec, where, _INTEGRATION_KEYS + (_MOCK_KEYS if kind == "MOCK" else ()))
        if "function" in spec:
            ch.expect(kind == "AWS_PROXY", f"{where}.function", "only for AWS_PROXY integrations")
            ch.expect("uri" not in spec, f"{where}.function", "give either function or uri")
            spec["uri"] = self._function_uri(spec.pop("function"), f"{where}.function")
        mock = None
        if kind == "MOCK":
            body = spec.get("body", "")
            ch.expect(isinstance(body, str), f"{where}.body", "must be a string (quote JSON bodies)")
            mock = make_mock(ch.integer(spec.get("statusCode", 200), f"{where}.statusCode", 100, 599), body,
                             ch.string_map(spec.get("headers"), f"{where}.headers"),
                             ch.optional_string(spec.get("contentType"), f"{where}.contentType"))
        return build_integration(ch, spec, verb=verb, path=path, method_parameters=method.request_parameters,
                                 mock=mock, where=where)
