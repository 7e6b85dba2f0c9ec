"""The sign-in engine: ``start`` a flow, ``answer`` its challenges, until ``Issued`` tokens.

Typed from end to end (``steps.Step``, ``state.State``, ``errors.SignInError``); the JSON API (``cognito/ops/auth.py``)
turns a Step into InitiateAuth's and RespondToAuthChallenge's answers, the hosted UI (``oauth/signin.py``,
``oauth/challenge.py``) drives the same steps behind its pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import invalid_parameter
from ...services import Services
from .. import repo
from ..access import check_secret_hash, check_session_user
from ..domain import Client, Pool
from ..refresh import check_issued_to, check_usable, find_refresh_token, renew, rotation_grace
from . import errors
from .choice import PASSWORD, PASSWORD_SRP, answer_choice, user_auth_start
from .custom import answer_custom, answer_unknown, custom_start, next_custom_step
from .device import check_presented, present, refresh_device
from .device_srp import answer_device_srp, answer_device_srp_without_session, answer_device_verifier
from .factors import answer_code, answer_select, answer_setup
from .first_factor import after_first_factor, answer_new_password, password_start
from .passkey import answer_webauthn
from .sessions import claim_session
from .srp_flow import check_proof, srp_start
from .state import (
    DEVICE_SRP,
    DEVICE_VERIFIER,
    PASSWORD_VERIFIER,
    SELECT_CHALLENGE,
    Custom,
    DeviceSrp,
    MfaCode,
    MfaSetup,
    NewPassword,
    SelectChallenge,
    SelectMfa,
    WebAuthn,
)
from .steps import Issued, Step, Tokens

USER_FLOWS = ("USER_PASSWORD_AUTH", "USER_SRP_AUTH", "CUSTOM_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN",
              "USER_AUTH")
ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_SRP_AUTH", "CUSTOM_AUTH",
               "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "USER_AUTH")


@dataclass(frozen=True, slots=True)
class Engine:
    services: Services

    async def start(self, flow: str, pool: Pool, client: Client, auth: dict[str, str],
                    metadata: dict[str, str] | None = None, *, admin: bool = False) -> Step:
        """InitiateAuth (``admin``: AdminInitiateAuth) with ``flow`` and its AuthParameters ``auth``; ``metadata``
        is its ClientMetadata (PreAuthentication's and UserMigration's ``validationData``, nothing later)."""
        services = self.services
        present(auth.get("DEVICE_KEY"))
        if flow not in (ADMIN_FLOWS if admin else USER_FLOWS):
            raise invalid_parameter("Initiate Auth method not supported.")
        _require_flow(client, flow)
        if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
            return await password_start(services, pool, client, auth, metadata)
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return await self._refresh(pool, client, auth)
        if flow == "USER_SRP_AUTH":
            return await srp_start(services, pool, client, auth, metadata)
        if flow == "CUSTOM_AUTH":
            return await custom_start(services, pool, client, auth, metadata)
        if flow == "USER_AUTH":
            return await user_auth_start(services, pool, client, auth, metadata)
        raise invalid_parameter(f"{flow} is not supported by this poolgate version.")

    async def answer(self, pool: Pool, client: Client, challenge: str, session: str, responses: dict[str, str],
                     metadata: dict[str, str] | None = None) -> Step:
        """RespondToAuthChallenge: the answer ``responses`` to ``challenge`` of ``session`` (PASSWORD_VERIFIER is
        found by its PASSWORD_CLAIM_SECRET_BLOCK instead); ``metadata`` is its ClientMetadata, for every trigger
        the answer runs."""
        services = self.services
        present(responses.get("DEVICE_KEY"))
        await check_presented(services, pool)
        if challenge == DEVICE_VERIFIER:
            return await answer_device_verifier(services, pool, client, responses, metadata)
        if challenge == DEVICE_SRP and not session:
            return await answer_device_srp_without_session(services, pool, client, responses)
        if challenge == PASSWORD_VERIFIER:
            user, verified = await check_proof(services, pool, client, responses)
            if verified.custom is not None:
                history = (*verified.custom, {"challengeName": PASSWORD_VERIFIER, "challengeResult": True,
                                              "challengeMetadata": None})
                return await next_custom_step(services, pool, client, user, history, metadata)
            return await after_first_factor(services, pool, client, user, metadata)
        # PASSWORD and PASSWORD_SRP answer SELECT_CHALLENGE's session too (API Reference, RespondToAuthChallenge,
        # ChallengeResponses: "PASSWORD": {USERNAME, PASSWORD}, "PASSWORD_SRP": {USERNAME, SRP_A})
        opened = SELECT_CHALLENGE if challenge in (PASSWORD, PASSWORD_SRP) else challenge
        row = await claim_session(services, session)  # single use
        if row is None or not row.live_for(client, opened, services.clock.now()):
            raise errors.session_expired()
        saved = row.state
        if isinstance(saved, SelectChallenge):
            answer = challenge if opened != challenge else responses.get("ANSWER", "")
            return await answer_choice(services, pool, client, row, saved, answer, responses, metadata)
        if isinstance(saved, Custom) and saved.unknown is not None:
            return await answer_unknown(services, pool, client, row, saved.unknown, responses, metadata)
        async with services.db.read() as conn:
            found = await repo.find_user(conn, pool, row.username, aliases=False)
        if found is None:
            raise errors.session_expired()
        user = found
        check_secret_hash(client, [responses.get("USERNAME", ""), user.username], responses.get("SECRET_HASH"))
        await check_session_user(services, pool, user.username, responses.get("USERNAME"), sub=user.sub)
        match saved:
            case NewPassword():
                return await answer_new_password(services, pool, client, user, responses, metadata)
            case Custom():
                return await answer_custom(services, pool, client, user, saved, responses, metadata)
            case SelectMfa():
                return await answer_select(services, pool, client, user, saved, responses)
            case MfaSetup():
                return await answer_setup(services, pool, client, user, saved, metadata)
            case MfaCode():
                return await answer_code(services, pool, client, user, row.challenge, saved, responses, metadata)
            case DeviceSrp():
                return await answer_device_srp(services, pool, client, user, saved, responses)
            case WebAuthn():
                return await answer_webauthn(services, pool, client, user, saved, responses, metadata)
        raise invalid_parameter(f"Challenge {challenge} is not supported by this poolgate version.")

    async def _refresh(self, pool: Pool, client: Client, auth: dict[str, str]) -> Issued:
        services = self.services
        token = auth.get("REFRESH_TOKEN")
        if not token:
            raise invalid_parameter("Missing required parameter REFRESH_TOKEN")
        if rotation_grace(client) is not None:
            # "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"
            # (Developer Guide, refresh tokens); the error AWS answers with is UNCONFIRMED.
            raise invalid_parameter("Refresh token rotation is enabled for this client: use "
                                    "GetTokensFromRefreshToken.")
        stored = check_issued_to(await find_refresh_token(services, pool, token), pool, client)
        row, user = stored.row, stored.user
        check_secret_hash(client, [row["username"], *([user.sub] if user else [])], auth.get("SECRET_HASH"))
        user = check_usable(stored, client, services.clock.now(), reuse_error=False)
        device_key = await refresh_device(services, pool, user, auth.get("DEVICE_KEY"))
        renewed = await renew(services, pool, client, stored, user, rotate=False, device_key=device_key)
        issued = renewed.issued
        return Issued(Tokens(issued.access_token, issued.id_token, issued.expires_in, renewed.refresh_token))


def _require_flow(client: Client, flow: str) -> None:
    if not client.allows(flow):
        if flow == "USER_PASSWORD_AUTH":
            raise invalid_parameter("USER_PASSWORD_AUTH flow not enabled for this client")
        raise invalid_parameter("Auth flow not enabled for this client")

