"""Applying ``poolgate.yaml``'s ``userPools:`` at every start: what is missing is created, the settings of
pools and clients are set to what the file says, users are seeded once.

The parameters were checked by ``config.load_config`` against the operations' models; this module calls the
functions those operations use. A business rule the model cannot express (a schema rule, a token validity
out of range …) fails here, as a ``ConfigError`` naming the entry of the file.
"""

from __future__ import annotations

from sqlalchemy import select

from .cognito import repo
from .cognito.credentials import NewPassword, prepare_password
from .cognito.domain import Pool
from .cognito.federation.providers import create_provider, find_provider, update_provider
from .cognito.ops.clients import create_client, update_client
from .cognito.ops.domains import ensure_domain
from .cognito.ops.groups import add_user_to_group, create_group
from .cognito.ops.pools import create_pool, update_pool
from .cognito.ops.resource_servers import create_resource_server
from .cognito.passwords import check_policy
from .cognito.users import insert_user
from .config import Config, ConfigError, DeclaredClient, DeclaredPool, DeclaredUser, Request
from .errors import ServiceError
from .services import Services
from .store.sql.tables import groups, resource_servers, user_pool_clients, user_pools


async def apply_user_pools(services: Services, config: Config) -> list[str]:
    """Create what the file declares and does not exist yet; returns the pool ids."""
    ids = []
    for pool in config.declared_pools:
        ids.append(await _apply_pool(services, config, pool))
    return ids


class _Failed(Exception):
    def __init__(self, where: str, error: ServiceError) -> None:
        self.where = where
        self.error = error


async def _apply_pool(services: Services, config: Config, declared: DeclaredPool) -> str:
    try:
        return await _apply(services, declared)
    except _Failed as failed:
        raise ConfigError(config.file or "<config>", failed.where,
                          f"{failed.error.code}: {failed.error.message}") from failed.error


async def _step(where: str, action: object) -> None:
    try:
        await action  # type: ignore[misc]
    except ServiceError as err:
        raise _Failed(where, err) from err


async def _apply(services: Services, declared: DeclaredPool) -> str:
    settings = services.settings
    params = declared.params
    pool_id = declared.pool_id
    region = declared.region or (pool_id.split("_", 1)[0] if pool_id else settings.region)
    async with services.db.read() as conn:
        query = select(user_pools.c.id)
        query = query.where(user_pools.c.id == pool_id) if pool_id else query.where(
            user_pools.c.name == params["PoolName"], user_pools.c.region == region)
        existing = (await conn.execute(query)).scalar()
    if existing is None:
        try:
            existing = (await create_pool(services, region, settings.account, params, pool_id)).id
        except ServiceError as err:
            raise _Failed(declared.where, err) from err
    else:
        # The file is the declared state: its settings win over what the pool holds (the schema cannot
        # change after creation, as in AWS).
        async with services.db.read() as conn:
            pool = await repo.get_pool(conn, existing)
        await _step(declared.where, update_pool(services, pool, params))
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, existing)
    for server in declared.resource_servers:
        await _step(server.where, _ensure_resource_server(services, pool.id, server))
    if declared.domain:
        await _step(f"{declared.where}.domain", ensure_domain(services, pool.id, pool.account, declared.domain))
    for provider in declared.identity_providers:
        await _step(provider.where, _apply_identity_provider(services, pool, provider))
    for client in declared.clients:
        await _step(client.where, _apply_client(services, pool.id, client))
    for group in declared.groups:
        await _step(group.where, _ensure_group(services, pool.id, group))
    for user in declared.users:
        await _step(user.where, _apply_user(services, pool.id, user))
    return pool.id


async def _apply_identity_provider(services: Services, pool: Pool, provider: Request) -> None:
    """Created through CreateIdentityProvider's effect, or, when it exists, given the file's settings."""
    params = provider.params
    async with services.db.read() as conn:
        found = await find_provider(conn, pool.id, params["ProviderName"])
    if found is None:
        await create_provider(services, pool, params)
    else:
        await update_provider(services, pool, {"ProviderDetails": {}, "AttributeMapping": {}, "IdpIdentifiers": [],
                                               **params})


async def _ensure_resource_server(services: Services, pool_id: str, server: Request) -> None:
    async with services.db.read() as conn:
        found = (await conn.execute(select(resource_servers.c.identifier).where(
            resource_servers.c.pool_id == pool_id,
            resource_servers.c.identifier == server.params["Identifier"]))).first()
    if found is None:
        await create_resource_server(services, pool_id, server.params)


async def _ensure_group(services: Services, pool_id: str, group: Request) -> None:
    async with services.db.read() as conn:
        found = (await conn.execute(select(groups.c.name).where(
            groups.c.pool_id == pool_id, groups.c.name == group.params["GroupName"]))).first()
    if found is None:
        await create_group(services, pool_id, group.params)


async def _apply_client(services: Services, pool_id: str, declared: DeclaredClient) -> None:
    params = dict(declared.params)
    async with services.db.read() as conn:
        query = select(user_pool_clients.c.client_id).where(user_pool_clients.c.pool_id == pool_id)
        query = query.where(user_pool_clients.c.client_id == declared.client_id) if declared.client_id \
            else query.where(user_pool_clients.c.name == params["ClientName"])
        existing = (await conn.execute(query)).scalar()
    if existing is not None:
        params.pop("GenerateSecret", None)
        async with services.db.read() as conn:
            client = await repo.get_client(conn, existing)
        await update_client(services, client, params)  # the file's settings win, as for pools
        return
    await create_client(services, pool_id, params, declared.client_id, declared.secret)


async def _apply_user(services: Services, pool_id: str, declared: DeclaredUser) -> None:
    async with services.db.read() as conn:
        pool = await repo.get_pool(conn, pool_id)
        user = await repo.find_user(conn, pool, declared.username)
    if user is None:
        hashed: NewPassword | None = None
        if declared.password:
            check_policy(declared.password, pool.password_policy)
            hashed = await prepare_password(services.hasher, declared.password)
        status = declared.status or ("FORCE_CHANGE_PASSWORD" if declared.temporary or not declared.password
                                     else "CONFIRMED")
        async with services.db.begin() as conn:
            user = await insert_user(conn, services, pool, declared.username, declared.attributes, status, hashed)
            if not declared.enabled:
                await repo.update_user(conn, user, services.clock.now(), enabled=False)
    for group in declared.groups:
        await add_user_to_group(services, pool_id, user.username, group)
