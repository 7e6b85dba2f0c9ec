"""``poolgate.yaml``: declared user pools (and, in the gateway, functions and APIs), applied idempotently.

The loader turns the file into the parameters of the AWS operations that create what it declares
(CreateUserPool, CreateUserPoolClient, CreateGroup, CreateResourceServer, CreateUserPoolDomain,
AdminCreateUser) and checks them with the control plane's own entry point (``COGNITO.checked``: botocore's
model, AWS's messages) when the file loads, so the file can never store what the API refuses; a problem
names the file, the path inside it and AWS's words. Applying the file calls the same functions the
operations use (``declared.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from botocore.model import ListShape, MapShape, Shape, StructureShape

from .awsproto.validate import validation_problems
from .cognito.domain import AWS_ISSUER_TAG
from .cognito.service import COGNITO
from .iam.principals import IamConfigError, IamDirectory
from .services import Services


class ConfigError(Exception):
    """A problem in a config file, naming the file, the path inside it and what is wrong."""

    def __init__(self, file: Path | str, path: str, problem: str) -> None:
        super().__init__(f"{file}: {path}: {problem}")


@dataclass(slots=True)
class Request:
    """One operation's parameters as the file declares them, checked against the operation's input shape."""

    where: str
    """The declaring entry's path in the file (``$.userPools[0].clients[1]``)."""
    params: dict[str, Any]


@dataclass(slots=True)
class DeclaredClient(Request):
    client_id: str | None = None
    secret: str | None = None


@dataclass(slots=True)
class DeclaredUser:
    where: str
    username: str
    password: str | None
    temporary: bool
    attributes: dict[str, str]
    groups: list[str]
    status: str | None
    enabled: bool


@dataclass(slots=True)
class DeclaredPool(Request):
    """A ``userPools:`` entry: CreateUserPool's parameters and what the pool holds."""

    pool_id: str | None = None
    region: str | None = None
    domain: str | None = None
    resource_servers: list[Request] = field(default_factory=list)
    clients: list[DeclaredClient] = field(default_factory=list)
    groups: list[Request] = field(default_factory=list)
    users: list[DeclaredUser] = field(default_factory=list)
    identity_providers: list[Request] = field(default_factory=list)
    """CreateIdentityProvider's parameters (issue 16); applied before the clients that name them."""


@dataclass(slots=True)
class Config:
    file: Path | None
    raw: dict[str, Any]
    user_pools: list[dict[str, Any]] = field(default_factory=list)
    declared_pools: list[DeclaredPool] = field(default_factory=list)
    parsed: dict[str, object] = field(default_factory=dict)
    """What each section's validator returned (``apis``: the compiled ``dataplane.config.Gateway``), so the plane
    serves what was validated instead of compiling the file again."""

    @property
    def base_dir(self) -> Path:
        return self.file.parent if self.file else Path.cwd()


Section = Callable[[Config], object]
"""Validates one top-level section of the file (``ConfigError`` on a problem); what it returns is kept in
``Config.parsed``. The sections a server reads are listed in one place, ``server.config_sections``."""


def validate_iam(config: Config) -> None:
    """Validate the ``iam:`` section (accounts, users, roles, policies); the parsed form is
    ``IamDirectory.parse(config.raw.get("iam"))``."""
    try:
        IamDirectory.parse(config.raw.get("iam"))
    except IamConfigError as err:
        raise ConfigError(config.file or "<config>", f"$.iam{err.path}", err.problem) from err


CORE_SECTIONS: Mapping[str, Section] = {"iam": validate_iam}
"""The sections this module validates itself (besides ``userPools``)."""

_KNOWN_POOL_KEYS = {"id", "name", "region", "awsIssuer", "settings", "clients", "groups", "users", "domain",
                    "resourceServers", "identityProviders"}
_KNOWN_PROVIDER_KEYS = {"name", "type", "details", "attributeMapping", "idpIdentifiers"}
_KNOWN_CLIENT_KEYS = {"id", "name", "secret", "generateSecret", "settings", "explicitAuthFlows"}
_KNOWN_USER_KEYS = {"username", "password", "temporaryPassword", "attributes", "groups", "status", "enabled"}
_KNOWN_GROUP_KEYS = {"name", "description", "precedence", "roleArn"}
_KNOWN_SERVER_KEYS = {"identifier", "name", "scopes"}
_USER_STATUSES = ("CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED", "RESET_REQUIRED")
_YAML_BOOLEAN_HINT = (" (YAML reads unquoted on/off/yes/no as true/false: quote the value, e.g. \"OFF\")")


