"""USER_SRP_AUTH: answer SRP_A with the PASSWORD_VERIFIER challenge, then check the client's proof.

The SRP arithmetic is ``srp.py``; the challenge session and what follows the first factor are
``challenges.py`` and ``ops/auth.py``.

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

from ..errors import ServiceError, invalid_parameter, not_authorized
from ..services import Services
from . import repo, srp
from .access import check_secret_hash, check_session_user
from .challenges import WRONG, open_session, pre_authentication, srp_cols, take_session, user_where
from .domain import Client, Pool
from .unknown_users import UNKNOWN, pre_authentication_unknown, simulated_salt, unknown_user_name

TIMESTAMP_SKEW = 300.0
"""How far a PASSWORD_VERIFIER TIMESTAMP may be from the server's clock (AWS: "a few" seconds; UNCONFIRMED)."""


async def srp_initiate(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                       metadata: dict[str, str] | None, custom: list[dict[str, Any]] | None = None
                       ) -> dict[str, Any]:
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
    data: dict[str, Any] = {"b": f"{b:x}", "A": a_hex, "verifier": verifier, "fake": fake, "custom": custom}
    if user is None:
        data[UNKNOWN] = username
    await open_session(services, pool, client, user_id, "PASSWORD_VERIFIER", data, key=secret_block)
    return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
        "SALT": salt, "SECRET_BLOCK": secret_block, "SRP_B": f"{b_pub:x}", "USERNAME": user_id,
        "USER_ID_FOR_SRP": user_id}}


async def respond_password_verifier(services: Services, pool: Pool, client: Client, params: dict[str, Any]
                                    ) -> dict[str, Any]:
    """Check the client's proof; then the rest of sign-in (status, new password, MFA, tokens)."""
    from .ops.auth import after_first_factor, record_failure

    responses: dict[str, str] = params.get("ChallengeResponses") or {}
    metadata = params.get("ClientMetadata")
    for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "USERNAME"):
        if not responses.get(name):
            raise invalid_parameter(f"Missing required parameter {name}")
    row = await take_session(services, client, responses["PASSWORD_CLAIM_SECRET_BLOCK"], "PASSWORD_VERIFIER")
    data = row["data"]
    asked: str | None = data.get(UNKNOWN)  # an unknown user's session: the name asked for, ``row`` has the stand-in
    user = None
    if asked is None:
        async with services.db.read() as conn:
            user = await repo.find_user(conn, pool, row["username"], aliases=False)
    check_secret_hash(client, [responses["USERNAME"], row["username"], *([asked] if asked else [])],
                      responses.get("SECRET_HASH"))
    # the stand-in (sent back as pycognito and amazon-cognito-identity-js do) or the name asked for is the session's
    await check_session_user(services, pool, row["username"], responses["USERNAME"], sub=user.sub if user else None,
                             asked=asked or (None if user else row["username"]))
    if user is None or data.get("fake"):
        raise not_authorized(WRONG)
    if user.locked_until > services.clock.now():
        raise not_authorized("Password attempts exceeded")
    claim = srp.Claim(responses["PASSWORD_CLAIM_SECRET_BLOCK"], responses["PASSWORD_CLAIM_SIGNATURE"],
                      responses["TIMESTAMP"])
    stamp = srp.parse_timestamp(claim.timestamp)
    fresh = stamp is not None and abs(stamp - services.clock.now()) <= TIMESTAMP_SKEW
    if not fresh or not srp.check_claim(pool.id, user.username, data["verifier"], data["A"], int(data["b"], 16),
                                        claim):
        await record_failure(services, user)
        if user.status == "UNCONFIRMED":
            raise ServiceError("UserNotConfirmedException", "User is not confirmed.")
        raise not_authorized(WRONG)
    if data.get("custom") is not None:
        from .custom import next_custom_step

        history = [*data["custom"], {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True,
                                     "challengeMetadata": None}]
        return await next_custom_step(services, pool, client, user, history, metadata)
    return await after_first_factor(services, pool, client, user, metadata)
