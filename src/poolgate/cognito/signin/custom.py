"""CUSTOM_AUTH: a sign-in driven by the DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse triggers (CogDG:user-pool-lambda-challenge.md), with or without SRP first.

``metadata`` here is always the ClientMetadata of the RespondToAuthChallenge being answered, which these triggers
get as ``clientMetadata`` (Cognito API Reference, RespondToAuthChallenge, ClientMetadata). InitiateAuth's reaches
only PreAuthentication: InitiateAuth "invokes the following triggers without ClientMetadata as input: Post
authentication, Custom message, Pre token generation, Create auth challenge, Define auth challenge" (InitiateAuth,
ClientMetadata; aws-amplify/amplify-js#12745).

Unknown users: with PreventUserExistenceErrors ENABLED the flow runs for a name that matches nobody as for a user,
"LambdaChallenge returns a boolean parameter named UserNotFound. Then it's passed in the request of
DefineAuthChallenge, VerifyAuthChallenge, and CreateAuthChallenge Lambda triggers. You can use this trigger to
simulate custom authorization challenges for a user that doesn't exist" (CogDG:cognito-user-pool-managing-errors.md,
"Custom Authentication Challenge Lambda trigger"), and it ends, however the triggers answer, in the generic
NotAuthorizedException "authentication APIs return a generic authentication failure response. The error response
tells you the user name or password is incorrect" (same page). Observed on AWS: an unknown id runs the challenges
and ends in 'Incorrect username or password' (aws-amplify/aws-sdk-android#1735). PreAuthentication runs first, as
for a user, with ``userNotFound`` true (``unknown_users.pre_authentication_unknown``). Without the setting the name is
refused at once with UserNotFoundException (``first_factor.signing_in_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import ServiceError, invalid_parameter
from ...services import Services
from .. import repo, triggers
from ..access import check_secret_hash, check_session_user
from ..domain import Client, Pool, User
from ..unknown_users import pre_authentication_unknown, unknown_user_name
from . import errors
from .factors import finish, mfa_challenge
from .first_factor import pre_authentication, signing_in_user
from .sessions import Claimed, open_session
from .srp_flow import srp_start
from .state import CUSTOM, SOURCE, Custom
from .steps import Challenge, Step

History = tuple[dict[str, Any], ...]
_NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."  # UNCONFIRMED wording


@dataclass(frozen=True, slots=True)
class Signer:
    """Whom a custom sign-in is for: a user of the pool, or (``user`` None, PreventUserExistenceErrors ENABLED) a
    name that matches nobody, ``asked``, signing in as the stand-in ``username``."""

    user: User | None
    username: str
    asked: str | None = None

    @classmethod
    def of(cls, user: User) -> Signer:
        return cls(user, user.username)

    def attributes(self, pool: Pool) -> dict[str, str]:
        # AWS quirk (UNCONFIRMED, no capture found): nothing about the name asked for reaches the triggers ("the
        # Cognito trigger payload does not show the alias the user used to sign in with", maintainer of
        # aws-samples/amazon-cognito-passwordless-auth#131), so an unknown user has no attributes at all.
        return triggers.user_attributes(pool, self.user) if self.user else {}


def _step(name: str, result: bool, metadata: Any = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def _request(pool: Pool, client: Client, signer: Signer, history: History | None,
             metadata: dict[str, str] | None, **more: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"userAttributes": signer.attributes(pool),
                               **({"session": list(history)} if history is not None else {}), **more,
                               **triggers.user_not_found(client, signer.user is None)}
    if metadata:
        request["clientMetadata"] = metadata
    return request


async def _define(services: Services, pool: Pool, client: Client, signer: Signer, history: History,
                  metadata: dict[str, str] | None) -> dict[str, Any]:
    if not triggers.configured(pool, "DefineAuthChallenge"):
        raise invalid_parameter(_NOT_CONFIGURED)
    body = triggers.event(pool, client, signer.username, "DefineAuthChallenge_Authentication",
                          _request(pool, client, signer, history, metadata),
                          {"challengeName": None, "issueTokens": None, "failAuthentication": None})
    return await triggers.invoke(services, pool, "DefineAuthChallenge", body) or {}


async def custom_start(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                       metadata: dict[str, str] | None) -> Step:
    """InitiateAuth with CUSTOM_AUTH: ask DefineAuthChallenge what comes first. ``metadata`` (InitiateAuth's) is
    PreAuthentication's ``validationData`` and goes no further."""
    username = auth.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, username)
    check_secret_hash(client, [username, *([user.username] if user else [])], auth.get("SECRET_HASH"))
    if user is None and client.prevent_user_existence_errors:
        signer = Signer(None, await unknown_user_name(services, pool, username), username)
        await pre_authentication_unknown(services, pool, client, signer.username, metadata)
    else:
        known = signing_in_user(client, user)
        await pre_authentication(services, pool, client, known, metadata)
        signer = Signer.of(known)
    if auth.get("CHALLENGE_NAME") == "SRP_A":
        history: History = (_step("SRP_A", True),)
        decision = await _define(services, pool, client, signer, history, None)
        if decision.get("challengeName") == "PASSWORD_VERIFIER" and not decision.get("failAuthentication"):
            # an unknown user gets srp_flow's simulated verifier and fails at the proof
            return await srp_start(services, pool, client, auth, metadata, custom=history)
        return await _follow(services, pool, client, signer, history, decision, None)
    return await _next(services, pool, client, signer, (), None)