def _expect(cond: bool, file: Any, path: str, problem: str) -> None:
    if not cond:
        raise ConfigError(file, path, problem)


def load_config(path: Path | None, text: str | None = None, sections: Mapping[str, Section] = CORE_SECTIONS
                ) -> Config:
    """Read and validate poolgate.yaml: ``userPools`` and exactly the top-level keys of ``sections`` (a server
    passes ``server.config_sections``: the same keys whatever was imported before)."""
    source = text if text is not None else (path.read_text() if path else "")
    try:
        raw = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(path or "<config>", "$", f"not valid YAML: {exc}") from exc
    file = path or "<config>"
    _expect(isinstance(raw, dict), file, "$", "the top level must be a mapping")
    known = {"userPools", *sections}
    for key in raw:
        _expect(key in known, file, f"$.{key}", f"unknown key (expected one of {', '.join(sorted(known))})")
    config = Config(path, raw)
    pools = raw.get("userPools") or []
    _expect(isinstance(pools, list), file, "$.userPools", "must be a list")
    for i, pool in enumerate(pools):
        config.declared_pools.append(_pool(file, pool, f"$.userPools[{i}]"))
        config.user_pools.append(pool)
    for key, section in sections.items():
        if key in raw:
            config.parsed[key] = section(config)
    return config


def _keys(file: Any, spec: Any, where: str, known: set[str], what: str) -> dict[str, Any]:
    _expect(isinstance(spec, dict), file, where, f"must be a mapping ({what})")
    for key in spec:
        _expect(key in known, file, f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(known))})")
    return dict(spec)


def _list(file: Any, value: Any, where: str) -> list[Any]:
    _expect(value is None or isinstance(value, list), file, where, "must be a list")
    return list(value or [])


def _pool(file: Any, value: Any, where: str) -> DeclaredPool:
    spec = _keys(file, value, where, _KNOWN_POOL_KEYS, "a user pool")
    _expect(isinstance(spec.get("name"), str), file, f"{where}.name", "required, a string")
    pool_id = spec.get("id")
    if pool_id is not None:
        _expect(isinstance(pool_id, str) and "_" in pool_id, file, f"{where}.id",
                "must look like {region}_{suffix}, e.g. us-east-1_SecurePet")
    region = spec.get("region")
    _expect(region is None or isinstance(region, str), file, f"{where}.region", "must be a string")
    settings = spec.get("settings") or {}
    _expect(isinstance(settings, dict), file, f"{where}.settings", "must be a mapping of CreateUserPool parameters")
    params: dict[str, Any] = {"PoolName": spec["name"], **settings}
    places = {"PoolName": f"{where}.name"}
    if "awsIssuer" in spec:
        _expect(isinstance(spec["awsIssuer"], bool), file, f"{where}.awsIssuer", "must be true or false")
        tags = dict(params.get("UserPoolTags") or {})
        tags[AWS_ISSUER_TAG] = "aws" if spec["awsIssuer"] else "poolgate"
        params["UserPoolTags"] = tags
    pool = DeclaredPool(where, _checked(file, "CreateUserPool", params, f"{where}.settings", places),
                        pool_id=pool_id, region=region)
    # Operations on the pool need its id; an id the file pins is checked by them, a generated one stands in.
    any_id = pool_id or f"{region or 'us-east-1'}_Declared"
    id_place = {"UserPoolId": f"{where}.id"}
    if pool_id is not None:
        _checked(file, "DescribeUserPool", {"UserPoolId": pool_id}, where, id_place)
    if spec.get("domain") is not None:
        pool.domain = str(spec["domain"])
        _checked(file, "CreateUserPoolDomain", {"Domain": pool.domain, "UserPoolId": any_id}, where,
                 {"Domain": f"{where}.domain", **id_place})
    for j, server in enumerate(_list(file, spec.get("resourceServers"), f"{where}.resourceServers")):
        pool.resource_servers.append(_resource_server(file, server, f"{where}.resourceServers[{j}]", any_id))
    for j, provider in enumerate(_list(file, spec.get("identityProviders"), f"{where}.identityProviders")):
        pool.identity_providers.append(_identity_provider(file, provider, f"{where}.identityProviders[{j}]", any_id,
                                                          id_place))
    for j, client in enumerate(_list(file, spec.get("clients"), f"{where}.clients")):
        pool.clients.append(_client(file, client, f"{where}.clients[{j}]", any_id, id_place))
    for j, group in enumerate(_list(file, spec.get("groups"), f"{where}.groups")):
        here = f"{where}.groups[{j}]"
        group = _keys(file, {"name": group} if isinstance(group, str) else group, here, _KNOWN_GROUP_KEYS, "a group")
        params = {"GroupName": group.get("name"), "UserPoolId": any_id, "Description": group.get("description"),
                  "Precedence": group.get("precedence"), "RoleArn": group.get("roleArn")}
        places = {"GroupName": f"{here}.name", "Description": f"{here}.description",
                  "Precedence": f"{here}.precedence", "RoleArn": f"{here}.roleArn", **id_place}
        pool.groups.append(Request(here, _checked(file, "CreateGroup", params, here, places)))
    for j, user in enumerate(_list(file, spec.get("users"), f"{where}.users")):
        pool.users.append(_user(file, user, f"{where}.users[{j}]", any_id, id_place))
    return pool


