"""What ``poolgate serve`` prints at start besides the invoke URLs: each pool's issuer, its app clients and
their hosted-UI login URLs, and where the server keeps its state (for ``poolgate codes``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from .cognito.domain import Client, Pool
from .runtime import shown
from .services import Services
from .settings import Settings
from .store.sql.tables import user_pool_clients, user_pool_domains, user_pools


def login_url(base_url: str, domain: str, client: Client) -> str | None:
    """The hosted UI's sign-in page for ``client``, as Cognito's console links it
    (``https://{domain}/login?client_id=…&response_type=code&scope=…&redirect_uri=…``), or None when the client
    cannot use the hosted UI (no OAuth flows, or no callback URL)."""
    return hosted_ui_url(base_url, domain, client.client_id, client.config)


def hosted_ui_url(base_url: str, domain: str, client_id: str, config: Mapping[str, Any]) -> str | None:
    """:func:`login_url` for a client described by ``config`` (DescribeUserPoolClient's fields)."""
    flows = config.get("AllowedOAuthFlows") or []
    callbacks = config.get("CallbackURLs") or []
    if not config.get("AllowedOAuthFlowsUserPoolClient") or not callbacks or not {"code", "implicit"} & set(flows):
        return None
    query = {"client_id": client_id, "response_type": "code" if "code" in flows else "token"}
    if config.get("AllowedOAuthScopes"):
        query["scope"] = " ".join(config["AllowedOAuthScopes"])
    query["redirect_uri"] = config.get("DefaultRedirectURI") or callbacks[0]
    return f"{base_url}/_domains/{domain}/login?{urlencode(query)}"


async def pool_lines(services: Services) -> list[str]:
    base = services.settings.base_url
    async with services.db.read() as conn:
        pools = [Pool.from_row(r) for r in (await conn.execute(
            select(user_pools).order_by(user_pools.c.created, user_pools.c.id))).mappings().all()]
        clients = [Client.from_row(r) for r in (await conn.execute(
            select(user_pool_clients).order_by(user_pool_clients.c.created, user_pool_clients.c.client_id)
        )).mappings().all()]
        domains = {r.pool_id: r.domain for r in (await conn.execute(
            select(user_pool_domains.c.pool_id, user_pool_domains.c.domain))).all()}
    lines = []
    for pool in pools:
        lines.append(f"user pool {pool.id} ({pool.name}): issuer {services.tokens.issuer(pool)}  "
                     f"jwks {base}/{pool.id}/.well-known/jwks.json")
        domain = domains.get(pool.id)
        if domain:
            lines.append(f"  hosted UI domain {domain}: {base}/_domains/{domain}/  "
                         f"http://{domain}.auth.localhost:{services.settings.port}/")
        for client in (c for c in clients if c.pool_id == pool.id):
            lines.append(f"  app client {client.client_id} ({client.name})")
            url = login_url(base, domain, client) if domain else None
            if url:
                lines.append(f"    sign in on the hosted UI: {url}")
    return lines


def console_lines(settings: Settings) -> list[str]:
    """The console's address (``/_console/`` on the server's own port)."""
    access = "open on loopback" if settings.local_mode else "sign in with a --credentials access key and secret"
    return [f"console: {settings.base_url}/_console/ ({access})"]


def storage_lines(settings: Settings) -> list[str]:
    """Where the state lives, and the ``poolgate codes`` command that reads it (from any folder while this
    server runs; with these flags also afterwards, unless --ephemeral)."""
    if settings.database_url:
        where, flag = f"database {shown(settings.database_url)}", f"--database-url '{shown(settings.database_url)}'"
    else:
        folder = settings.data_dir.resolve()
        where = f"{'temporary ' if settings.ephemeral else ''}data folder {folder}"
        flag = f"--data-dir {folder}"
    return [f"{where}: `poolgate codes {flag} --pool POOL_ID [--user NAME]` prints the codes the pools send"]
