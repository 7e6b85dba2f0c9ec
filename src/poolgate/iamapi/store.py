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


async def find_role(services: Services, arn: str) -> IamRole | None:
    """The role ``arn`` names: declared in poolgate.yaml, else made through the IAM API; None if neither."""
    role = next((r for r in declared(services).roles if r.arn == arn), None)
    if role is not None:
        return role
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
