"""CUSTOM_AUTH: a sign-in driven by the DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse triggers (CogDG:user-pool-lambda-challenge.md), with or without SRP first.

``metadata`` here is always the ClientMetadata of the RespondToAuthChallenge being answered, which these triggers
get as ``clientMetadata`` (Cognito API Reference, RespondToAuthChallenge, ClientMetadata). InitiateAuth's reaches
only PreAuthentication: InitiateAuth "invokes the following triggers without ClientMetadata as input: Post
authentication, Custom message, Pre token generation, Create auth challenge, Define auth challenge" (InitiateAuth,
ClientMetadata; aws-amplify/amplify-js#12745).
"""

from __future__ import annotations

from typing import Any

from ..errors import ServiceError, invalid_parameter, not_authorized
from ..services import Services
from . import repo, triggers
from .access import check_secret_hash, signing_in_user
from .challenges import WRONG, finish, mfa_challenge, open_session, pre_authentication
from .domain import Client, Pool, User
from .srp_flow import srp_initiate

SOURCE = "TokenGeneration_Authentication"
_NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."  # UNCONFIRMED wording


def _step(name: str, result: bool, metadata: Any = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def _request(pool: Pool, client: Client, user: User, history: list[dict[str, Any]],
             metadata: dict[str, str] | None, **more: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"userAttributes": triggers.user_attributes(pool, user), "session": history, **more,
                               **triggers.user_not_found(client)}
    if metadata:
        request["clientMetadata"] = metadata
    return request


async def _define(services: Services, pool: Pool, client: Client, user: User, history: list[dict[str, Any]],
                  metadata: dict[str, str] | None) -> dict[str, Any]:
    if not triggers.configured(pool, "DefineAuthChallenge"):
        raise invalid_parameter(_NOT_CONFIGURED)
    body = triggers.event(pool, client, user.username, "DefineAuthChallenge_Authentication",
                          _request(pool, client, user, history, metadata),
                          {"challengeName": None, "issueTokens": None, "failAuthentication": None})
    return await triggers.invoke(services, pool, "DefineAuthChallenge", body) or {}


async def custom_initiate(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                          metadata: dict[str, str] | None) -> dict[str, Any]:
    """InitiateAuth with CUSTOM_AUTH: ask DefineAuthChallenge what comes first. ``metadata`` (InitiateAuth's) is
    PreAuthentication's ``validationData`` and goes no further."""
    username = auth.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, username)
    check_secret_hash(client, [username, *([user.username] if user else [])], auth.get("SECRET_HASH"))
    user = signing_in_user(client, user)
    await pre_authentication(services, pool, client, user, metadata)
    if auth.get("CHALLENGE_NAME") == "SRP_A":
        history = [_step("SRP_A", True)]
        decision = await _define(services, pool, client, user, history, None)
        if decision.get("challengeName") == "PASSWORD_VERIFIER" and not decision.get("failAuthentication"):
            return await srp_initiate(services, pool, client, auth, metadata, custom=history)
        return await _follow(services, pool, client, user, history, decision, None)
    return await next_custom_step(services, pool, client, user, [], None)


async def next_custom_step(services: Services, pool: Pool, client: Client, user: User,
                           history: list[dict[str, Any]], metadata: dict[str, str] | None) -> dict[str, Any]:
    """Ask DefineAuthChallenge again, given the challenges answered so far."""
    decision = await _define(services, pool, client, user, history, metadata)
    return await _follow(services, pool, client, user, history, decision, metadata)


async def _follow(services: Services, pool: Pool, client: Client, user: User, history: list[dict[str, Any]],
                  decision: dict[str, Any], metadata: dict[str, str] | None) -> dict[str, Any]:
    if decision.get("failAuthentication"):
        raise not_authorized(WRONG)
    if decision.get("issueTokens"):
        if user.status == "UNCONFIRMED":
            raise ServiceError("UserNotConfirmedException", "User is not confirmed.")
        return await finish(services, pool, client, user, SOURCE, metadata)
    name = decision.get("challengeName")
    if name in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"):
        return await mfa_challenge(services, pool, client, user, str(name), SOURCE)
    if name != "CUSTOM_CHALLENGE":
        # AWS's text for a trigger answer of the wrong shape (amazon-cognito-identity-js#167)
        raise ServiceError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    if not triggers.configured(pool, "CreateAuthChallenge"):
        raise invalid_parameter(_NOT_CONFIGURED)
    body = triggers.event(pool, client, user.username, "CreateAuthChallenge_Authentication",
                          _request(pool, client, user, history, metadata, challengeName=name),
                          {"publicChallengeParameters": None, "privateChallengeParameters": None,
                           "challengeMetadata": None})
    created = await triggers.invoke(services, pool, "CreateAuthChallenge", body) or {}
    public = {str(k): str(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
    data = {"history": history, "private": created.get("privateChallengeParameters") or {},
            "challengeMetadata": created.get("challengeMetadata")}
    session = await open_session(services, pool, client, user.username, "CUSTOM_CHALLENGE", data)
    return {"ChallengeName": "CUSTOM_CHALLENGE", "Session": session,
            "ChallengeParameters": {**public, "USERNAME": user.username}}


async def answer_custom(services: Services, pool: Pool, client: Client, user: User, data: dict[str, Any],
                        responses: dict[str, str], metadata: dict[str, str] | None) -> dict[str, Any]:
    """RespondToAuthChallenge with CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges the ANSWER."""
    answer = responses.get("ANSWER")
    if answer is None:
        raise invalid_parameter("Missing required parameter ANSWER")
    if not triggers.configured(pool, "VerifyAuthChallengeResponse"):
        raise invalid_parameter(_NOT_CONFIGURED)
    request: dict[str, Any] = {"userAttributes": triggers.user_attributes(pool, user),
                               "privateChallengeParameters": data.get("private") or {},
                               "challengeAnswer": answer, **triggers.user_not_found(client)}
    if metadata:
        request["clientMetadata"] = metadata
    body = triggers.event(pool, client, user.username, "VerifyAuthChallengeResponse_Authentication", request,
                          {"answerCorrect": None})
    verdict = await triggers.invoke(services, pool, "VerifyAuthChallengeResponse", body) or {}
    history = [*data.get("history", []), _step("CUSTOM_CHALLENGE", bool(verdict.get("answerCorrect")),
                                               data.get("challengeMetadata"))]
    return await next_custom_step(services, pool, client, user, history, metadata)
