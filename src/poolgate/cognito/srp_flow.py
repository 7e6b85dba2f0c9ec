"""USER_SRP_AUTH: answer SRP_A with the PASSWORD_VERIFIER challenge, then check the client's proof.

The SRP arithmetic is ``srp.py``; the challenge session and what follows the first factor are
``challenges.py`` and ``ops/auth.py``.
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
    if user is not None and custom is None:
        await pre_authentication(services, pool, client, user, metadata)
    user_id = user.username if user else username
    salt: str
    verifier: str
    if row is not None and row.srp_verifier:
        salt, verifier, fake = str(row.srp_salt), str(row.srp_verifier), False
    else:  # unknown user (or no verifier yet): answer alike, and fail at the verifier step
        salt, verifier, fake = secrets.token_hex(16), f"{secrets.randbits(3000):x}", True
    b = secrets.randbits(256) | 1
    b_pub = srp.server_public(verifier, b)
    secret_block = base64.b64encode(secrets.token_bytes(48) + services.ids.token(24).encode()).decode()
    data = {"b": f"{b:x}", "A": a_hex, "verifier": verifier, "fake": fake, "custom": custom}
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
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, row["username"], aliases=False)
    check_secret_hash(client, [responses["USERNAME"], row["username"]], responses.get("SECRET_HASH"))
    await check_session_user(services, pool, row["username"], responses["USERNAME"], sub=user.sub if user else None,
                             asked=None if user else row["username"])
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
