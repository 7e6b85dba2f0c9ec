"""``poolgate.yaml``: declared user pools (and, in the gateway, functions and APIs), applied idempotently.

The loader turns the file into calls of the same functions the AWS operations use, so the file and the
API can never disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from .cognito import repo
from .cognito.credentials import NewPassword, prepare_password
from .cognito.domain import AWS_ISSUER_TAG
from .cognito.ops.clients import create_client, update_client
from .cognito.ops.domains import ensure_domain
from .cognito.ops.groups import add_user_to_group, create_group
from .cognito.ops.pools import create_pool, update_pool
from .cognito.ops.resource_servers import ensure_resource_server
from .cognito.passwords import check_policy
from .cognito.users import insert_user
from .errors import ServiceError
from .iam.principals import IamConfigError, IamDirectory
from .services import Services
from .store.sql.tables import groups, user_pool_clients, user_pools


class ConfigError(Exception):
    """A problem in a config file, naming the file, the path inside it and what is wrong."""

    def __init__(self, file: Path | str, path: str, problem: str) -> None:
        super().__init__(f"{file}: {path}: {problem}")


@dataclass(slots=True)
class Config:
    file: Path | None
    raw: dict[str, Any]
    user_pools: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        return self.file.parent if self.file else Path.cwd()


Extension = Callable[[Config], None]
EXTENSIONS: dict[str, Extension] = {}
"""Other planes' top-level keys (``functions``, ``apis``): each validates its own section."""

from .cognito.triggers import accept_functions  # noqa: E402 (the gateway may replace it: assign, not setdefault)

EXTENSIONS.setdefault("functions", accept_functions)


def _load_iam(config: Config) -> None:
    """Validate the ``iam:`` section (accounts, users, roles, policies); the parsed form is
    ``IamDirectory.parse(config.raw.get("iam"))``."""
    try:
        IamDirectory.parse(config.raw.get("iam"))
    except IamConfigError as err:
        raise ConfigError(config.file or "<config>", f"$.iam{err.path}", err.problem) from err


EXTENSIONS["iam"] = _load_iam

_KNOWN_POOL_KEYS = {"id", "name", "region", "awsIssuer", "settings", "clients", "groups", "users", "domain",
                    "resourceServers"}
_KNOWN_CLIENT_KEYS = {"id", "name", "secret", "generateSecret", "settings", "explicitAuthFlows"}
_KNOWN_USER_KEYS = {"username", "password", "temporaryPassword", "attributes", "groups", "status", "enabled"}


def _expect(cond: bool, file: Any, path: str, problem: str) -> None:
    if not cond:
        raise ConfigError(file, path, problem)


def load_config(path: Path | None, text: str | None = None) -> Config:
    source = text if text is not None else (path.read_text() if path else "")
    try:
        raw = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(path or "<config>", "$", f"not valid YAML: {exc}") from exc
    file = path or "<config>"
    _expect(isinstance(raw, dict), file, "$", "the top level must be a mapping")
    known = {"userPools", *EXTENSIONS}
    for key in raw:
        _expect(key in known, file, f"$.{key}", f"unknown key (expected one of {', '.join(sorted(known))})")
    config = Config(path, raw)
    pools = raw.get("userPools") or []
    _expect(isinstance(pools, list), file, "$.userPools", "must be a list")
    for i, pool in enumerate(pools):
        where = f"$.userPools[{i}]"
        _expect(isinstance(pool, dict), file, where, "must be a mapping")
        for key in pool:
            _expect(key in _KNOWN_POOL_KEYS, file, f"{where}.{key}", "unknown key")
        _expect(isinstance(pool.get("name"), str), file, f"{where}.name", "required, a string")
        if "id" in pool:
            _expect(isinstance(pool["id"], str) and "_" in pool["id"], file, f"{where}.id",
                    "must look like {region}_{suffix}, e.g. us-east-1_SecurePet")
        for j, client in enumerate(pool.get("clients") or []):
            _expect(isinstance(client, dict) and isinstance(client.get("name"), str), file,
                    f"{where}.clients[{j}]", "must be a mapping with a name")
            for key in client:
                _expect(key in _KNOWN_CLIENT_KEYS, file, f"{where}.clients[{j}].{key}", "unknown key")
        for j, user in enumerate(pool.get("users") or []):
            _expect(isinstance(user, dict) and isinstance(user.get("username"), str), file,
                    f"{where}.users[{j}]", "must be a mapping with a username")
            for key in user:
                _expect(key in _KNOWN_USER_KEYS, file, f"{where}.users[{j}].{key}", "unknown key")
        config.user_pools.append(pool)
    for key, extension in EXTENSIONS.items():
        if key in raw:
            extension(config)
    return config


