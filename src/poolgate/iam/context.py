"""Who is calling, and the request context IAM conditions test (``aws:SourceIp``, ``aws:PrincipalArn`` …).

Mirrors the IAM User Guide page "AWS global condition context keys".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .matching import ContextValue


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal making a request, as policy evaluation sees it.

    ``arn`` is what AWS names in its messages (a user ARN, an ``arn:aws:sts::…:assumed-role/role/session``
    ARN, or the account root); ``principal_arn`` is what ``aws:PrincipalArn`` and a resource policy's
    ``Principal`` compare against (the role ARN for an assumed-role session)."""

    arn: str
    account: str
    type: str  # aws:PrincipalType: User | AssumedRole | Account | Anonymous
    userid: str = ""
    username: str | None = None  # aws:username, IAM users only
    role_arn: str | None = None  # the role behind an AssumedRole session

    @property
    def anonymous(self) -> bool:
        return self.type == "Anonymous"

    @property
    def principal_arn(self) -> str:
        return self.role_arn or self.arn

    @property
    def label(self) -> str:
        """How AWS's access-denied messages name the caller: its ARN, or ``anonymous``."""
        return "anonymous" if self.anonymous else self.arn


ANONYMOUS = Caller(arn="", account="", type="Anonymous")
"""An unauthenticated caller (authorization NONE, Cognito, or a Lambda authorizer's caller)."""


def iso_time(now: float) -> str:
    """``aws:CurrentTime`` format, e.g. ``2024-01-31T12:00:00Z``."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_context(
    caller: Caller,
    *,
    now: float,
    source_ip: str | None = None,
    secure_transport: bool | None = None,
    user_agent: str | None = None,
    referer: str | None = None,
    extra: Mapping[str, ContextValue] | None = None,
) -> dict[str, ContextValue]:
    """The request context for condition evaluation, keys lower-cased (condition keys are case-insensitive).

    Keys that do not apply are left out, so that ``Null`` and ``...IfExists`` see them as absent (e.g.
    ``aws:username`` for roles, every principal key for anonymous callers). ``now`` comes from the
    injected clock."""
    context: dict[str, ContextValue] = {
        "aws:currenttime": iso_time(now),
        "aws:epochtime": int(now),
        "aws:principaltype": caller.type,
    }
    if not caller.anonymous:
        context["aws:principalaccount"] = caller.account
        context["aws:principalarn"] = caller.principal_arn
        if caller.userid:
            context["aws:userid"] = caller.userid
        if caller.username is not None:
            context["aws:username"] = caller.username
    optional: dict[str, ContextValue | None] = {
        "aws:sourceip": source_ip,
        "aws:securetransport": secure_transport,
        "aws:useragent": user_agent,
        "aws:referer": referer,
    }
    context.update({key: value for key, value in optional.items() if value is not None})
    for key, value in (extra or {}).items():
        context[key.lower()] = value
    return context
