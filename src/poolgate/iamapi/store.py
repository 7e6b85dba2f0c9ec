"""Roles made through the IAM API, read back as ``IamRole`` like the ones poolgate.yaml declares."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..iam import IamDirectory, IamRole, Policy, PolicyError, PolicyKind
from ..services import Services
from ..store.sql.tables import iam_role_policies, iam_roles


def declared(services: Services) -> IamDirectory:
    """The roles declared under ``iam:`` in the server's poolgate.yaml (``services.extras["config"]``), parsed
    once; empty when the server has no file."""
    directory: IamDirectory | None = services.extras.get("iam_declared")
    if directory is None:
        config = services.extras.get("config")
        directory = IamDirectory.parse(config.raw.get("iam")) if config is not None else IamDirectory()
        services.extras["iam_declared"] = directory
    return directory


def split_arn(arn: str) -> tuple[str, str, str] | None:
    """(account, path, name) of ``arn:aws:iam::{account}:role{path}{name}``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "iam"] or not parts[5].startswith("role/"):
        return None
    resource = parts[5][len("role"):]
    path, _, name = resource.rpartition("/")
    return parts[4], path + "/", name


def stored_role(row: Any, policies: list[Any]) -> IamRole | None:
    try:
        trust = Policy.parse(row["trust"], PolicyKind.TRUST, name=f"role {row['name']} trust policy")
        inline = tuple(Policy.parse(p["document"], PolicyKind.IDENTITY, name=f"role {row['name']} policy {p['name']}")
                       for p in policies)
    except PolicyError:  # stored only after the same parse: not expected
        return None
    return IamRole(row["account"], row["name"], row["path"], policies=inline, trust=trust)


STORED_TTL = 1.0
"""Seconds a process keeps a stored role it read (the AWS_IAM authorizer asks per request; a change made through
another process is seen within this time, one made through this process at once: ``forget``). IAM itself is
eventually consistent ("changes … might not be immediately visible", IAM User Guide, "Troubleshoot IAM")."""


def _stored_cache(services: Services) -> dict[str, tuple[float, IamRole | None]]:
    cache: dict[str, tuple[float, IamRole | None]] | None = services.extras.get("iam_stored_roles")
    if cache is None:
        cache = services.extras["iam_stored_roles"] = {}
        emptied = cache

        async def clear() -> None:
            emptied.clear()

        services.extras.setdefault("on_reset", []).append(clear)
    return cache


def forget(services: Services) -> None:
    """A role or its policies changed through this process: read stored roles again."""
    _stored_cache(services).clear()


async def find_role(services: Services, arn: str) -> IamRole | None:
    """The role ``arn`` names: declared in poolgate.yaml, else made through the IAM API; None if neither."""
    role = next((r for r in declared(services).roles if r.arn == arn), None)
    if role is not None:
        return role
    cache = _stored_cache(services)
    now = services.clock.now()
    hit = cache.get(arn)
    if hit is not None and hit[0] > now:
        return hit[1]
    role = await _read_role(services, arn)
    if len(cache) >= 10000:
        cache.clear()
    cache[arn] = (now + STORED_TTL, role)
    return role


async def _read_role(services: Services, arn: str) -> IamRole | None:
    parts = split_arn(arn)
    if parts is None:
        return None
    account, path, name = parts
    async with services.db.read() as conn:
        row = (await conn.execute(select(iam_roles).where(
            iam_roles.c.account == account, iam_roles.c.name_key == name.lower()))).mappings().first()
        if row is None or row["name"] != name or row["path"] != path:
            return None
        policies = (await conn.execute(select(iam_role_policies).where(
            iam_role_policies.c.account == account, iam_role_policies.c.role_key == name.lower()))).mappings().all()
    return stored_role(row, list(policies))
