"""GetCredentialsForIdentity, and what the data plane's AWS_IAM authorizer learns from those credentials.

The credentials are signing keys like any other (an ``ASIA…`` access key id, a secret, a session token, an
expiration: ``POOLGATE_IDENTITY_CREDENTIALS_SECONDS``, default 3600 as on AWS). A request signed with them and
carrying the session token in ``X-Amz-Security-Token`` is decided by the policies of the role they were issued
for, as an assumed-role session ``arn:aws:sts::{account}:assumed-role/{role}/CognitoIdentityCredentials`` (the
session name AWS gives Cognito's enhanced flow). They live in the database, so every process sharing it accepts
them; each process remembers a looked-up key until it expires (rows never change).

AWS's words for the data plane (403): "The security token included in the request is expired" (ExpiredTokenException,
gateway response EXPIRED_TOKEN: aws/graph-explorer#39, cfn-sphere/cfn-sphere#55 for the text) and "The security
token included in the request is invalid." (UnrecognizedClientException: API Gateway's answer quoted in
kndt84/aws-api-gateway-client#31).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from ..compare import same_secret
from ..iam import Caller as IamCaller
from ..iam import Policy
from ..iamapi.store import find_role
from ..store.sql.tables import identity_credentials
from .identities import proven_login
from .rolemap import role_for
from .service import IDENTITY, Caller, Services, identity_row, pool_row, process_cache
from .trust import check_trust

EXPIRED = "The security token included in the request is expired"
INVALID = "The security token included in the request is invalid."
SESSION_NAME = "CognitoIdentityCredentials"
_CACHE_SIZE = 10000


def credentials_seconds() -> int:
    """``POOLGATE_IDENTITY_CREDENTIALS_SECONDS`` when it is a positive whole number, else AWS's hour."""
    raw = os.environ.get("POOLGATE_IDENTITY_CREDENTIALS_SECONDS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 3600


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@IDENTITY.operation("GetCredentialsForIdentity")
async def get_credentials_for_identity(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    identity = await identity_row(services, params["IdentityId"])
    pool = await pool_row(services, identity["pool_id"])
    login = await proven_login(services, identity, pool, params.get("Logins") or {})
    role_arn = await role_for(services, pool, login, params.get("CustomRoleArn"))
    await check_trust(services, role_arn, pool["id"], identity["id"], login)
    issued = await issue_credentials(
        services, role_arn=role_arn, session_name=SESSION_NAME, seconds=credentials_seconds(),
        identity_id=identity["id"], pool_id=pool["id"], auth_type="authenticated" if login else "unauthenticated",
        provider=login.authentication_provider() if login else None)
    return {"IdentityId": identity["id"],
            "Credentials": {"AccessKeyId": issued.access_key_id, "SecretKey": issued.secret,
                            "SessionToken": issued.session_token, "Expiration": issued.expiration}}


@dataclass(frozen=True, slots=True)
class Issued:
    access_key_id: str
    secret: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: float


async def issue_credentials(services: Services, *, role_arn: str, session_name: str, seconds: int,
                            identity_id: str | None, pool_id: str | None, auth_type: str, provider: str | None
                            ) -> Issued:
    """New temporary credentials for an assumed-role session, stored for every process of the database."""
    now = services.clock.now()
    issued = Issued("ASIA" + services.ids.short_id(16).upper(), services.ids.token(30), services.ids.token(192),
                    now + seconds)
    async with services.db.begin() as conn:
        await conn.execute(delete(identity_credentials).where(identity_credentials.c.expiration < now - 86400))
        await conn.execute(identity_credentials.insert().values(
            access_key_id=issued.access_key_id, secret=issued.secret, token_hash=_token_hash(issued.session_token),
            identity_id=identity_id, pool_id=pool_id, role_arn=role_arn, session_name=session_name,
            auth_type=auth_type, provider=provider, expiration=issued.expiration))
    return issued


class SessionRefused(Exception):
    """Temporary credentials that may not sign this request: ``code`` and ``message`` as API Gateway words them."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SessionKey:
    """Temporary credentials of an identity, as stored."""

    access_key_id: str
    secret: str = field(repr=False)
    token_hash: str = field(repr=False)
    identity_id: str | None
    pool_id: str | None
    role_arn: str
    session_name: str
    auth_type: str
    provider: str | None
    expiration: float

    def caller(self) -> IamCaller:
        _, _, rest = self.role_arn.partition(":iam::")
        account, _, resource = rest.partition(":role/")
        name = resource.rsplit("/", 1)[-1]
        from ..iam.principals import IamRole  # the role's id as IAM derives it, declared or not
        role_id = IamRole(account, name).role_id
        session = self.session_name
        return IamCaller(arn=f"arn:aws:sts::{account}:assumed-role/{name}/{session}", account=account,
                         type="AssumedRole", userid=f"{role_id}:{session}", role_arn=self.role_arn)

    async def policies(self, services: Services) -> list[Policy]:
        """The policies of the role the credentials are for (none when the role no longer exists)."""
        role = await find_role(services, self.role_arn)
        return list(role.policies) if role is not None else []

    def identity_fields(self) -> dict[str, Any]:
        """The proxy event's ``requestContext.identity`` fields Cognito credentials add (none for credentials from
        AssumeRoleWithWebIdentity with a user-pool token)."""
        if self.identity_id is None:
            return {}
        return {"cognitoIdentityId": self.identity_id, "cognitoIdentityPoolId": self.pool_id,
                "cognitoAuthenticationType": self.auth_type, "cognitoAuthenticationProvider": self.provider}


async def session_key(services: Services, key_id: str, token: str | None, now: float) -> SessionKey | None:
    """The temporary credentials ``key_id`` names, checked against the request's session token and ``now``;
    None when it names none (the caller answers as for any unknown key); SessionRefused otherwise."""
    cache = process_cache(services, "identity_credentials")
    key = cache.get(key_id)
    if key is None:
        async with services.db.read() as conn:
            row = (await conn.execute(select(identity_credentials).where(
                identity_credentials.c.access_key_id == key_id))).mappings().first()
        if row is None:
            return None
        key = SessionKey(**dict(row))
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[key_id] = key
    if not same_secret(_token_hash(token) if token is not None else None, key.token_hash):
        raise SessionRefused("UnrecognizedClientException", INVALID)
    if key.expiration <= now:
        raise SessionRefused("ExpiredTokenException", EXPIRED)
    return key
