"""Roles and users made through the IAM API, read back as ``IamRole`` / ``KeyOwner`` like the ones poolgate.yaml
declares: a role with its inline and attached managed policies (``find_role``), an access key with its user, the
user's inline and attached policies (``find_key``). Both are remembered per process for ``STORED_TTL``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..iam import AccessKey, IamDirectory, IamRole, IamUser, KeyOwner, Policy, PolicyError, PolicyKind
from ..services import Services
from ..store.sql.tables import iam_role_policies, iam_roles
from ..store.sql.tables_iam_users import (
    iam_access_keys,
    iam_policies,
    iam_role_attachments,
    iam_user_attachments,
    iam_user_policies,
    iam_users,
)


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
    """``policies``: rows with a ``name`` and a ``document``, inline and attached alike."""
    try:
        trust = Policy.parse(row["trust"], PolicyKind.TRUST, name=f"role {row['name']} trust policy")
        inline = tuple(Policy.parse(p["document"], PolicyKind.IDENTITY, name=f"role {row['name']} policy {p['name']}")
                       for p in policies)
    except PolicyError:  # stored only after the same parse: not expected
        return None
    return IamRole(row["account"], row["name"], row["path"], policies=inline, trust=trust)


def _attached(attachments: Any, owner_column: Any, account: str, key: str) -> Any:
    """The managed policies attached to one role or user: their names and documents."""
    return select(iam_policies.c.name, iam_policies.c.document).join(
        attachments, (attachments.c.account == iam_policies.c.account)
        & (attachments.c.policy_key == iam_policies.c.name_key)).where(attachments.c.account == account,
                                                                       owner_column == key)


STORED_TTL = 1.0
"""Seconds a process keeps a stored role or access key it read (the AWS_IAM authorizer asks per request; a change
made through another process is seen within this time, one made through this process at once: ``forget``). IAM
itself is eventually consistent ("changes … might not be immediately visible", IAM User Guide, "Troubleshoot IAM")."""


def _stored_cache(services: Services, name: str = "iam_stored_roles") -> dict[str, tuple[float, Any]]:
    cache: dict[str, tuple[float, Any]] | None = services.extras.get(name)
    if cache is None:
        cache = services.extras[name] = {}
        emptied = cache

        async def clear() -> None:
            emptied.clear()

        services.extras.setdefault("on_reset", []).append(clear)
    return cache


def forget(services: Services) -> None:
    """A role, user, access key or policy changed through this process: read them again."""
    _stored_cache(services).clear()
    _stored_cache(services, "iam_stored_keys").clear()


async def find_key(services: Services, key_id: str) -> KeyOwner | None:
    """The IAM user an access key made with CreateAccessKey belongs to, with the key (Active or Inactive: callers
    check ``key.active``) and the user's inline and attached policies; None for a key no user holds."""
    cache = _stored_cache(services, "iam_stored_keys")
    now = services.clock.now()
    hit = cache.get(key_id)
    if hit is not None and hit[0] > now:
        owner: KeyOwner | None = hit[1]
        return owner
    owner = await _read_key(services, key_id)
    if len(cache) >= 10000:
        cache.clear()
    cache[key_id] = (now + STORED_TTL, owner)
    return owner


async def _read_key(services: Services, key_id: str) -> KeyOwner | None:
    async with services.db.read() as conn:
        key = (await conn.execute(select(iam_access_keys).where(iam_access_keys.c.access_key_id == key_id))
               ).mappings().first()
        if key is None:
            return None
        account, user_key = key["account"], key["user_key"]
        user = (await conn.execute(select(iam_users).where(
            iam_users.c.account == account, iam_users.c.name_key == user_key))).mappings().first()
        if user is None:
            return None
        rows = list((await conn.execute(select(iam_user_policies.c.name, iam_user_policies.c.document).where(
            iam_user_policies.c.account == account, iam_user_policies.c.user_key == user_key))).mappings().all())
        rows += (await conn.execute(_attached(iam_user_attachments, iam_user_attachments.c.user_key, account,
                                              user_key))).mappings().all()
    try:
        policies = tuple(Policy.parse(p["document"], PolicyKind.IDENTITY, name=f"user {user['name']} policy "
                                      f"{p['name']}") for p in rows)
    except PolicyError:  # stored only after the same parse: not expected
        return None
    access_key = AccessKey(key["access_key_id"], key["secret"], key["status"])
    return KeyOwner(IamUser(account, user["name"], user["path"], (access_key,), policies), access_key)


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
        policies = list((await conn.execute(select(iam_role_policies).where(
            iam_role_policies.c.account == account, iam_role_policies.c.role_key == name.lower()))).mappings().all())
        policies += (await conn.execute(_attached(iam_role_attachments, iam_role_attachments.c.role_key, account,
                                                  name.lower()))).mappings().all()
    return stored_role(row, policies)
