"""What the hosted UI, the OAuth endpoints and discovery read of a pool: where a domain is served, the UI
customization a page shows, and the scopes the pool's resource servers define. The operations that write them are
``ops/domains.py`` and ``ops/resource_servers.py``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..services import Services
from ..store.sql.tables import resource_servers, ui_customizations


def domain_base_url(services: Services, domain: str) -> str:
    """Where poolgate serves a domain's hosted UI and OAuth endpoints (path-routed, works everywhere)."""
    return f"{services.settings.base_url}/_domains/{domain}"


async def find_ui_customization(conn: Any, pool_id: str, client_id: str | None) -> Any:
    """The client's own customization, else the pool-wide (``ALL``) one, else None."""
    for key in ([client_id] if client_id and client_id != "ALL" else []) + ["ALL"]:
        row = (await conn.execute(select(ui_customizations).where(
            ui_customizations.c.pool_id == pool_id, ui_customizations.c.client_id == key))).mappings().first()
        if row is not None:
            return row
    return None


async def custom_scopes(conn: Any, pool_id: str) -> set[str]:
    """Every ``{identifier}/{scope}`` the pool's resource servers define."""
    rows = (await conn.execute(select(resource_servers.c.identifier, resource_servers.c.scopes)
                               .where(resource_servers.c.pool_id == pool_id))).all()
    return {f"{r.identifier}/{s['ScopeName']}" for r in rows for s in r.scopes}
