"""A sign-in for a name that matches no user, on an app client with PreventUserExistenceErrors ENABLED: the stable
stand-ins Cognito answers with (SRP in ``signin/srp_flow.py``, CUSTOM_AUTH in ``signin/custom.py``) and the
PreAuthentication trigger it still runs. Without the setting the name is refused at once
(``signin.first_factor.signing_in_user``).

"When a user isn't found, Amazon Cognito returns a simulated response in the first step as described in RFC 5054.
Amazon Cognito returns the same salt and an internal user ID in Universally Unique Identifier (UUID) format for the
same user name and user pool combination" (CogDG:cognito-user-pool-managing-errors.md, "Secure Remote Password (SRP)
based authentication"). Both are derived here with HMAC from a per-server secret (``store/secrets.py``), so that they
are stable across calls, workers and restarts, and nobody without the secret can compute one and compare.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from ..services import Services
from ..store.secrets import server_secret
from . import repo, triggers
from .domain import Client, Pool

_SECRET_NAME = "unknown-user-ids"


async def _digest(services: Services, message: str) -> bytes:
    key = services.extras.get(_SECRET_NAME)
    if not isinstance(key, bytes):
        key = await server_secret(services.db, services.clock, _SECRET_NAME)
        services.extras[_SECRET_NAME] = key
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


async def unknown_user_name(services: Services, pool: Pool, asked: str) -> str:
    """The stand-in username of a name that matches nobody: a version-4 UUID like a user's ``sub``, the same for the
    same name (under the pool's case rules) and pool. It is the triggers' ``userName`` and ChallengeParameters'
    USERNAME and USER_ID_FOR_SRP, as a user's internal username is where users sign in by e-mail or phone (captured
    PASSWORD_VERIFIER of such a pool: both are the sub, rogatty/hexo-blog
    source/_posts/2018-02-04-Authentication-and-authorization-in-AWS-ecosystem.md)."""
    digest = await _digest(services, f"{pool.id}\n{repo.username_key(pool, asked)}")
    return str(uuid.UUID(bytes=digest[:16], version=4))


async def simulated_salt(services: Services, pool: Pool, name: str) -> str:
    """The SRP salt answered for ``name`` when there is no verifier to answer with: stable per name and pool (the
    Developer Guide's "same salt"), and formatted as ``credentials.NewPassword`` formats stored salts (32 hex)."""
    digest = await _digest(services, f"salt\n{pool.id}\n{repo.username_key(pool, name)}")
    return digest[:16].hex()


async def pre_authentication_unknown(services: Services, pool: Pool, client: Client, stand_in: str,
                                     validation_data: dict[str, str] | None) -> None:
    """PreAuthentication for a name that matches nobody (only on a client with PreventUserExistenceErrors ENABLED):
    "This Lambda trigger doesn't activate when a user doesn't exist unless the PreventUserExistenceErrors setting of a
    user pool app client is set to ENABLED" (CogDG:user-pool-lambda-pre-authentication.md, its note), and "If you call
    the Pre-Authentication Lambda trigger for a user that doesn't exist, then Amazon Cognito returns UserNotFound"
    (CogDG:cognito-user-pool-managing-errors.md), i.e. ``request.userNotFound`` true. The docs name no flow, so every
    flow with a PreAuthentication for users runs it (USER_PASSWORD_AUTH, USER_SRP_AUTH, CUSTOM_AUTH). A handler error
    refuses the sign-in as it does a user's (``signin.first_factor.pre_authentication``).

    UNCONFIRMED (no capture of such an event found): ``userName`` (here the stand-in, as the custom-auth triggers get
    it) and ``userAttributes`` (here empty, as ``custom.Signer.attributes`` for nobody)."""
    request: dict[str, Any] = {"userAttributes": {}, "validationData": validation_data or {},
                               **triggers.user_not_found(client, True)}
    body = triggers.event(pool, client, stand_in, "PreAuthentication_Authentication", request)
    await triggers.invoke(services, pool, "PreAuthentication", body)
