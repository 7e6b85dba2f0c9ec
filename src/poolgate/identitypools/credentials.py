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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from ..compare import same_secret
from ..iam import Caller as IamCaller
from ..iam import IamDirectory, Policy
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
    return int(os.environ.get("POOLGATE_IDENTITY_CREDENTIALS_SECONDS", "3600"))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@IDENTITY.operation("GetCredentialsForIdentity")
async def get_credentials_for_identity(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    identity = await identity_row(services, params["IdentityId"])
    pool = await pool_row(services, identity["pool_id"])
    login = await proven_login(services, identity, pool, params.get("Logins") or {})
    role_arn = await role_for(services, pool, login, params.get("CustomRoleArn"))
    check_trust(services, role_arn, pool["id"], identity["id"], login)
    now = services.clock.now()
    expiration = now + credentials_seconds()
    key_id = "ASIA" + services.ids.short_id(16).upper()
    secret = services.ids.token(30)
    token = services.ids.token(192)
    async with services.db.begin() as conn:
        await conn.execute(delete(identity_credentials).where(identity_credentials.c.expiration < now - 86400))
        await conn.execute(identity_credentials.insert().values(
            access_key_id=key_id, secret=secret, token_hash=_token_hash(token), identity_id=identity["id"],
            pool_id=pool["id"], role_arn=role_arn, auth_type="authenticated" if login else "unauthenticated",
            provider=login.authentication_provider() if login else None, expiration=expiration))
    return {"IdentityId": identity["id"],
            "Credentials": {"AccessKeyId": key_id, "SecretKey": secret, "SessionToken": token,
                            "Expiration": expiration}}


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
    secret: str
    token_hash: str
    identity_id: str
    pool_id: str
    role_arn: str
    auth_type: str
    provider: str | None
    expiration: float

    def caller(self) -> IamCaller:
        _, _, rest = self.role_arn.partition(":iam::")
        account, _, resource = rest.partition(":role/")
        name = resource.rsplit("/", 1)[-1]
        from ..iam.principals import IamRole  # the role's id as IAM derives it, declared or not
        role_id = IamRole(account, name).role_id
        return IamCaller(arn=f"arn:aws:sts::{account}:assumed-role/{name}/{SESSION_NAME}", account=account,
                         type="AssumedRole", userid=f"{role_id}:{SESSION_NAME}", role_arn=self.role_arn)

    def policies(self, directory: IamDirectory) -> list[Policy]:
        """The policies of the role the credentials are for (none when it is not declared under ``iam: roles:``)."""
        role = next((r for r in directory.roles if r.arn == self.role_arn), None)
        return list(role.policies) if role is not None else []

    def identity_fields(self) -> dict[str, Any]:
        """The proxy event's ``requestContext.identity`` fields Cognito credentials add."""
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