def _resource_server(file: Any, value: Any, where: str, pool_id: str) -> Request:
    """``{identifier, name, scopes}``; a scope is a name, ``{name, description}``, or as the cognito-idp and
    apigateway APIs spell it, ``{ScopeName, ScopeDescription}`` (the description defaults to the name)."""
    spec = _keys(file, value, where, _KNOWN_SERVER_KEYS, "a resource server")
    scopes = []
    for k, scope in enumerate(_list(file, spec.get("scopes"), f"{where}.scopes")):
        here = f"{where}.scopes[{k}]"
        if isinstance(scope, str):
            scope = {"ScopeName": scope}
        else:
            _expect(isinstance(scope, dict), file, here, "must be a scope name or {ScopeName, ScopeDescription}")
            both = {"name": "ScopeName", "description": "ScopeDescription"}
            scope = {both.get(key, key): text for key, text in scope.items()}
            _keys(file, scope, here, set(both.values()), "a scope")
        scope.setdefault("ScopeDescription", scope.get("ScopeName"))
        scopes.append(scope)
    params = {"UserPoolId": pool_id, "Identifier": spec.get("identifier"),
              "Name": spec.get("name") or spec.get("identifier"), "Scopes": scopes}
    places = {"Identifier": f"{where}.identifier", "Name": f"{where}.name", "Scopes": f"{where}.scopes"}
    return Request(where, _checked(file, "CreateResourceServer", params, where, places))


def _identity_provider(file: Any, value: Any, where: str, pool_id: str, id_place: dict[str, str]) -> Request:
    """``{name, type, details, attributeMapping, idpIdentifiers}``: CreateIdentityProvider's parameters."""
    spec = _keys(file, value, where, _KNOWN_PROVIDER_KEYS, "an identity provider")
    params = {"UserPoolId": pool_id, "ProviderName": spec.get("name"), "ProviderType": spec.get("type"),
              "ProviderDetails": spec.get("details"), "AttributeMapping": spec.get("attributeMapping"),
              "IdpIdentifiers": spec.get("idpIdentifiers")}
    places = {"ProviderName": f"{where}.name", "ProviderType": f"{where}.type",
              "ProviderDetails": f"{where}.details", "AttributeMapping": f"{where}.attributeMapping",
              "IdpIdentifiers": f"{where}.idpIdentifiers", **id_place}
    return Request(where, _checked(file, "CreateIdentityProvider", params, where, places))


def _client(file: Any, value: Any, where: str, pool_id: str, id_place: dict[str, str]) -> DeclaredClient:
    spec = _keys(file, value, where, _KNOWN_CLIENT_KEYS, "an app client")
    settings = spec.get("settings") or {}
    _expect(isinstance(settings, dict), file, f"{where}.settings",
            "must be a mapping of CreateUserPoolClient parameters")
    params: dict[str, Any] = {**settings, "UserPoolId": pool_id, "ClientName": spec.get("name")}
    places = {"ClientName": f"{where}.name", **id_place}
    if spec.get("explicitAuthFlows") is not None:
        params["ExplicitAuthFlows"] = spec["explicitAuthFlows"]
        places["ExplicitAuthFlows"] = f"{where}.explicitAuthFlows"
    if spec.get("generateSecret") is not None:
        params["GenerateSecret"] = spec["generateSecret"]
        places["GenerateSecret"] = f"{where}.generateSecret"
    if spec.get("secret") is not None:
        params["ClientSecret"] = spec["secret"]
        places["ClientSecret"] = f"{where}.secret"
    checked = _checked(file, "CreateUserPoolClient", params, f"{where}.settings", places)
    client_id = spec.get("id")
    if client_id is not None:
        _checked(file, "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}, where,
                 {"ClientId": f"{where}.id", **id_place})
    secret = checked.pop("ClientSecret", None)
    return DeclaredClient(where, checked, client_id, secret)