async def next_custom_step(services: Services, pool: Pool, client: Client, user: User,
                           history: History, metadata: dict[str, str] | None) -> Step:
    """Ask DefineAuthChallenge again, given the challenges ``user`` answered so far."""
    return await _next(services, pool, client, Signer.of(user), history, metadata)


async def _next(services: Services, pool: Pool, client: Client, signer: Signer, history: History,
                metadata: dict[str, str] | None) -> Step:
    decision = await _define(services, pool, client, signer, history, metadata)
    return await _follow(services, pool, client, signer, history, decision, metadata)


async def _follow(services: Services, pool: Pool, client: Client, signer: Signer, history: History,
                  decision: dict[str, Any], metadata: dict[str, str] | None) -> Step:
    user = signer.user
    if decision.get("failAuthentication"):
        raise errors.wrong_credentials()
    name = decision.get("challengeName")
    if user is None and (decision.get("issueTokens") or name in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")):
        raise errors.wrong_credentials()  # nobody to issue tokens to or send a code to, whatever the trigger says
    if decision.get("issueTokens") and user is not None:
        if user.status == "UNCONFIRMED":
            raise errors.not_confirmed()
        return await finish(services, pool, client, user, SOURCE, metadata)
    if name in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP") and user is not None:
        return await mfa_challenge(services, pool, client, user, str(name), SOURCE)
    if name != "CUSTOM_CHALLENGE":
        # AWS's text for a trigger answer of the wrong shape (amazon-cognito-identity-js#167)
        raise ServiceError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    if not triggers.configured(pool, "CreateAuthChallenge"):
        raise invalid_parameter(_NOT_CONFIGURED)
    body = triggers.event(pool, client, signer.username, "CreateAuthChallenge_Authentication",
                          _request(pool, client, signer, history, metadata, challengeName=name),
                          {"publicChallengeParameters": None, "privateChallengeParameters": None,
                           "challengeMetadata": None})
    created = await triggers.invoke(services, pool, "CreateAuthChallenge", body) or {}
    public = {str(k): str(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
    saved = Custom(history, dict(created.get("privateChallengeParameters") or {}), created.get("challengeMetadata"),
                   signer.asked if user is None else None)
    session = await open_session(services, pool, client, signer.username, CUSTOM, saved)
    return Challenge(CUSTOM, {**public, "USERNAME": signer.username}, session)


async def answer_custom(services: Services, pool: Pool, client: Client, user: User, saved: Custom,
                        responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge with CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges the ANSWER."""
    return await _answer(services, pool, client, Signer.of(user), saved, responses, metadata)


async def answer_unknown(services: Services, pool: Pool, client: Client, row: Claimed, asked: str,
                         responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge for an unknown user's CUSTOM_CHALLENGE session (already claimed; ``asked`` the name
    asked for): the same checks and triggers as for a user, ending in NotAuthorized."""
    assert isinstance(row.state, Custom)
    check_secret_hash(client, [responses.get("USERNAME", ""), asked, row.username], responses.get("SECRET_HASH"))
    await check_session_user(services, pool, row.username, responses.get("USERNAME"), asked=asked)
    return await _answer(services, pool, client, Signer(None, row.username, asked), row.state, responses, metadata)


async def _answer(services: Services, pool: Pool, client: Client, signer: Signer, saved: Custom,
                  responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    answer = responses.get("ANSWER")
    if answer is None:
        raise invalid_parameter("Missing required parameter ANSWER")
    if not triggers.configured(pool, "VerifyAuthChallengeResponse"):
        raise invalid_parameter(_NOT_CONFIGURED)
    request = _request(pool, client, signer, None, metadata, privateChallengeParameters=saved.private,
                       challengeAnswer=answer)
    body = triggers.event(pool, client, signer.username, "VerifyAuthChallengeResponse_Authentication", request,
                          {"answerCorrect": None})
    verdict = await triggers.invoke(services, pool, "VerifyAuthChallengeResponse", body) or {}
    history = (*saved.history, _step(CUSTOM, bool(verdict.get("answerCorrect")), saved.challenge_metadata))
    return await _next(services, pool, client, signer, history, metadata)
