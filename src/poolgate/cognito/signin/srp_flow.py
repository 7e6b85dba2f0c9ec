"""USER_SRP_AUTH: answer SRP_A with the PASSWORD_VERIFIER challenge, then check the client's proof.

The SRP arithmetic is ``cognito/srp.py``; what follows the proof is the engine's (``engine.py``).

A name that matches nobody (PreventUserExistenceErrors ENABLED) gets a simulated challenge that fails only at the
proof: "When a user isn't found, Amazon Cognito returns a simulated response in the first step as described in RFC
5054. Amazon Cognito returns the same salt and an internal user ID in Universally Unique Identifier (UUID) format for
the same user name and user pool combination. When you send a RespondToAuthChallenge API request with proof of
password, Amazon Cognito returns a generic NotAuthorizedException error" (CogDG:cognito-user-pool-managing-errors.md).
The internal user ID is ``unknown_users.unknown_user_name``, in USERNAME and USER_ID_FOR_SRP alike, as a user's
internal username is in both (capture cited there); UNCONFIRMED: no capture of AWS's simulated answer itself, so
USERNAME being the UUID too rests on the user case. In a pool whose usernames are not UUIDs this still tells nobody
from a user, as on AWS: "You can simulate a generic response with user name and password authentication if you are
using verification-based alias attributes, and the immutable user name isn't formatted as a UUID" (same page).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from sqlalchemy import select

from ...errors import ServiceError, invalid_parameter, not_authorized
from ...services import Services
from .. import repo, srp
from ..access import check_secret_hash, check_session_user
from ..domain import Client, Pool, User
from ..unknown_users import pre_authentication_unknown, simulated_salt, unknown_user_name
from . import errors
from .first_factor import pre_authentication
from .lockout import check_not_locked, record_failure, srp_cols, user_where
from .sessions import open_session, take_session
from .state import PASSWORD_VERIFIER, PasswordVerifier
from .steps import Challenge

TIMESTAMP_SKEW = 300.0
"""How far a PASSWORD_VERIFIER TIMESTAMP may be from the server's clock (AWS: "a few" seconds; UNCONFIRMED)."""


async def srp_start(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                    metadata: dict[str, str] | None, custom: tuple[dict[str, Any], ...] | None = None) -> Challenge:
    """USER_SRP_AUTH (or CUSTOM_AUTH beginning with SRP_A): answer A with the PASSWORD_VERIFIER challenge.
    ``metadata`` (InitiateAuth's) reaches PreAuthentication only, not the triggers of later steps."""
    username = auth.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    a_hex = auth.get("SRP_A")
    if not a_hex:
        raise invalid_parameter("Missing required parameter SRP_A")
    if srp.valid_client_public(a_hex) is None:
        raise invalid_parameter("SRP_A is invalid.")  # message UNCONFIRMED
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, username)
        row = (await conn.execute(select(*srp_cols()).where(*user_where(user)))).first() if user else None
    check_secret_hash(client, [username, *([user.username] if user else [])], auth.get("SECRET_HASH"))
    if user is None and not client.prevent_user_existence_errors:
        raise ServiceError("UserNotFoundException", "User does not exist.")
    if user is not None and not user.enabled:
        raise not_authorized("User is disabled.")
    user_id = user.username if user else await unknown_user_name(services, pool, username)
    if custom is None:  # CUSTOM_AUTH ran PreAuthentication already
        if user is not None:
            await pre_authentication(services, pool, client, user, metadata)
        else:
            await pre_authentication_unknown(services, pool, client, user_id, metadata)
    salt: str
    verifier: str
    if row is not None and row.srp_verifier:
        salt, verifier, fake = str(row.srp_salt), str(row.srp_verifier), False
    else:  # unknown user (or no verifier yet): answer alike, and fail at the verifier step
        salt, verifier, fake = await simulated_salt(services, pool, user_id), f"{secrets.randbits(3000):x}", True
    b = secrets.randbits(256) | 1
    b_pub = srp.server_public(verifier, b)
    secret_block = base64.b64encode(secrets.token_bytes(48) + services.ids.token(24).encode()).decode()
    saved = PasswordVerifier(b, a_hex, verifier, fake, custom, None if user else username)
    await open_session(services, pool, client, user_id, PASSWORD_VERIFIER, saved, key=secret_block)
    return Challenge(PASSWORD_VERIFIER, {"SALT": salt, "SECRET_BLOCK": secret_block, "SRP_B": f"{b_pub:x}",
                                         "USERNAME": user_id, "USER_ID_FOR_SRP": user_id})


async def check_proof(services: Services, pool: Pool, client: Client, responses: dict[str, str]
                      ) -> tuple[User, PasswordVerifier]:
    """RespondToAuthChallenge with PASSWORD_VERIFIER: the user whose proof is right, and the challenge's state."""
    for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"):
        if not responses.get(name):
            raise invalid_parameter(f"Missing required parameter {name}")
    row = await take_session(services, client, responses["PASSWORD_CLAIM_SECRET_BLOCK"], PASSWORD_VERIFIER)
    saved = row.state
    assert isinstance(saved, PasswordVerifier)
    asked = saved.unknown  # an unknown user's session: the name asked for, ``row`` has the stand-in
    user = None
    if asked is None:
        async with services.db.read() as conn:
            user = await repo.find_user(conn, pool, row.username, aliases=False)
    check_secret_hash(client, [responses["USERNAME"], row.username, *([asked] if asked else [])],
                      responses.get("SECRET_HASH"))
    # the stand-in (sent back as pycognito and amazon-cognito-identity-js do) or the name asked for is the session's
    await check_session_user(services, pool, row.username, responses["USERNAME"], sub=user.sub if user else None,
                             asked=asked or (None if user else row.username))
    if user is None or saved.fake:
        raise errors.wrong_credentials()
    check_not_locked(services, user)
    claim = srp.Claim(responses["PASSWORD_CLAIM_SECRET_BLOCK"], responses["PASSWORD_CLAIM_SIGNATURE"],
                      responses["TIMESTAMP"])
    stamp = srp.parse_timestamp(claim.timestamp)
    fresh = stamp is not None and abs(stamp - services.clock.now()) <= TIMESTAMP_SKEW
    if not fresh or not srp.check_claim(pool.id, user.username, saved.verifier, saved.a, saved.b, claim):
        await record_failure(services, user)
        if user.status == "UNCONFIRMED":
            raise errors.not_confirmed()
        raise errors.wrong_credentials()
    return user, saved