def _user(file: Any, value: Any, where: str, pool_id: str, id_place: dict[str, str]) -> DeclaredUser:
    spec = _keys(file, value, where, _KNOWN_USER_KEYS, "a user")
    _expect(isinstance(spec.get("username"), str), file, f"{where}.username", "required, a string")
    _expect(not ("password" in spec and "temporaryPassword" in spec), file, f"{where}.temporaryPassword",
            "give either password or temporaryPassword")
    password = spec.get("password", spec.get("temporaryPassword"))
    attributes = spec.get("attributes") or {}
    _expect(isinstance(attributes, dict), file, f"{where}.attributes", "must be a mapping of name to value")
    attributes = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in attributes.items()}
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": spec["username"],
                              "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()],
                              "TemporaryPassword": password}
    places = {"Username": f"{where}.username", "UserAttributes": f"{where}.attributes",
              "TemporaryPassword": f"{where}.{'password' if 'password' in spec else 'temporaryPassword'}",
              **id_place}
    _checked(file, "AdminCreateUser", params, where, places)
    status = spec.get("status")
    _expect(status is None or status in _USER_STATUSES, file, f"{where}.status",
            f"must be one of {', '.join(_USER_STATUSES)}")
    enabled = spec.get("enabled", True)
    _expect(isinstance(enabled, bool), file, f"{where}.enabled", "must be true or false")
    groups = _list(file, spec.get("groups"), f"{where}.groups")
    _expect(all(isinstance(g, str) for g in groups), file, f"{where}.groups", "must be a list of group names")
    return DeclaredUser(where, spec["username"], password, "password" not in spec, attributes, groups, status,
                        enabled)


def _checked(file: Any, operation: str, params: dict[str, Any], base: str, places: dict[str, str]
             ) -> dict[str, Any]:
    """``params`` through the control plane's entry point for ``operation`` (``COGNITO.checked``). A problem
    is a ``ConfigError`` at the file's own path: a member comes from ``places[member]``, else ``base.member``."""
    params = {k: v for k, v in params.items() if v is not None}
    shape = COGNITO.model.operation_model(operation).input_shape
    assert shape is not None
    _refuse_unknown(file, shape, params, base, places)
    problems = validation_problems(shape, params)
    if problems:
        aws_path, sentence = problems[0]
        where, value = _locate(shape, params, aws_path.split("."), base, places)
        if isinstance(value, bool) and sentence.endswith("be a string"):
            sentence += _YAML_BOOLEAN_HINT
        raise ConfigError(file, where, sentence)
    return COGNITO.checked(operation, params)


def _refuse_unknown(file: Any, shape: Shape, value: Any, where: str, places: dict[str, str] | None = None) -> None:
    """Unknown members are refused in the file (the API ignores them; a typo would silently do nothing)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            here = (places or {}).get(key, f"{where}.{key}")
            _expect(key in shape.members, file, here,
                    f"unknown key (expected one of {', '.join(shape.members)})")
            _refuse_unknown(file, shape.members[key], item, here)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_unknown(file, shape.member, item, f"{where}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            _refuse_unknown(file, shape.value, item, f"{where}.{key}")


def _locate(shape: Shape, value: Any, steps: list[str], where: str, places: dict[str, str] | None = None
            ) -> tuple[str, Any]:
    """The file's path and the value of the member AWS's validator names (``policies.passwordPolicy``,
    ``usernameAttributes.1.member``: camel-cased members, lists counted from 1)."""
    if not steps or not steps[0]:
        return where, value
    step, rest = steps[0], steps[1:]
    if isinstance(shape, StructureShape):
        name = next((m for m in shape.members if m[:1].lower() + m[1:] == step), step)
        here = (places or {}).get(name, f"{where}.{name}")
        member = shape.members.get(name)
        item = value.get(name) if isinstance(value, dict) else None
        return _locate(member, item, rest, here) if member is not None else (here, item)
    if isinstance(shape, ListShape) and step.isdigit():
        index = int(step) - 1
        item = value[index] if isinstance(value, list) and 0 <= index < len(value) else None
        return _locate(shape.member, item, rest[1:] if rest[:1] == ["member"] else rest, f"{where}[{index}]")
    if isinstance(shape, MapShape):
        item = value.get(step) if isinstance(value, dict) else None
        return _locate(shape.value, item, rest, f"{where}.{step}")
    return ".".join([where, *steps]), value


StartupHook = Callable[[Services], Awaitable[None]]