async def apply_user_pools(services: Services, config: Config) -> list[str]:
    """Create what the file declares and does not exist yet; returns the pool ids."""
    ids = []
    for index, spec in enumerate(config.user_pools):
        try:
            ids.append(await _apply_pool(services, spec))
        except ServiceError as err:
            raise ConfigError(config.file or "<config>", f"$.userPools[{index}]",
                              f"{err.code}: {err.message}") from err
    return ids


async def _apply_pool(services: Services, spec: dict[str, Any]) -> str:
    settings = services.settings
    pool_id = spec.get("id")
    region = spec.get("region") or (pool_id.split("_", 1)[0] if pool_id else settings.region)
    params: dict[str, Any] = {"PoolName": spec["name"], **(spec.get("settings") or {})}
    if "awsIssuer" in spec:
        tags = dict(params.get("UserPoolTags") or {})
        tags[AWS_ISSUER_TAG] = "aws" if spec["awsIssuer"] else "poolgate"
        params["UserPoolTags"] = tags
    async with services.db.read() as conn:
        query = select(user_pools.c.id)
        query = query.where(user_pools.c.id == pool_id) if pool_id else query.where(
            user_pools.c.name == spec["name"], user_pools.c.region == region)
        existing = (await conn.execute(query)).scalar()
    created = existing is None
    if existing is None:
        existing = (await create_pool(services, region, settings.account, params, pool_id)).id
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, existing)
    if not created:
        # The file is the declared state: its settings win over what the pool holds (the schema cannot
        # change after creation, as in AWS).
        await update_pool(services, pool, params)
        async with services.db.read() as conn:
            pool = await repo.get_pool(conn, existing)
    for server in spec.get("resourceServers") or []:
        await ensure_resource_server(services, pool.id, server)
    if spec.get("domain"):
        await ensure_domain(services, pool.id, pool.account, str(spec["domain"]))
    for client in spec.get("clients") or []:
        await _apply_client(services, pool.id, client)
    for group in spec.get("groups") or []:
        group = {"name": group} if isinstance(group, str) else group
        async with services.db.read() as conn:
            found = (await conn.execute(select(groups.c.name).where(
                groups.c.pool_id == pool.id, groups.c.name == group["name"]))).first()
        if found is None:
            await create_group(services, pool.id, {"GroupName": group["name"],
                                                   "Description": group.get("description"),
                                                   "Precedence": group.get("precedence")})
    for user in spec.get("users") or []:
        await _apply_user(services, pool.id, user)
    return pool.id


async def _apply_client(services: Services, pool_id: str, spec: dict[str, Any]) -> None:
    async with services.db.read() as conn:
        query = select(user_pool_clients.c.client_id).where(user_pool_clients.c.pool_id == pool_id)
        query = query.where(user_pool_clients.c.client_id == spec["id"]) if spec.get("id") else query.where(
            user_pool_clients.c.name == spec["name"])
        existing = (await conn.execute(query)).scalar()
    params: dict[str, Any] = {"ClientName": spec["name"], **(spec.get("settings") or {})}
    if spec.get("explicitAuthFlows"):
        params["ExplicitAuthFlows"] = spec["explicitAuthFlows"]
    if existing is not None:
        async with services.db.read() as conn:
            client = await repo.get_client(conn, existing)
        await update_client(services, client, params)  # the file's settings win, as for pools
        return
    if spec.get("generateSecret"):
        params["GenerateSecret"] = True
    await create_client(services, pool_id, params, spec.get("id"), spec.get("secret"))


async def _apply_user(services: Services, pool_id: str, spec: dict[str, Any]) -> None:
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, pool_id)
        user = await repo.find_user(conn, pool, spec["username"])
    if user is None:
        password = spec.get("password") or spec.get("temporaryPassword")
        hashed: NewPassword | None = None
        if password:
            check_policy(password, pool.password_policy)
            hashed = await prepare_password(services.hasher, password)
        status = spec.get("status") or ("CONFIRMED" if spec.get("password") else "FORCE_CHANGE_PASSWORD")
        attributes = {k: str(v).lower() if isinstance(v, bool) else str(v)
                      for k, v in (spec.get("attributes") or {}).items()}
        async with services.db.begin() as conn:
            user = await insert_user(conn, services, pool, spec["username"], attributes, status, hashed)
            if spec.get("enabled") is False:
                await repo.update_user(conn, user, services.clock.now(), enabled=False)
    for group in spec.get("groups") or []:
        await add_user_to_group(services, pool_id, user.username, group)


StartupHook = Callable[[Services], Awaitable[None]]
